"""Finding a unit by its (scanned) LPN, and reading and moving its state after check-in."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import scanners
from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.errors import Conflict, NotFound
from warehouse.inspection.lifecycle import Move, MoveRefused, UnitState, state_after
from warehouse.inspection.models import UnitStatus
from warehouse.receiving.models import Unit


def record_unit(session: Session, ctx: Context, action: str, unit: Unit, **change) -> None:
    """Audits a change of the unit, named by its LPN (`change`: its `before` and `after`, as
    `record` takes them), in the caller's transaction."""
    record(session, ctx, action, "unit", unit.lpn, store_id=unit.store_id, **change)


def find_unit(session: Session, ctx: Context, lpn: str, *, for_update: bool = False) -> Unit:
    """The unit with this LPN (as typed or scanned); another store's unit is not found.

    `for_update` locks the unit's row: every change to a unit after check-in takes this lock
    first, so two terminals acting on one unit take turns.
    """
    value = scanners.parse(lpn).value.upper()
    query = select(Unit).where(Unit.lpn == value)
    if for_update:
        query = query.with_for_update()
    unit = session.scalar(query)
    if unit is None or (ctx.store_scope is not None and unit.store_id != ctx.store_scope):
        raise NotFound("No unit with that LPN.")
    return unit


def find_unit_for_change(
    session: Session, ctx: Context, lpn: str
) -> tuple[Unit, UnitStatus | None]:
    """The unit (locked, as `find_unit(for_update=True)`) and its state row as it is once
    the lock is held: the state a change is checked against is the last one committed.

    On SQLite one query does: a write transaction holds the database's one write lock from
    its first statement, so nothing changes under it. On PostgreSQL the lock may be granted
    only after another terminal's change to the unit commits, and the state row joined in
    the same statement is the one of its snapshot, from before that change (READ
    COMMITTED): it is read again, so the loser of a race sees the winner's state and answers
    the same 409 as on SQLite, instead of acting on a state that has gone.
    """
    value = scanners.parse(lpn).value.upper()
    row = session.execute(
        select(Unit, UnitStatus)
        .outerjoin(UnitStatus, UnitStatus.unit_id == Unit.id)
        .where(Unit.lpn == value)
        .with_for_update(of=Unit)
    ).first()
    if row is None or (ctx.store_scope is not None and row[0].store_id != ctx.store_scope):
        raise NotFound("No unit with that LPN.")
    unit, status = row[0], row[1]
    if session.get_bind().dialect.name != "sqlite":
        status = session.scalar(
            select(UnitStatus)
            .where(UnitStatus.unit_id == unit.id)
            .execution_options(populate_existing=True)
        )
    return unit, status


def status_of(session: Session, unit: Unit) -> UnitStatus | None:
    """The unit's state row (None while it is only received)."""
    return session.get(UnitStatus, unit.id)


def state_of(status: UnitStatus | None) -> UnitState:
    return UnitState(status.state) if status is not None else UnitState.RECEIVED


#: A unit's state in SQL, for a query that outer-joins `UnitStatus` on the unit.
STATE_SQL = func.coalesce(UnitStatus.state, UnitState.RECEIVED.value)


def states_of(session: Session, unit_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, UnitState]:
    """Each unit's state now, in one query: the one place a unit's status is read from for
    every view that lists units (what check-in found stays apart, as `reception_status`)."""
    wanted = list(unit_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(UnitStatus.unit_id, UnitStatus.state).where(UnitStatus.unit_id.in_(wanted))
    )
    found = {unit_id: UnitState(state) for unit_id, state in rows}
    return {unit_id: found.get(unit_id, UnitState.RECEIVED) for unit_id in wanted}


def next_state(status: UnitStatus | None, move: Move) -> UnitState:
    """The state `move` leads to, or a 409 naming the unit's current state."""
    current = state_of(status)
    try:
        return state_after(current, move)
    except MoveRefused as refused:
        raise Conflict(refused.args[0], unit_state=str(current)) from None
