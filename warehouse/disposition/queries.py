"""Where a unit stands after inspection (state, bin, disposition, work order), as read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.context import Context
from warehouse.db import keyset_page
from warehouse.disposition.models import Bin, Disposition, Refurbishment, UnitLocation
from warehouse.errors import NotFound
from warehouse.inspection.models import Inspection, UnitStatus
from warehouse.inspection.rules import CONDITION, Grade
from warehouse.inspection.units import (
    find_unit,
    state_of,
    status_of,
)
from warehouse.receiving.models import Unit
from warehouse.returns.models import ReturnLine
from warehouse.texts import Text


def list_refurbishments(
    session: Session, *, status: str | None, limit: int, after: dict | None
) -> tuple[list[Refurbishment], dict | None]:
    """Work orders, oldest first (the one waiting longest is done first)."""
    query = select(Refurbishment).order_by(Refurbishment.id)
    if status is not None:
        query = query.where(Refurbishment.status == status)
    return keyset_page(session, query, Refurbishment.id, after=after, limit=limit)


def unit_disposition(session: Session, ctx: Context, lpn: str) -> dict:
    """Where a unit stands: its state, grade, bin, disposition and work order."""
    unit = find_unit(session, ctx, lpn)
    status = status_of(session, unit)
    disposition = session.scalar(select(Disposition).where(Disposition.unit_id == unit.id))
    order = session.scalar(select(Refurbishment).where(Refurbishment.unit_id == unit.id))
    location = session.get(UnitLocation, unit.id)
    bin_ = session.get(Bin, location.bin_id) if location is not None else None
    return disposition_view(session, unit, status, disposition, order, bin_)


def disposition_view(
    session: Session,
    unit: Unit,
    status: UnitStatus | None,
    disposition: Disposition | None,
    order: Refurbishment | None,
    bin_: Bin | None,
) -> dict:
    return {
        "lpn": unit.lpn,
        "state": state_of(status).value,
        "grade": status.grade if status else None,
        "condition": CONDITION[Grade(status.grade)] if status and status.grade else None,
        "bin": bin_.code if bin_ else None,
        "disposition": _disposition_brief(disposition) if disposition else None,
        "refurbishment": refurbishment_view(session, order, unit=unit, status=status)
        if order
        else None,
    }


def _disposition_brief(disposition: Disposition) -> dict:
    return {
        "id": str(disposition.id),
        "decision": disposition.decision,
        "recommended": disposition.recommended,
        "override": disposition.override,
        "reason": disposition.reason,
        "note": disposition.note,
        "inspection_id": str(disposition.inspection_id),
        "decided_by": disposition.decided_by,
        "decided_at": disposition.created_at.isoformat(),
    }


def refurbishment_view(
    session: Session,
    order: Refurbishment,
    *,
    unit: Unit | None = None,
    status: UnitStatus | None = None,
) -> dict:
    unit = unit or session.get_one(Unit, order.unit_id)
    status = status or session.get(UnitStatus, order.unit_id)
    bin_ = session.get(Bin, order.bin_id) if order.bin_id else None
    return {
        "id": str(order.id),
        "lpn": unit.lpn,
        "sku": unit.sku,
        "status": order.status,
        "unit_state": state_of(status).value,
        "grade": status.grade if status else None,
        "notes": order.notes,
        "opened_at": order.opened_at.isoformat(),
        "opened_by": order.opened_by,
        "outcome": order.outcome,
        "scrap_reason": order.scrap_reason,
        "bin": bin_.code if bin_ else None,
        "completed_at": order.completed_at.isoformat() if order.completed_at else None,
        "completed_by": order.completed_by,
    }


# --- the refurbishment queue's pages ---------------------------------------------------------


def open_order_of(session: Session, ctx: Context, lpn: str) -> Refurbishment:
    """The unit's open work order (404 when it has none, or it is done)."""
    unit = find_unit(session, ctx, lpn or "-")
    order = session.scalar(select(Refurbishment).where(Refurbishment.unit_id == unit.id))
    if order is None or order.status != "open":
        raise NotFound(Text("No such refurbishment order."))
    return order


def order_unit(
    session: Session, order: Refurbishment
) -> tuple[Unit, ReturnLine | None, Inspection | None]:
    """The work order's unit, its return line and its latest inspection (what to fix)."""
    unit = session.get_one(Unit, order.unit_id)
    line = session.get(ReturnLine, unit.return_line_id) if unit.return_line_id else None
    inspection = session.scalar(
        select(Inspection)
        .where(Inspection.unit_id == unit.id)
        .order_by(Inspection.sequence.desc())
        .limit(1)
    )
    return unit, line, inspection


def units_with_findings(session: Session, unit_ids: list) -> dict:
    """unit id → (unit, its return line, its current inspection), in one query for a whole
    page of the queue."""
    if not unit_ids:
        return {}
    rows = session.execute(
        select(Unit, ReturnLine, Inspection)
        .outerjoin(ReturnLine, ReturnLine.id == Unit.return_line_id)
        .outerjoin(UnitStatus, UnitStatus.unit_id == Unit.id)
        .outerjoin(Inspection, Inspection.id == UnitStatus.inspection_id)
        .where(Unit.id.in_(unit_ids))
    )
    return {unit.id: (unit, line, inspection) for unit, line, inspection in rows}
