"""Label use cases: which labels a unit, return, parcel or bin has, and printing them.

Loading is here (the database, and who may see what); drawing is the `labels` library's; the
file a GET answers is a `LabelDocument`. A store sees the labels of its own units and returns
only (another store's answer 404, as if they did not exist); staff see every label.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from labels import (
    BinLabel,
    LabelError,
    PrinterError,
    ReturnSlip,
    UnitLabel,
    render_labels_zpl,
)
from scanners import codes
from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.db import read_only_transactions, transaction
from warehouse.disposition.models import Disposition
from warehouse.errors import Conflict, DomainError, InvalidInput, NotFound
from warehouse.inspection.models import Inspection, UnitStatus
from warehouse.printing.documents import AnyLabel, LabelDocument, Layout
from warehouse.printing.printers import PrinterConfig, PrinterFactory
from warehouse.receiving.models import Parcel, Unit
from warehouse.returns.models import Return, ReturnLine
from warehouse.stores.models import Store

#: Formats each kind of label is offered in; any other extension is a 404.
FORMATS = {
    "unit": ("png", "pdf", "zpl"),
    "return": ("png", "pdf", "zpl"),
    "bin": ("png", "pdf", "zpl"),
    "parcel": ("pdf", "zpl"),  # many labels: one file of many pages or formats, never one PNG
}
#: Seconds a client may reuse a label without revalidating. A unit label gains its grade and
#: route at inspection and a parcel gains units while open, so those are revalidated every
#: time (a 304 costs one query); a slip changes only if the store is renamed; a bin label is
#: fixed by its code.
MAX_AGE = {"unit": 0, "parcel": 0, "return": 300, "bin": 86400}
#: The most copies of one print job, so a typo does not empty a roll of labels.
MAX_COPIES = 20

#: The title line of a unit that is not one of its return's lines.
_STATUS_TITLES = {
    "extra": "多出的物品 Extra item",
    "wrong_item": "错发的物品 Wrong item",
}


class PrinterFailed(DomainError):
    """A print job did not reach its printer: the printer's fault, not the request's."""

    status, title, slug = 502, "Printer unavailable", "printer-unavailable"


# --- what a unit's label says ------------------------------------------------------------------


def unit_label_for(session: Session, unit: Unit) -> UnitLabel:
    """The label of one unit: LPN, SKU, the title of its return line; grade and route once
    known. See `unit_labels_for`."""
    return unit_labels_for(session, [unit])[0]


def unit_labels_for(session: Session, units: Sequence[Unit]) -> list[UnitLabel]:
    """The labels of `units`, in their order, with one query per kind of detail however many
    units there are (a parcel may hold hundreds).

    Grade and route come from `_outcomes`: when inspection and disposition exist, that is the
    one place to read them from.
    """
    line_ids = {unit.return_line_id for unit in units if unit.return_line_id is not None}
    titles: dict[uuid.UUID, str] = {}
    if line_ids:
        rows = session.execute(
            select(ReturnLine.id, ReturnLine.title).where(ReturnLine.id.in_(line_ids))
        )
        titles = {line_id: title for line_id, title in rows}
    outcomes = _outcomes(session, units)
    labels = []
    for unit in units:
        grade, route = outcomes.get(unit.id, (None, None))
        labels.append(
            UnitLabel(
                lpn=unit.lpn,
                sku=unit.sku or unit.gtin or unit.scanned_code,
                title=titles.get(unit.return_line_id)
                or _STATUS_TITLES.get(unit.reception_status, unit.reception_status),
                grade=grade,
                route=route,
            )
        )
    return labels


def _outcomes(
    session: Session, units: Sequence[Unit]
) -> dict[uuid.UUID, tuple[str | None, str | None]]:
    """Each inspected unit's (grade, route): its grade now, and the route it was sent on (the
    inspection's recommended one until it is disposed of). A unit missing from the answer
    is not inspected yet, and has neither."""
    ids = [unit.id for unit in units]
    if not ids:
        return {}
    rows = session.execute(
        select(
            UnitStatus.unit_id,
            UnitStatus.grade,
            Disposition.decision,
            Inspection.recommended_disposition,
        )
        .outerjoin(Disposition, Disposition.unit_id == UnitStatus.unit_id)
        .outerjoin(Inspection, Inspection.id == UnitStatus.inspection_id)
        .where(UnitStatus.unit_id.in_(ids))
    )
    return {
        unit_id: (grade, decision or recommended) for unit_id, grade, decision, recommended in rows
    }


# --- label files for GET ----------------------------------------------------------------------


def unit_document(session: Session, ctx: Context, lpn: str, fmt: str, dpi: int) -> LabelDocument:
    """The 50 × 30 mm label of the unit with `lpn`."""
    _check_format("unit", fmt)
    unit = _unit(session, ctx, lpn)
    return LabelDocument(
        (unit_label_for(session, unit),), fmt, dpi, name=unit.lpn, max_age=MAX_AGE["unit"]
    )


def return_slip_document(
    session: Session, ctx: Context, return_id: uuid.UUID, fmt: str, dpi: int
) -> LabelDocument:
    """The 100 × 150 mm slip of a return: RMA barcode and QR code, store, order, items."""
    _check_format("return", fmt)
    slip = _return_slip(session, ctx, return_id)
    return LabelDocument((slip,), fmt, dpi, name=slip.rma_number, max_age=MAX_AGE["return"])


def bin_document(code: str, fmt: str, dpi: int) -> LabelDocument:
    """The 100 × 50 mm label of a bin location.

    Any well-formed bin code (a name and its check character) has a label: there is no
    register of bins to look it up in yet.
    """
    _check_format("bin", fmt)
    label = _bin_label(code)
    return LabelDocument((label,), fmt, dpi, name=label.code, max_age=MAX_AGE["bin"])


def parcel_document(
    session: Session,
    parcel_id: uuid.UUID,
    fmt: str,
    dpi: int | None,
    layout: Layout = "labels",
) -> LabelDocument:
    """Every unit label of one parcel in one file: a page (or ZPL format) per label, or, with
    `layout` "sheet", A4 pages of labels for an office printer (at 300 dpi unless told).

    Parcels are the warehouse's own (one may hold several stores' returns): staff only.
    """
    _check_format("parcel", fmt)
    if layout == "sheet" and fmt != "pdf":
        raise InvalidInput({"layout": ["A sheet is a PDF for office printers; ask for .pdf."]})
    labels = unit_labels_for(session, _parcel_units(session, parcel_id))
    if dpi is None:
        dpi = 300 if layout == "sheet" else 203
    name = f"parcel-{parcel_id}" + ("-sheet" if layout == "sheet" else "")
    return LabelDocument(
        tuple(labels), fmt, dpi, name=name, layout=layout, max_age=MAX_AGE["parcel"]
    )


# --- printing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Printing:
    """The configured printers, and how to reach one (a TCP printer, or a fake in tests)."""

    printers: Mapping[str, PrinterConfig]
    connect: PrinterFactory


@dataclass(frozen=True)
class PrintReceipt:
    """What was sent: the answer of every print call."""

    printer: str
    dpi: int
    labels: int
    copies: int
    bytes: int


@dataclass(frozen=True)
class _Job:
    """Labels to print and the objects whose audit trail records it: (type, id, store)."""

    labels: Sequence[AnyLabel]
    audited: Sequence[tuple[str, str, uuid.UUID | None]]
    detail: Mapping[str, str]


def print_unit_label(
    session: Session, ctx: Context, lpn: str, *, printing: Printing, printer: str, copies: int
) -> PrintReceipt:
    """Print the label of the unit with `lpn` on the printer called `printer`."""

    def job(db: Session) -> _Job:
        unit = _unit(db, ctx, lpn)
        return _Job(
            [unit_label_for(db, unit)], [("unit", unit.lpn, unit.store_id)], {"label": "unit"}
        )

    return _print(session, ctx, job, printing, printer, copies)


def print_parcel_labels(
    session: Session,
    ctx: Context,
    parcel_id: uuid.UUID,
    *,
    printing: Printing,
    printer: str,
    copies: int,
) -> PrintReceipt:
    """Print the label of every unit of one parcel, in the order they were received."""

    def job(db: Session) -> _Job:
        units = _parcel_units(db, parcel_id)
        return _Job(
            unit_labels_for(db, units),
            [("unit", unit.lpn, unit.store_id) for unit in units],
            {"label": "unit", "parcel_id": str(parcel_id)},
        )

    return _print(session, ctx, job, printing, printer, copies)


def print_return_slip(
    session: Session,
    ctx: Context,
    return_id: uuid.UUID,
    *,
    printing: Printing,
    printer: str,
    copies: int,
) -> PrintReceipt:
    """Print a return's slip (a 100 × 150 mm label printer)."""

    def job(db: Session) -> _Job:
        ret = _return(db, ctx, return_id)
        return _Job(
            [_slip_of(db, ret)], [("return", str(ret.id), ret.store_id)], {"label": "return_slip"}
        )

    return _print(session, ctx, job, printing, printer, copies)


def print_bin_label(
    session: Session, ctx: Context, code: str, *, printing: Printing, printer: str, copies: int
) -> PrintReceipt:
    """Print a bin location's label (a 100 × 50 mm label printer)."""

    def job(_db: Session) -> _Job:
        label = _bin_label(code)
        return _Job([label], [("bin", label.code, None)], {"label": "bin"})

    return _print(session, ctx, job, printing, printer, copies)


def _print(
    session: Session,
    ctx: Context,
    load: Callable[[Session], _Job],
    printing: Printing,
    printer_name: str,
    copies: int,
) -> PrintReceipt:
    """Loads the labels, sends them as ZPL at the printer's dpi, and audits the attempt.

    No transaction is open while the printer is talked to: on SQLite a write transaction
    would hold the database's one write lock for as long as a switched-off printer takes to
    time out, stalling every terminal. So: read, send, then write the audit row.
    """
    printer = printing.printers.get(printer_name)
    if printer is None:
        known = ", ".join(printing.printers) or "none are configured (WAREHOUSE_PRINTERS)"
        raise InvalidInput({"printer": [f"No printer is called {printer_name!r}; known: {known}."]})
    if not 1 <= copies <= MAX_COPIES:
        raise InvalidInput({"copies": [f"From 1 to {MAX_COPIES}."]})

    session.commit()  # ends the transaction authentication read the caller in (nothing to write)
    with read_only_transactions(), transaction(session):
        job = load(session)
    try:
        zpl = render_labels_zpl(job.labels, printer.dpi) * copies
    except LabelError as exc:
        raise InvalidInput({"label": [str(exc)]}) from exc
    receipt = PrintReceipt(printer.name, printer.dpi, len(job.labels), copies, len(zpl))
    attempt = {
        **job.detail,
        "printer": printer.name,
        "dpi": printer.dpi,
        "copies": copies,
        "labels": len(job.labels),
    }
    try:
        printing.connect(printer).send(zpl)
    except PrinterError as exc:
        with transaction(session):
            _audit(session, ctx, job, "label.print_failed", {**attempt, "error": str(exc)})
        raise PrinterFailed(
            f"Printer {printer.name} did not take the job, so the labels may not have printed: "
            f"{exc}. Check that it is on and connected, then print again.",
            printer=printer.name,
        ) from exc
    with transaction(session):
        _audit(session, ctx, job, "label.printed", attempt)
    return receipt


def _audit(session: Session, ctx: Context, job: _Job, action: str, after: dict) -> None:
    for object_type, object_id, store_id in job.audited:
        record(session, ctx, action, object_type, object_id, after=after, store_id=store_id)


# --- loading ------------------------------------------------------------------------------------


def _check_format(kind: str, fmt: str) -> None:
    if fmt not in FORMATS[kind]:
        raise NotFound(f"No such label format: .{fmt} (offered: {', '.join(FORMATS[kind])}).")


def _unit(session: Session, ctx: Context, lpn: str) -> Unit:
    """The unit with `lpn` (any case) if the caller may see it; a malformed LPN names none."""
    code = lpn.strip().upper()
    unit = None
    if codes.kind_of_own_code(code) == "lpn":
        unit = session.scalar(select(Unit).where(Unit.lpn == code))
    if unit is None or (ctx.store_scope is not None and unit.store_id != ctx.store_scope):
        raise NotFound("No unit with that LPN.")
    return unit


def _return(session: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    ret = session.scalar(
        select(Return).where(Return.id == return_id).options(selectinload(Return.lines))
    )
    if ret is None or (ctx.store_scope is not None and ret.store_id != ctx.store_scope):
        raise NotFound("No such return.")
    return ret


def _slip_of(session: Session, ret: Return) -> ReturnSlip:
    store_name = session.scalar(select(Store.name).where(Store.id == ret.store_id))
    return ReturnSlip(
        rma_number=ret.rma_number,
        store_name=store_name or "",
        buyer_name=ret.buyer_name or "",
        order_id=ret.order_id,
        lines_summary=[f"{line.quantity} × {line.title} ({line.sku})" for line in ret.lines],
    )


def _return_slip(session: Session, ctx: Context, return_id: uuid.UUID) -> ReturnSlip:
    return _slip_of(session, _return(session, ctx, return_id))


def _bin_label(code: str) -> BinLabel:
    full = codes.read_bin_code(code)
    if full is None:
        raise NotFound("No such bin: a bin code is its name and check character.")
    return BinLabel(full)


def _parcel_units(session: Session, parcel_id: uuid.UUID) -> list[Unit]:
    if session.get(Parcel, parcel_id) is None:
        raise NotFound("No such parcel.")
    units = list(
        session.scalars(
            select(Unit).where(Unit.parcel_id == parcel_id).order_by(Unit.created_at, Unit.id)
        )
    )
    if not units:
        raise Conflict("The parcel has no units yet: scan its items first.")
    return units
