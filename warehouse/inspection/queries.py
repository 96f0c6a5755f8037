"""Inspections as the API and pages read them: a unit's inspections, one inspection's view."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.context import Context
from warehouse.errors import NotFound
from warehouse.inspection import checklists, photos, rules
from warehouse.inspection.lifecycle import UnitState
from warehouse.inspection.models import (
    ChecklistVersion,
    Inspection,
    UnitStatus,
)
from warehouse.inspection.units import find_unit
from warehouse.receiving.models import ReceivingException, Unit
from warehouse.returns.models import Return, ReturnLine
from warehouse.stores.models import Store


def outcome_view(inspection: Inspection) -> dict:
    return {
        "grade": inspection.grade,
        "condition": rules.CONDITION[rules.Grade(inspection.grade)],
        "buyer_fault": inspection.buyer_fault,
        "liability": inspection.liability,
        "recommended_disposition": inspection.recommended_disposition,
        "deduction": {
            "amount": inspection.deduction_amount,
            "currency": inspection.currency,
            "percent": inspection.deduction_percent,
            "reason": inspection.deduction_reason,
        },
        "reject": inspection.reject,
        "reject_reason": inspection.reject_reason,
        "no_resale": inspection.no_resale,
    }


def inspection_view(
    session: Session,
    inspection: Inspection,
    *,
    unit: Unit | None = None,
    version: ChecklistVersion | None = None,
    status: UnitStatus | None = None,
) -> dict:
    """An inspection as the API answers it (pass what is loaded already to spare queries)."""
    version = version or session.get_one(ChecklistVersion, inspection.checklist_version_id)
    unit = unit or session.get_one(Unit, inspection.unit_id)
    status = status or session.get(UnitStatus, inspection.unit_id)
    return {
        "id": str(inspection.id),
        "lpn": unit.lpn,
        "sequence": inspection.sequence,
        "current": status is not None and status.inspection_id == inspection.id,
        **outcome_view(inspection),
        "findings": inspection.findings,
        "answers": inspection.answers,
        "photos": [photos.photo_urls(i) for i in inspection.photo_ids],
        "checklist": {
            "id": str(version.checklist_id),
            "version": version.version,
            "name": version.name,
            "category": version.category,
        },
        "notes": inspection.notes,
        "inspected_by": inspection.inspected_by,
        "inspected_at": inspection.created_at.isoformat(),
        "unit_state": status.state if status is not None else UnitState.RECEIVED.value,
    }


def get_inspection(session: Session, ctx: Context, inspection_id: uuid.UUID) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or (
        ctx.store_scope is not None and inspection.store_id != ctx.store_scope
    ):
        raise NotFound("No such inspection.")
    return inspection


def unit_inspections(
    session: Session, ctx: Context, lpn: str, *, limit: int, after: dict | None
) -> tuple[list[Inspection], dict | None]:
    """A unit's inspections, first one first (a re-inspection never hides the first)."""
    unit = find_unit(session, ctx, lpn)
    query = select(Inspection).where(Inspection.unit_id == unit.id).order_by(Inspection.sequence)
    return checklists.page_after(
        session, query, Inspection.sequence, "seq", int, after=after, limit=limit
    )


def inspection_sheet(session: Session, unit: Unit) -> dict:
    """What the inspector sees of a unit: its return, line and store, what check-in found
    (its exceptions), its category's current checklist (None: there is none, nor a default)
    and its current inspection (a re-inspection starts from it)."""
    ret = session.get_one(Return, unit.return_id)
    line = session.get(ReturnLine, unit.return_line_id) if unit.return_line_id else None
    store = session.get(Store, unit.store_id) if unit.store_id else None
    category = line.category if line is not None else checklists.DEFAULT_CATEGORY
    version = checklists.checklist_for_category(session, category)
    receipt = list(
        session.scalars(
            select(ReceivingException)
            .where(ReceivingException.unit_id == unit.id)
            .order_by(ReceivingException.created_at)
        )
    )
    status = session.get(UnitStatus, unit.id)
    return {
        "unit": unit,
        "ret": ret,
        "line": line,
        "store": store,
        "category": category,
        "receipt": receipt,
        "version": version,
        "previous": session.get(Inspection, status.inspection_id) if status is not None else None,
    }
