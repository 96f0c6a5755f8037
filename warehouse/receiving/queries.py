"""Read models of check-in: a parcel and a unit as terminals, pages and the API show them.

They read the other stages' models and read models (a unit's inspections, where it stands
now), never their services; the write paths of `receiving.services` use them to shape their
answers.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import scanners
from warehouse.audit.models import AuditEntry
from warehouse.context import Context
from warehouse.db import find_one
from warehouse.disposition import queries as disposition_queries
from warehouse.errors import NotFound
from warehouse.inspection.models import Inspection
from warehouse.inspection.queries import inspection_view
from warehouse.queue import services as queue
from warehouse.receiving.models import Parcel, Unit
from warehouse.returns.models import Return, ReturnLine
from warehouse.stores.models import Store
from warehouse.texts import Text


def find_parcel(
    session: Session, parcel_id: uuid.UUID, *, for_update: bool = False, with_links: bool = True
) -> Parcel:
    """The parcel (with its links to returns, unless told not to), or 404."""
    query = select(Parcel).where(Parcel.id == parcel_id)
    if with_links:
        query = query.options(selectinload(Parcel.links))
    return find_one(session, query, Text("No such parcel."), for_update=for_update)


def get_parcel(session: Session, ctx: Context, parcel_id: uuid.UUID) -> dict:
    """A parcel with its returns and what is still expected in it."""
    return {"parcel": parcel_view(session, find_parcel(session, parcel_id))}


def get_unit(session: Session, ctx: Context, lpn: str) -> dict:
    """A unit with its line, parcel, exceptions and every recorded action on it."""
    scan = scanners.parse(lpn)
    unit = session.scalar(select(Unit).where(Unit.lpn == scan.value))
    if unit is None or (ctx.store_scope is not None and unit.store_id != ctx.store_scope):
        raise NotFound("No unit with that LPN.")
    line = session.get(ReturnLine, unit.return_line_id) if unit.return_line_id else None
    history = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "unit", AuditEntry.object_id == unit.lpn)
        .order_by(AuditEntry.id)
    )
    where = disposition_queries.unit_disposition(session, ctx, unit.lpn)
    return {
        **unit_brief(unit, line, state=where["state"]),
        "parcel_id": str(unit.parcel_id),
        "return_id": str(unit.return_id) if unit.return_id else None,
        "sku": unit.sku,
        "gtin": unit.gtin,
        "serial": unit.serial,
        "scanned_code": unit.scanned_code,
        "received_by": unit.received_by,
        "received_at": unit.created_at.isoformat(),
        "title": line.title if line else None,
        "category": line.category if line else None,
        "exceptions": [queue.exception_brief(e) for e in queue.for_unit(session, unit.id)],
        "inspections": _inspections_of(session, unit),
        "disposition": where,
        "history": [
            {
                "at": h.at.isoformat(),
                "action": h.action,
                "actor": h.actor_label,
                "terminal_id": h.terminal_id,
                "after": h.after,
            }
            for h in history
        ],
    }


def _inspections_of(session: Session, unit: Unit) -> list[dict]:
    """Every inspection of the unit, first first (a re-inspection never hides the first)."""
    rows = session.scalars(
        select(Inspection).where(Inspection.unit_id == unit.id).order_by(Inspection.sequence)
    )
    return [inspection_view(session, inspection, unit=unit) for inspection in rows]


def parcel_view(
    session: Session,
    parcel: Parcel,
    returns: list[Return] | None = None,
    *,
    has_units: bool | None = None,
    lines_by_return: dict[uuid.UUID, list[ReturnLine]] | None = None,
) -> dict:
    """The parcel as a terminal shows it: status, its returns and what is still expected.

    Callers that already hold the returns, their lines or know whether units exist pass
    them in: on the dock every round trip saved is latency saved.
    """
    if returns is None:
        return_ids = [link.return_id for link in parcel.links]
        returns = (
            list(
                session.scalars(
                    select(Return)
                    .where(Return.id.in_(return_ids))
                    .options(selectinload(Return.lines))
                )
            )
            if return_ids
            else []
        )
        returns.sort(key=lambda r: return_ids.index(r.id))
    first = returns[0] if returns else None
    if has_units is None:
        has_units = (
            session.scalar(select(Unit.id).where(Unit.parcel_id == parcel.id).limit(1)) is not None
        )
    return {
        "id": str(parcel.id),
        "code": parcel.code,
        "status": parcel.match_status,
        "state": parcel.state,
        "return_id": str(first.id) if first else None,
        "rma_number": first.rma_number if first else None,
        "weight_grams": parcel.weight_grams,
        "has_units": has_units,
        "returns": [
            {
                "id": str(r.id),
                "rma_number": r.rma_number,
                "store_id": str(r.store_id),
                "external_id": r.external_id,
                "order_id": r.order_id,
                "status": r.status,
                "reception_status": r.reception_status,
                "refund_status": r.refund_status,
            }
            for r in returns
        ],
        "expected": [
            {
                "return_id": str(r.id),
                "return_line_id": str(line.id),
                "line_id": line.line_id,
                "sku": line.sku,
                "gtin": line.gtin,
                "title": line.title,
                "category": line.category,
                "quantity": line.quantity,
                "received": line.received_quantity,
                "remaining": line.remaining_quantity,
                "serial_numbers_expected": len(line.serial_numbers or []),
            }
            for r in returns
            for line in (lines_by_return[r.id] if lines_by_return else r.lines)
        ],
    }


def unit_brief(unit: Unit, line: ReturnLine | None, *, state: str = "received") -> dict:
    """The unit in brief: `status` is where it is in its life now (received at check-in;
    `warehouse.inspection.lifecycle`), `reception_status` what check-in found."""
    return {
        "lpn": unit.lpn,
        "return_line_id": str(unit.return_line_id) if unit.return_line_id else None,
        "status": str(state),
        "reception_status": unit.reception_status,
        "line_id": line.line_id if line is not None else None,
        "remaining_on_line": line.remaining_quantity if line is not None else None,
    }


# --- the receive pages ------------------------------------------------------------------------


def units_of(session: Session, parcel_id: uuid.UUID) -> list[Unit]:
    """The parcel's units, first scanned first."""
    return list(
        session.scalars(select(Unit).where(Unit.parcel_id == parcel_id).order_by(Unit.created_at))
    )


def returns_with_store(session: Session, view: dict) -> list:
    """(return, store name) for each return in the parcel: the receiver sees whose it is."""
    ids = [uuid.UUID(r["id"]) for r in view["returns"]]
    if not ids:
        return []
    return list(
        session.execute(
            select(Return, Store.name)
            .join(Store, Store.id == Return.store_id)
            .where(Return.id.in_(ids))
        )
    )


def closed_summary(session: Session, ctx: Context, view: dict, units: list[Unit]) -> dict:
    """What closing reported, read back from what it stored: each return's reception status
    and line counts, and the parcel's exceptions still open."""
    ids = [uuid.UUID(r["id"]) for r in view["returns"]]
    lines = (
        session.scalars(
            select(ReturnLine)
            .where(ReturnLine.return_id.in_(ids))
            .order_by(ReturnLine.return_id, ReturnLine.position)
        ).all()
        if ids
        else []
    )
    returns = [
        {
            "rma_number": r["rma_number"],
            "reception_status": r["reception_status"],
            "lines": [
                {
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "received": line.received_quantity,
                    "short": line.short_quantity,
                    "extra": line.extra_quantity,
                    "damaged": line.damaged_quantity,
                }
                for line in lines
                if str(line.return_id) == r["id"]
            ],
        }
        for r in view["returns"]
    ]
    exceptions, _ = queue.list_exceptions(
        session,
        ctx,
        status="open",
        kind=None,
        parcel_id=uuid.UUID(view["id"]),
        return_id=None,
        limit=50,
        after=None,
    )
    return {
        "units": len(units),
        "returns": returns,
        "exceptions": [queue.exception_brief(e) for e in exceptions],
    }
