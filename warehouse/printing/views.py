"""HTTP endpoints for printable labels (PNG, PDF, ZPL) and for printing them on label printers."""

from __future__ import annotations

import dataclasses

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from labels import MEDIA_TYPES
from warehouse.api import context, parse_id, problem_response, session
from warehouse.auth.guard import requires
from warehouse.auth.roles import Permission
from warehouse.printing import services
from warehouse.printing.answers import label_answer
from warehouse.printing.printers import parse_printers, tcp_printer
from warehouse.printing.schemas import (
    LabelQuerySchema,
    ParcelLabelQuerySchema,
    PrinterPageSchema,
    PrintInSchema,
    PrintReceiptSchema,
)

blp = Blueprint(
    "printing", __name__, url_prefix="/api/v1", description="Labels, and label printers."
)

PRINTERS = "warehouse.printers"
#: `PrinterConfig -> Printer`; tests replace it with one answering FakePrinters.
PRINTER_FACTORY = "warehouse.printer_factory"


@blp.record_once
def _configure_printers(state) -> None:
    """Reads WAREHOUSE_PRINTERS when the app is built, so a bad setting stops the start."""
    app = state.app
    app.extensions[PRINTERS] = parse_printers(app.extensions["warehouse.settings"].printers)
    app.extensions.setdefault(PRINTER_FACTORY, tcp_printer)


def _printing() -> services.Printing:
    return services.Printing(
        printers=current_app.extensions[PRINTERS],
        connect=current_app.extensions[PRINTER_FACTORY],
    )


def _label_files(path: str, kind: str):
    """Routes `path` + `.png`, `.pdf`, `.zpl` (the formats `kind` comes in) to one view, which
    gets the format as `fmt`: the URLs the contract names, each a path of its own in the docs.
    """

    def register(view):
        for fmt in services.FORMATS[kind]:
            route = blp.route(
                f"{path}.{fmt}", endpoint=f"{view.__name__}_{fmt}", defaults={"fmt": fmt}
            )
            route(view)
        return view

    return register


def _files(kind: str, what: str):
    """Documents a label view's answers: the file (of the type its extension says), or 304."""
    formats = services.FORMATS[kind]
    types = ", ".join(f"`{MEDIA_TYPES[fmt]}` for .{fmt}" for fmt in formats)
    binary = {"schema": {"type": "string", "format": "binary"}}
    return blp.doc(
        responses={
            "200": {
                "description": f"{what} {types}.",
                "content": {MEDIA_TYPES[fmt]: binary for fmt in formats},
            },
            "304": {"description": "The copy named by If-None-Match is still current."},
        }
    )


PRINTER_REFUSED = "The printer did not take the job; the detail says why."


def _prints(*problems: tuple[int, str]):
    """A print endpoint's decorators: who may print, the print request and its receipt, the
    `(status, description)` problems it names, and the printer refusing the job (502)."""

    def decorate(view):
        view = problem_response(blp, 502, PRINTER_REFUSED)(view)
        for status, description in reversed(problems):
            view = problem_response(blp, status, description)(view)
        view = blp.response(200, PrintReceiptSchema)(view)
        view = blp.arguments(PrintInSchema)(view)
        return requires(Permission.VIEW)(view)

    return decorate


@_label_files("/labels/units/<lpn>", "unit")
class UnitLabelFile(MethodView):
    @requires(Permission.VIEW, store=True)
    @blp.arguments(LabelQuerySchema, location="query")
    @_files("unit", "The 50 × 30 mm label; its barcode reads the LPN.")
    @problem_response(blp, 404, "No unit with that LPN (or another store's).")
    def get(self, query, lpn, fmt):
        """A unit's LPN label: barcode, SKU, title; grade and route once known."""
        document = services.unit_document(session(), context(), lpn, fmt, query["dpi"])
        return label_answer(document, "lpn")


@_label_files("/labels/returns/<return_id>", "return")
class ReturnSlipFile(MethodView):
    @requires(Permission.VIEW, store=True)
    @blp.arguments(LabelQuerySchema, location="query")
    @_files("return", "The 100 × 150 mm slip; its barcode and QR code read the RMA number.")
    @problem_response(blp, 404, "No such return (or another store's).")
    def get(self, query, return_id, fmt):
        """A return's slip: RMA barcode, store, order, masked buyer, the items."""
        rid = parse_id(return_id, "return")
        document = services.return_slip_document(session(), context(), rid, fmt, query["dpi"])
        return label_answer(document, "return_id")


@_label_files("/labels/parcels/<parcel_id>", "parcel")
class ParcelLabelsFile(MethodView):
    @requires(Permission.VIEW)
    @blp.arguments(ParcelLabelQuerySchema, location="query")
    @_files("parcel", "Every unit label of the parcel: a page or ZPL format per label.")
    @problem_response(blp, 404, "No such parcel.")
    @problem_response(blp, 409, "The parcel has no units yet.")
    def get(self, query, parcel_id, fmt):
        """All unit labels of one parcel in one file, or as A4 sheets (`?layout=sheet`)."""
        pid = parse_id(parcel_id, "parcel")
        document = services.parcel_document(session(), pid, fmt, query["dpi"], query["layout"])
        return label_answer(document, "parcel_id")


@_label_files("/labels/bins/<code>", "bin")
class BinLabelFile(MethodView):
    @requires(Permission.VIEW)
    @blp.arguments(LabelQuerySchema, location="query")
    @_files("bin", "The 100 × 50 mm bin label; its barcode reads the bin code.")
    @problem_response(blp, 404, "Not a bin code (a name and its check character).")
    def get(self, query, code, fmt):
        """A bin location's label: its code, large, and as a barcode."""
        return label_answer(services.bin_document(code, fmt, query["dpi"]), "code")


# --- printing ----------------------------------------------------------------------------------


@blp.route("/labels/units/<lpn>/print")
class PrintUnitLabel(MethodView):
    @_prints((404, "No unit with that LPN."))
    def post(self, data, lpn):
        """Print a unit's label on a configured label printer, at that printer's dpi."""
        return services.print_unit_label(session(), context(), lpn, printing=_printing(), **data)


@blp.route("/labels/returns/<return_id>/print")
class PrintReturnSlip(MethodView):
    @_prints((404, "No such return."))
    def post(self, data, return_id):
        """Print a return's slip on a configured 100 × 150 mm label printer."""
        rid = parse_id(return_id, "return")
        return services.print_return_slip(session(), context(), rid, printing=_printing(), **data)


@blp.route("/labels/parcels/<parcel_id>/print")
class PrintParcelLabels(MethodView):
    @_prints((404, "No such parcel."), (409, "The parcel has no units yet."))
    def post(self, data, parcel_id):
        """Print the label of every unit of one parcel on a configured label printer."""
        pid = parse_id(parcel_id, "parcel")
        return services.print_parcel_labels(session(), context(), pid, printing=_printing(), **data)


@blp.route("/labels/bins/<code>/print")
class PrintBinLabel(MethodView):
    @_prints((404, "Not a bin code (a name and its check character)."))
    def post(self, data, code):
        """Print a bin location's label on a configured 100 × 50 mm label printer."""
        return services.print_bin_label(session(), context(), code, printing=_printing(), **data)


@blp.route("/printers")
class Printers(MethodView):
    @requires(Permission.VIEW)
    @blp.response(200, PrinterPageSchema)
    def get(self):
        """The configured label printers (WAREHOUSE_PRINTERS) and each one's dpi."""
        printers = current_app.extensions[PRINTERS].values()
        return {"items": [dataclasses.asdict(p) for p in printers], "next_cursor": None}
