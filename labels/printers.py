"""Sending ZPL to label printers.

The service talks to a printer only through `Printer.send`, so tests use `FakePrinter` and
the floor uses `TcpZplPrinter`: Zebra printers on the network take raw ZPL on TCP port 9100.
A job that does not get through raises PrinterError; it is never dropped quietly, because an
unlabelled unit on the floor is a lost unit.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from labels.errors import PrinterError

RAW_PRINT_PORT = 9100


@runtime_checkable
class Printer(Protocol):
    """Something that prints a ZPL job, or raises PrinterError."""

    def send(self, zpl: bytes) -> None:
        """Send one ZPL job (one or more ^XA … ^XZ formats)."""
        ...


def _check_job(zpl: bytes) -> bytes:
    if not isinstance(zpl, bytes | bytearray):
        raise TypeError("a ZPL job is bytes")
    if not zpl.strip():
        raise ValueError("refusing to send an empty print job")
    return bytes(zpl)


@dataclass
class TcpZplPrinter:
    """A network label printer taking raw ZPL on TCP (port 9100, "JetDirect" printing).

    Every send opens a connection, writes the whole job and closes it, within `timeout`
    seconds for connecting and for each write.
    """

    host: str
    port: int = RAW_PRINT_PORT
    timeout: float = 10.0

    def send(self, zpl: bytes) -> None:
        """Send `zpl`; PrinterError when the printer is unreachable or the job is cut off."""
        job = _check_job(zpl)
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.sendall(job)
                conn.shutdown(socket.SHUT_WR)  # tells the printer the job is complete
        except OSError as exc:  # refused, unreachable, timed out, reset
            raise PrinterError(
                f"printer {self.host}:{self.port} did not take the job ({len(job)} bytes): {exc}"
            ) from exc


@dataclass
class FakePrinter:
    """A printer for tests: keeps every job it is sent; `fail_with` makes sends fail."""

    sent: list[bytes] = field(default_factory=list)
    fail_with: PrinterError | None = None

    def send(self, zpl: bytes) -> None:
        """Record `zpl`, or raise `fail_with` when set."""
        job = _check_job(zpl)
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(job)
