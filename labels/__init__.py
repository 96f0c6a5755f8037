"""Printable labels (LPN, return slip, bin) as PNG, PDF and ZPL. A plain library: no Flask.

Every barcode is Code 128 drawn in whole printer dots with 10-module quiet zones, for
203 dpi (8 dots/mm) and 300 dpi (12 dots/mm) printers; see `render_label`.
"""

from labels.errors import (
    CodeTooLong,
    LabelError,
    PrinterError,
    UnencodableText,
    UnsupportedDpi,
    UnsupportedFormat,
)
from labels.geometry import SUPPORTED_DPI
from labels.kinds import BinLabel, ReturnSlip, UnitLabel, mask_name
from labels.printers import FakePrinter, Printer, TcpZplPrinter
from labels.render import (
    FORMATS,
    MEDIA_TYPES,
    label_image,
    render_bin_label,
    render_label,
    render_labels_pdf,
    render_labels_zpl,
    render_return_slip,
    render_sheet,
    render_unit_label,
)

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "SUPPORTED_DPI",
    "BinLabel",
    "CodeTooLong",
    "FakePrinter",
    "LabelError",
    "Printer",
    "PrinterError",
    "ReturnSlip",
    "TcpZplPrinter",
    "UnencodableText",
    "UnitLabel",
    "UnsupportedDpi",
    "UnsupportedFormat",
    "label_image",
    "mask_name",
    "render_bin_label",
    "render_label",
    "render_labels_pdf",
    "render_labels_zpl",
    "render_return_slip",
    "render_sheet",
    "render_unit_label",
]
