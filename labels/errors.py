"""Exceptions of the labels library.

Everything a caller can get wrong (a dpi no printer has, text a barcode cannot carry, a code
too long for the label) is a `LabelError`, itself a `ValueError`, so the service can map the
whole family to one 422. A printer that cannot be reached is a `PrinterError` instead: that is
the network's fault, not the request's.
"""

from __future__ import annotations


class LabelError(ValueError):
    """A label cannot be made from this input."""


class UnsupportedDpi(LabelError):
    """The printer resolution is not one the labels are laid out for (203 or 300 dpi)."""


class UnsupportedFormat(LabelError):
    """The output format is not one of png, pdf, zpl."""


class UnencodableText(LabelError):
    """Text that Code 128 cannot carry, or that a scanner would not give back unchanged."""


class CodeTooLong(LabelError):
    """A code whose barcode would not fit the label at a module width scanners can read."""


class PrinterError(OSError):
    """A print job did not reach the printer (refused, timed out, connection dropped)."""
