"""What label and printer requests take and answer."""

from __future__ import annotations

import marshmallow as ma

from labels import SUPPORTED_DPI
from warehouse.printing.services import MAX_COPIES
from warehouse.schemas import QueryInteger, StrictInteger, Text

_DPI_CHOICES = ", ".join(map(str, SUPPORTED_DPI))


class LabelQuerySchema(ma.Schema):
    dpi = QueryInteger(
        load_default=203,
        validate=ma.validate.OneOf(SUPPORTED_DPI, error=f"Must be one of {_DPI_CHOICES}."),
        metadata={
            "description": "The label printer's resolution: 203 (8 dots/mm) or 300 (12 dots/mm).",
            "example": 203,
        },
    )


class ParcelLabelQuerySchema(ma.Schema):
    dpi = QueryInteger(
        load_default=None,
        validate=ma.validate.OneOf(SUPPORTED_DPI, error=f"Must be one of {_DPI_CHOICES}."),
        metadata={"description": "203 or 300; default 203, or 300 for a sheet.", "example": 203},
    )
    layout = Text(
        max=8,
        load_default="labels",
        validate=ma.validate.OneOf(["labels", "sheet"]),
        metadata={
            "description": "`labels`: a page per label at label size (for a label printer); "
            "`sheet`: A4 pages of labels with cutting guides (for an office printer, PDF only).",
            "example": "labels",
        },
    )


class PrintInSchema(ma.Schema):
    printer = Text(
        max=32,
        required=True,
        metadata={"description": "A name from `GET /printers`.", "example": "dock1"},
    )
    copies = StrictInteger(
        load_default=1,
        validate=ma.validate.Range(min=1, max=MAX_COPIES),
        metadata={"description": f"Copies of each label, 1 to {MAX_COPIES}.", "example": 1},
    )


class PrintReceiptSchema(ma.Schema):
    printer = ma.fields.String(metadata={"example": "dock1"})
    dpi = ma.fields.Integer(metadata={"example": 203})
    labels = ma.fields.Integer(metadata={"description": "Labels in the job (once each copy)."})
    copies = ma.fields.Integer()
    bytes = ma.fields.Integer(metadata={"description": "Size of the ZPL job sent."})


class PrinterSchema(ma.Schema):
    name = ma.fields.String(metadata={"example": "dock1"})
    host = ma.fields.String(metadata={"example": "10.0.0.21"})
    port = ma.fields.Integer(metadata={"example": 9100})
    dpi = ma.fields.Integer(metadata={"example": 203})


class PrinterPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PrinterSchema))
    next_cursor = ma.fields.String(
        allow_none=True, metadata={"description": "Always null: every printer is on one page."}
    )
