"""WAREHOUSE_PRINTERS names each label printer, its address and dpi; mistakes are named clearly."""

from __future__ import annotations

import pytest

from labels import TcpZplPrinter
from warehouse.config import Settings
from warehouse.printing.printers import (
    PrinterConfig,
    PrinterConfigError,
    parse_printers,
    tcp_printer,
)


def test_printers_are_read_with_their_address_and_dpi_in_order():
    printers = parse_printers("dock1=10.0.0.21:9100@203,qc1=10.0.0.22:9100@300")
    assert list(printers) == ["dock1", "qc1"]
    assert printers["dock1"] == PrinterConfig("dock1", "10.0.0.21", 9100, 203)
    assert printers["qc1"] == PrinterConfig("qc1", "10.0.0.22", 9100, 300)


def test_the_port_defaults_to_9100_and_host_names_and_ipv6_are_accepted():
    printers = parse_printers(" a=zebra-3.floor.local@203 ,\n b=[fd00::5]:6101@300, ")
    assert printers["a"] == PrinterConfig("a", "zebra-3.floor.local", 9100, 203)
    assert printers["b"] == PrinterConfig("b", "fd00::5", 6101, 300)


def test_no_printers_is_an_empty_setting():
    assert parse_printers("") == {}
    assert parse_printers(" , ") == {}


@pytest.mark.parametrize(
    ("setting", "complaint"),
    [
        ("dock1=10.0.0.21:9100@250", "dpi must be 203 or 300, not '250'"),
        ("dock1=10.0.0.21:9100", "the dpi is missing"),
        ("dock1=10.0.0.21:9100@", "dpi must be 203 or 300"),
        ("10.0.0.21:9100@203", "expected name=host:port@dpi"),
        ("dock 1=10.0.0.21@203", "a name is 1 to 32 letters"),
        ("dock1=10.0.0.21:port@203", "the port must be a number from 1 to 65535"),
        ("dock1=10.0.0.21:70000@203", "the port must be a number from 1 to 65535"),
        ("dock1=:9100@203", "'' is not a host name"),
        ("dock1=printer_1@203", "'printer_1' is not a host name"),
        ("dock1=[fd00::5@203", "an IPv6 address is written [address]:port"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_setting_the_entry_and_the_problem(setting, complaint):
    with pytest.raises(PrinterConfigError) as raised:
        parse_printers(f"ok=10.0.0.9@203,{setting}")
    message = str(raised.value)
    assert message.startswith("WAREHOUSE_PRINTERS: printer 2 ")
    assert repr(setting) in message
    assert complaint in message


def test_a_name_used_twice_is_refused():
    with pytest.raises(PrinterConfigError, match="'dock1' is used twice"):
        parse_printers("dock1=10.0.0.21@203,dock1=10.0.0.22@300")


def test_the_setting_is_read_from_the_environment():
    settings = Settings.from_env({"WAREHOUSE_PRINTERS": "dock1=10.0.0.21:9100@203"})
    assert settings.printers == "dock1=10.0.0.21:9100@203"
    assert Settings.from_env({}).printers == ""


def test_a_bad_setting_stops_the_app_from_starting(tmp_path):
    from warehouse.app import create_app

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", data_dir=tmp_path, printers="x=y@1"
    )
    with pytest.raises(PrinterConfigError, match="WAREHOUSE_PRINTERS"):
        create_app(settings)


def test_the_production_printer_is_raw_tcp_to_the_configured_address():
    printer = tcp_printer(PrinterConfig("dock1", "10.0.0.21", 9100, 203))
    assert isinstance(printer, TcpZplPrinter)
    assert (printer.host, printer.port) == ("10.0.0.21", 9100)
