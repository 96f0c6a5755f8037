"""Sending ZPL: raw TCP to a printer (tested against a local server), and the fake for tests."""

from __future__ import annotations

import socket
import threading

import pytest

from labels import FakePrinter, Printer, PrinterError, TcpZplPrinter, UnitLabel, render_unit_label


class LocalPrinter:
    """A TCP server on 127.0.0.1 that takes one job, like a Zebra on port 9100."""

    def __init__(self, read: bool = True):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.read = read
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            if not self.read:
                self.done.wait(10)
                return
            while chunk := conn.recv(65536):
                self.received += chunk

    def close(self) -> None:
        self.done.set()
        self.thread.join(10)
        self.server.close()


@pytest.fixture
def local_printer():
    printer = LocalPrinter()
    yield printer
    printer.close()


def test_a_zpl_job_arrives_whole_at_the_printers_port(local_printer, lpn):
    job = render_unit_label(UnitLabel(lpn, "SKU-1", "蓝牙耳机"), "zpl", 203)

    TcpZplPrinter("127.0.0.1", local_printer.port, timeout=5).send(job)
    local_printer.thread.join(10)

    assert local_printer.received == job


def test_a_printer_that_refuses_the_connection_raises_printer_error():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free once closed: nothing listens there

    with pytest.raises(PrinterError, match=f"127.0.0.1:{port}") as raised:
        TcpZplPrinter("127.0.0.1", port, timeout=2).send(b"^XA^XZ")

    assert isinstance(raised.value.__cause__, OSError)


def test_a_printer_that_stops_reading_times_out_with_printer_error():
    stuck = LocalPrinter(read=False)
    try:
        with pytest.raises(PrinterError, match="did not take the job"):
            # far more than the loopback socket buffers hold, so sendall must wait
            TcpZplPrinter("127.0.0.1", stuck.port, timeout=0.3).send(b"^XA" + b"0" * 64_000_000)
    finally:
        stuck.close()


def test_an_empty_job_is_refused_before_anything_is_sent():
    fake = FakePrinter()

    with pytest.raises(ValueError, match="empty"):
        fake.send(b"  \n")
    assert fake.sent == []


def test_the_fake_printer_records_each_job_in_order():
    fake = FakePrinter()

    fake.send(b"^XA^FDone^FS^XZ")
    fake.send(b"^XA^FDtwo^FS^XZ")

    assert fake.sent == [b"^XA^FDone^FS^XZ", b"^XA^FDtwo^FS^XZ"]


def test_the_fake_printer_can_fail_like_a_real_one():
    fake = FakePrinter(fail_with=PrinterError("paper out"))

    with pytest.raises(PrinterError, match="paper out"):
        fake.send(b"^XA^XZ")


def test_both_printers_satisfy_the_printer_interface():
    assert isinstance(FakePrinter(), Printer)
    assert isinstance(TcpZplPrinter("127.0.0.1"), Printer)
