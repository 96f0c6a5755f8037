"""The label printers of the centre, from the `WAREHOUSE_PRINTERS` setting, and how to reach one.

The setting names each printer, where it listens for raw ZPL and its resolution:

    dock1=10.0.0.21:9100@203,qc1=10.0.0.22@300,office=[fd00::5]:9100@300

The port defaults to 9100 (raw printing); the dpi is required, because a label laid out for
the wrong resolution prints at the wrong size and may not scan. This module is the only place
that reads the setting. Plain Python: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from labels import SUPPORTED_DPI, Printer, TcpZplPrinter
from labels.printers import RAW_PRINT_PORT

SETTING = "WAREHOUSE_PRINTERS"
#: Seconds to connect to a printer and for each write: a printer on the LAN answers in
#: milliseconds, and a request thread must not hang on one that is switched off.
PRINT_TIMEOUT_S = 5.0

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_IPV6 = re.compile(r"\[([0-9A-Fa-f:.]+)\]")
_DIGITS = re.compile(r"[0-9]{1,5}")


class PrinterConfigError(ValueError):
    """The printers setting cannot be read; the message names the setting and the entry."""


@dataclass(frozen=True)
class PrinterConfig:
    """One configured label printer: its name on the floor, where it listens, its dpi."""

    name: str
    host: str
    port: int
    dpi: int


#: Makes the `Printer` a configured printer is reached through (tests give a FakePrinter).
PrinterFactory = Callable[[PrinterConfig], Printer]


def tcp_printer(config: PrinterConfig) -> Printer:
    """The production factory: raw ZPL over TCP to the printer's host and port."""
    return TcpZplPrinter(config.host, config.port, timeout=PRINT_TIMEOUT_S)


def parse_printers(text: str) -> dict[str, PrinterConfig]:
    """The printers the setting names, in its order; PrinterConfigError says what is wrong."""
    printers: dict[str, PrinterConfig] = {}
    for position, entry in enumerate(text.split(","), start=1):
        entry = entry.strip()
        if not entry:
            continue
        try:
            config = _parse_entry(entry)
        except ValueError as exc:
            raise PrinterConfigError(f"{SETTING}: printer {position} ({entry!r}): {exc}") from None
        if config.name in printers:
            raise PrinterConfigError(f"{SETTING}: printer name {config.name!r} is used twice")
        printers[config.name] = config
    return printers


def _parse_entry(entry: str) -> PrinterConfig:
    name, equals, rest = entry.partition("=")
    name = name.strip()
    if not equals:
        raise ValueError("expected name=host:port@dpi")
    if not _NAME.fullmatch(name):
        raise ValueError("a name is 1 to 32 letters, digits, '-' and '_', not starting with - or _")
    address, at, dpi_text = rest.strip().rpartition("@")
    if not at:
        raise ValueError(f"the dpi is missing: add @{' or @'.join(map(str, SUPPORTED_DPI))}")
    host, port = _parse_address(address.strip())
    dpi = int(dpi_text) if _DIGITS.fullmatch(dpi_text.strip()) else None
    if dpi not in SUPPORTED_DPI:
        raise ValueError(f"dpi must be {' or '.join(map(str, SUPPORTED_DPI))}, not {dpi_text!r}")
    return PrinterConfig(name=name, host=host, port=port, dpi=dpi)


def _parse_address(address: str) -> tuple[str, int]:
    if address.startswith("["):
        bracketed, close, port_text = address.partition("]")
        match = _IPV6.fullmatch(bracketed + close)
        if match is None or (port_text and not port_text.startswith(":")):
            raise ValueError("an IPv6 address is written [address]:port")
        host, port_text = match.group(1), port_text[1:]
    else:
        host, colon, port_text = address.partition(":")
        if not colon:
            port_text = ""
        if not _HOST_NAME.fullmatch(host):
            raise ValueError(f"{host!r} is not a host name or IP address")
    if not port_text:
        return host, RAW_PRINT_PORT
    if not _DIGITS.fullmatch(port_text) or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"the port must be a number from 1 to 65535, not {port_text!r}")
    return host, int(port_text)
