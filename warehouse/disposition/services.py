"""Disposition use cases: route an inspected unit (restock into a bin, refurbish, scrap, …),
move a restocked unit between bins, and work refurbishment orders to completion.

Every change locks the unit first (`find_unit(for_update=True)`), checks the move against
the unit's state (`warehouse.inspection.lifecycle`), and is audited; each disposition,
including a refurbishment's completion, tells the store (`unit.disposed`, with `final`
saying whether the unit's route is settled) in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.auth.roles import Permission, may
from warehouse.context import Context
from warehouse.db import find_one, unit_of_work
from warehouse.disposition import bins, rules
from warehouse.disposition.models import Bin, Disposition, Refurbishment, UnitLocation
from warehouse.disposition.queries import disposition_view, refurbishment_view, unit_disposition
from warehouse.errors import Conflict, Forbidden, InvalidInput
from warehouse.events.outbox import append_event
from warehouse.events.types import EventType
from warehouse.inspection.lifecycle import ROUTE_MOVE, Move, Route, UnitState
from warehouse.inspection.models import Inspection, UnitStatus
from warehouse.inspection.rules import CONDITION, Grade
from warehouse.inspection.units import (
    find_unit_for_change,
    next_state,
    record_unit,
)
from warehouse.receiving.models import Unit
from warehouse.returns.models import Return, ReturnLine
from warehouse.texts import Text

MAX_NOTES = 200


# --- bins ------------------------------------------------------------------------------------

#: A supervisor registers a bin: one transaction (the demo loader calls `bins.register_bin`
#: inside its own).
register_bin = unit_of_work(bins.register_bin)


def dispose(
    session: Session,
    ctx: Context,
    lpn: str,
    *,
    decision: Route,
    bin_code: str | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> dict:
    """Sends an inspected unit on its way. The recommended route needs no more than a scan
    (and a bin to restock into); any other is a supervisor's override, with a reason."""
    unit, status = find_unit_for_change(session, ctx, lpn)
    after = next_state(status, ROUTE_MOVE[decision])
    inspection = session.get_one(Inspection, status.inspection_id)
    recommended = Route(inspection.recommended_disposition)
    override = _judge(ctx, status, inspection, decision, reason=reason, has_bin=bool(bin_code))
    bin_ = bins.bin_for_restock(session, bin_code) if decision == Route.RESTOCK else None
    reason = (reason or "").strip() or None

    disposition = Disposition(
        unit_id=unit.id,
        inspection_id=inspection.id,
        return_id=unit.return_id,
        store_id=unit.store_id,
        decision=decision.value,
        recommended=recommended.value,
        override=override,
        reason=reason,
        note=note,
        bin_id=bin_.id if bin_ else None,
        decided_by=ctx.actor.label[:64],
        terminal_id=ctx.terminal_id,
        created_at=ctx.now,
    )
    session.add(disposition)
    session.flush()
    before = {"state": status.state}
    _set_state(status, ctx, after.value)
    if bin_ is not None:
        _place(session, ctx, unit, bin_)
    refurbishment = _open_refurbishment(session, ctx, unit, disposition)
    _audit_and_tell(
        session,
        ctx,
        "unit.disposed",
        unit,
        status,
        decision.value,
        before=before,
        bin_=bin_,
        audited={"recommended": recommended.value, "override": override, "reason": reason},
        told={
            "final": after != UnitState.REFURBISHING,
            "via": "inspection",
            "recommended": recommended.value,
            "override": override,
            "reason": reason,
            "disposition_id": disposition.id,
        },
    )
    return disposition_view(session, unit, status, disposition, refurbishment, bin_)


def _judge(
    ctx: Context,
    status: UnitStatus,
    inspection: Inspection,
    decision: Route,
    *,
    reason: str | None,
    has_bin: bool,
) -> bool:
    """Whether routing the unit so is an override of the recommended route; a 409 for a
    unit never to be resold, a 403 for an override by someone not a supervisor, a 422 for
    a route without what it needs (a reason, a bin)."""
    try:
        judgement = rules.judge(
            decision,
            recommended=Route(inspection.recommended_disposition),
            no_resale=inspection.no_resale,
            supervisor=may(ctx.actor.role or "", Permission.SUPERVISE),
            reason=reason,
            has_bin=has_bin,
        )
    except rules.NeverResold as refused:
        raise Conflict(refused.args[0], unit_state=status.state) from None
    except rules.SupervisorNeeded as refused:
        raise Forbidden(refused.args[0]) from None
    except rules.DecisionInvalid as invalid:
        raise InvalidInput(invalid.errors) from None
    return judgement.override


def _open_refurbishment(
    session: Session, ctx: Context, unit: Unit, disposition: Disposition
) -> Refurbishment | None:
    """A unit routed to refurbishment gets its work order; any other route none."""
    if disposition.decision != Route.REFURBISH:
        return None
    refurbishment = Refurbishment(
        unit_id=unit.id,
        disposition_id=disposition.id,
        return_id=unit.return_id,
        store_id=unit.store_id,
        status="open",
        notes=[],
        opened_at=ctx.now,
        opened_by=ctx.actor.label[:64],
    )
    session.add(refurbishment)
    session.flush()
    return refurbishment


def _set_state(status: UnitStatus, ctx: Context, state: str) -> None:
    status.state = state
    status.updated_at = ctx.now
    status.updated_by = ctx.actor.label[:64]


def _place(session: Session, ctx: Context, unit: Unit, bin_: Bin) -> None:
    location = session.get(UnitLocation, unit.id)
    if location is None:
        location = UnitLocation(unit_id=unit.id)
        session.add(location)
    location.bin_id = bin_.id
    location.placed_at = ctx.now
    location.placed_by = ctx.actor.label[:64]


def _audit_and_tell(
    session: Session,
    ctx: Context,
    action: str,
    unit: Unit,
    status: UnitStatus,
    decision: str,
    *,
    before: dict,
    bin_: Bin | None,
    audited: dict,
    told: dict,
) -> None:
    """A routing step's end: the unit's change audited (its state, what `audited` adds,
    and its bin) and its store told (`_tell_store`, with what `told` adds)."""
    after = {"state": status.state, **audited, "bin": bin_.code if bin_ else None}
    record_unit(session, ctx, action, unit, before=before, after=after)
    _tell_store(session, ctx, unit, status, decision, **told)


def _tell_store(
    session: Session, ctx: Context, unit: Unit, status: UnitStatus, decision: str, **data
) -> None:
    """`unit.disposed` for the unit's store, with what the store needs to know of it: the
    decision, and the unit's grade and state after it.

    A refurbished unit is told of twice, at each step: `final` is false when it goes into
    refurbishment and true when it comes out (restocked or scrapped), as it is for every
    other route; a store counting disposed units counts the final ones."""
    if unit.return_id is None:
        return
    ret = session.get_one(Return, unit.return_id)
    line = session.get(ReturnLine, unit.return_line_id) if unit.return_line_id else None
    grade = status.grade
    data = {"decision": decision, "grade": grade, "state": status.state, **data}
    append_event(
        session,
        ctx,
        ret,
        EventType.UNIT_DISPOSED,
        lpn=unit.lpn,
        line_id=line.line_id if line is not None else None,
        sku=unit.sku,
        condition=CONDITION[Grade(grade)] if grade else None,
        **{k: str(v) if isinstance(v, uuid.UUID) else v for k, v in data.items()},
    )


def move_unit(session: Session, ctx: Context, lpn: str, *, bin_code: str) -> dict:
    """Moves a restocked unit to another bin (scanned)."""
    unit, status = find_unit_for_change(session, ctx, lpn)
    next_state(status, Move.MOVE_BIN)
    bin_ = bins.bin_for_restock(session, bin_code)
    location = session.get(UnitLocation, unit.id)
    previous = session.get(Bin, location.bin_id) if location is not None else None
    if previous is None or previous.id != bin_.id:
        _place(session, ctx, unit, bin_)
        record_unit(
            session,
            ctx,
            "unit.moved",
            unit,
            before={"bin": previous.code if previous else None},
            after={"bin": bin_.code},
        )
    return unit_disposition(session, ctx, unit.lpn)


# --- refurbishment ---------------------------------------------------------------------------


def get_refurbishment(
    session: Session, refurbishment_id: uuid.UUID, *, for_update: bool = False
) -> Refurbishment:
    query = select(Refurbishment).where(Refurbishment.id == refurbishment_id)
    return find_one(session, query, Text("No such refurbishment order."), for_update=for_update)


@unit_of_work
def add_note(
    session: Session, ctx: Context, refurbishment_id: uuid.UUID, text: str
) -> Refurbishment:
    """Adds a technician's note to an open work order."""
    order = get_refurbishment(session, refurbishment_id, for_update=True)
    if order.status != "open":
        raise Conflict(Text("The work order is done; it takes no more notes."))
    if len(order.notes) >= MAX_NOTES:
        raise Conflict(
            Text("The work order has {count} notes, the most it may have.", count=MAX_NOTES)
        )
    order.notes = [*order.notes, _note(ctx, text)]
    return order


def _note(ctx: Context, text: str) -> dict:
    return {"at": ctx.now.isoformat(), "by": ctx.actor.label, "text": text}


def complete_refurbishment(
    session: Session,
    ctx: Context,
    lpn: str,
    *,
    outcome: rules.RefurbishOutcome,
    notes: str | None = None,
    bin_code: str | None = None,
    reason: str | None = None,
) -> dict:
    """Ends a unit's refurbishment: back to stock as grade B (open box) into a bin, or scrap."""
    unit, status = find_unit_for_change(session, ctx, lpn)
    move = (
        Move.REFURBISHED_RESTOCK
        if outcome == rules.RefurbishOutcome.RESTOCK
        else Move.REFURBISHED_SCRAP
    )
    after = next_state(status, move)
    order = session.scalar(
        select(Refurbishment).where(Refurbishment.unit_id == unit.id).with_for_update()
    )
    try:
        scrap_reason = rules.judge_refurbishment(outcome, reason=reason, has_bin=bool(bin_code))
    except rules.DecisionInvalid as invalid:
        raise InvalidInput(invalid.errors) from None
    bin_ = bins.bin_for_restock(session, bin_code) if bin_code else None

    before = {"state": status.state, "grade": status.grade}
    _set_state(status, ctx, after.value)
    if outcome == rules.RefurbishOutcome.RESTOCK:
        status.grade = rules.REFURBISHED_GRADE
        _place(session, ctx, unit, bin_)
    order.status = "done"
    order.outcome = outcome.value
    order.scrap_reason = scrap_reason.value if scrap_reason else None
    order.bin_id = bin_.id if bin_ else None
    order.completed_at = ctx.now
    order.completed_by = ctx.actor.label[:64]
    if notes:
        order.notes = [*order.notes, _note(ctx, notes)]
    _audit_and_tell(
        session,
        ctx,
        "unit.refurbished",
        unit,
        status,
        outcome.value,
        before=before,
        bin_=bin_,
        audited={
            "grade": status.grade,
            "outcome": outcome.value,
            "scrap_reason": order.scrap_reason,
        },
        told={
            "final": True,
            "via": "refurbishment",
            "reason": order.scrap_reason,
            "refurbishment_id": order.id,
        },
    )
    return refurbishment_view(session, order, unit=unit, status=status)
