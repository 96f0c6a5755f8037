"""The exception queue (异常件): what check-in could not settle, for a person to resolve."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.audit.services import record, record_return
from warehouse.context import Context
from warehouse.db import keyset_page
from warehouse.errors import Conflict, InvalidInput, NotFound
from warehouse.queue.rules import (
    ACTIONS,
    OPEN_STATES,
    Effect,
    ExceptionKind,
    handling_refusal,
    legal_actions,
    resolution_effect,
    resolution_refusal,
)
from warehouse.receiving.models import Parcel, ParcelReturn, ReceivingException, Unit
from warehouse.returns.models import Return, ReturnLine
from warehouse.returns.rules import ReturnStatus, status_after_receipt


def open_exception(
    session: Session,
    ctx: Context,
    kind: ExceptionKind,
    *,
    details: dict,
    store_id: uuid.UUID | None = None,
    **concerns: uuid.UUID | None,
) -> ReceivingException:
    """Queues an exception with its evidence, audited, in the caller's transaction;
    `concerns` names what it is about: its `parcel_id`, `return_id`, `return_line_id` or
    `unit_id` (none by default)."""
    exception = ReceivingException(
        kind=str(kind),
        status="open",
        store_id=store_id,
        details=details,
        created_at=ctx.now,
        **concerns,
    )
    session.add(exception)
    session.flush()
    _audit(session, ctx, "exception.opened", exception, after={"kind": str(kind), **details})
    return exception


def open_or_update_short(
    session: Session, ctx: Context, parcel: Parcel, line: ReturnLine, missing: int
) -> ReceivingException:
    """One open `short` exception per line, kept at the current shortfall."""
    existing = session.scalar(
        select(ReceivingException).where(
            ReceivingException.return_line_id == line.id,
            ReceivingException.kind == ExceptionKind.SHORT,
            ReceivingException.status.in_(OPEN_STATES),
        )
    )
    details = {
        "line_id": line.line_id,
        "sku": line.sku,
        "expected": line.quantity,
        "received": line.received_quantity,
        "missing": missing,
        "parcel_code": parcel.code,
    }
    if existing is not None:
        existing.details = details
        existing.parcel_id = parcel.id
        return existing
    store_id = line.return_.store_id
    return open_exception(
        session,
        ctx,
        ExceptionKind.SHORT,
        parcel_id=parcel.id,
        return_id=line.return_id,
        return_line_id=line.id,
        store_id=store_id,
        details=details,
    )


def resolve_open(
    session: Session,
    ctx: Context,
    *,
    kinds: tuple[ExceptionKind, ...],
    resolution: str,
    note: str,
    parcel_id: uuid.UUID | None = None,
    return_id: uuid.UUID | None = None,
    return_line_id: uuid.UUID | None = None,
) -> None:
    """Closes the open exceptions that an event has settled (a match, a late receipt, the
    return's rejection)."""
    query = select(ReceivingException).where(
        ReceivingException.status.in_(OPEN_STATES),
        ReceivingException.kind.in_([str(k) for k in kinds]),
    )
    query = _where_given(
        query, parcel_id=parcel_id, return_id=return_id, return_line_id=return_line_id
    )
    for exception in session.scalars(query):
        _resolve(session, ctx, exception, resolution, note)


def open_for_parcel(
    session: Session,
    parcel_id: uuid.UUID,
    *,
    kinds: tuple[ExceptionKind, ...] = (
        ExceptionKind.UNMATCHED_PARCEL,
        ExceptionKind.RETURN_NOT_OPEN,
        ExceptionKind.AMBIGUOUS_PARCEL,
    ),
) -> bool:
    """Whether the parcel already waits in the queue for one of `kinds`."""
    return (
        session.scalar(
            select(ReceivingException.id)
            .where(
                ReceivingException.parcel_id == parcel_id,
                ReceivingException.kind.in_([str(k) for k in kinds]),
                ReceivingException.status.in_(OPEN_STATES),
            )
            .limit(1)
        )
        is not None
    )


def _audit(
    session: Session, ctx: Context, action: str, exception: ReceivingException, **change
) -> None:
    """Audits a change of the exception (`change`: its `before` and `after`, as `record`
    takes them), in the caller's transaction."""
    record(session, ctx, action, "exception", exception.id, store_id=exception.store_id, **change)


def _where_given(query, **values):
    """`query` narrowed to the exceptions whose columns hold the values given (None: any)."""
    for column, value in values.items():
        if value is not None:
            query = query.where(getattr(ReceivingException, column) == value)
    return query


def _resolve(session, ctx: Context, exception: ReceivingException, resolution: str, note: str):
    before = {"status": exception.status}
    exception.status = "resolved"
    exception.resolution = resolution
    exception.note = note
    exception.resolved_by = ctx.actor.label
    exception.resolved_at = ctx.now
    _audit(
        session,
        ctx,
        "exception.resolved",
        exception,
        before=before,
        after={"status": "resolved", "resolution": resolution, "note": note},
    )


def list_exceptions(
    session: Session,
    ctx: Context,
    *,
    status: str | None,
    limit: int,
    kind: str | None = None,
    parcel_id: uuid.UUID | None = None,
    return_id: uuid.UUID | None = None,
    after: dict | None = None,
) -> tuple[list[ReceivingException], dict | None]:
    """A page of the queue, oldest first (the longest-waiting parcel is handled first); the
    first page unless `after`, of any kind, parcel and return unless named."""
    query = select(ReceivingException).order_by(ReceivingException.id)
    if ctx.store_scope is not None:
        query = query.where(ReceivingException.store_id == ctx.store_scope)
    if status == "open":
        query = query.where(ReceivingException.status.in_(OPEN_STATES))
    elif status is not None:
        query = query.where(ReceivingException.status == status)
    query = _where_given(query, kind=kind, parcel_id=parcel_id, return_id=return_id)
    return keyset_page(session, query, ReceivingException.id, after=after, limit=limit)


def claim(session: Session, ctx: Context, exception_id: uuid.UUID) -> ReceivingException:
    """A supervisor takes an exception, so two people do not work the same parcel."""
    exception = _workable(session, ctx, exception_id, name_claimant=True)
    exception.status, exception.claimed_by, exception.claimed_at = (
        "claimed",
        ctx.actor.label,
        ctx.now,
    )
    _audit(session, ctx, "exception.claimed", exception, after={"claimed_by": ctx.actor.label})
    return exception


@dataclass(frozen=True)
class Resolving:
    """An exception a supervisor may resolve with the action they chose, locked, with what
    that action does and the returns it decides (locked too)."""

    exception: ReceivingException
    action: str
    effect: Effect
    returns: list[Return]


def start_resolution(
    session: Session,
    ctx: Context,
    exception_id: uuid.UUID,
    *,
    action: str,
    return_id: uuid.UUID | None = None,
) -> Resolving:
    """Checks a supervisor's action on an exception against its kind
    (`queue.rules.QUEUE_ACTIONS`) and its returns: any other action, or one on a return
    already decided, is refused (409) and changes nothing; a match names its return."""
    exception = _workable(session, ctx, exception_id)
    effect = resolution_effect(exception.kind, action)
    returns = _returns_decided_by(session, exception) if effect in _ON_RETURNS else []
    refusal = resolution_refusal(
        exception.kind,
        action,
        return_statuses=[r.status for r in returns],
        units_received=_units_of(session, returns),
    )
    if refusal is not None:
        raise Conflict(refusal, actions=list(legal_actions(exception.kind)))
    if effect == Effect.MATCH_PARCEL and (exception.parcel_id is None or return_id is None):
        raise InvalidInput({"return_id": ["Matching needs the return to match the parcel to."]})
    return Resolving(exception, action, effect, returns)


def settled_by_match(session: Session, resolving: Resolving, note: str) -> bool:
    """Whether matching the exception's parcel has resolved the exception itself (as it
    resolves every open exception of the parcel); if so, the supervisor's note is kept."""
    exception = resolving.exception
    session.refresh(exception)
    if exception.status != "resolved":
        return False
    exception.note = note
    return True


def finish_resolution(session: Session, ctx: Context, resolving: Resolving, note: str) -> None:
    """Resolves the exception with the supervisor's action and note, audited."""
    _resolve(session, ctx, resolving.exception, str(ACTIONS[resolving.action]), note)


#: Effects that act on the exception's return(s), which must still be undecided.
_ON_RETURNS = (Effect.ACCEPT_SHORTAGE, Effect.REJECT_RETURN)


def _returns_decided_by(session: Session, exception: ReceivingException) -> list[Return]:
    """The returns a resolution decides, locked: an empty parcel's are the returns it was
    closed for, any other exception's its own return."""
    if exception.kind == ExceptionKind.EMPTY_PARCEL and exception.parcel_id is not None:
        ids = select(ParcelReturn.return_id).where(ParcelReturn.parcel_id == exception.parcel_id)
        query = select(Return).where(Return.id.in_(ids))
        if "returns" in exception.details:  # those undecided when the parcel was closed
            query = query.where(Return.rma_number.in_(exception.details["returns"]))
    elif exception.return_id is not None:
        query = select(Return).where(Return.id == exception.return_id)
    else:
        return []
    return list(session.scalars(query.order_by(Return.created_at).with_for_update()))


def _units_of(session: Session, returns: list[Return]) -> int:
    """How many units (of any reception status) the returns have received so far."""
    if not returns:
        return 0
    return session.scalar(
        select(func.count()).select_from(Unit).where(Unit.return_id.in_([r.id for r in returns]))
    )


def rejection_findings(resolving: Resolving, note: str) -> dict:
    """What the store is told of a return the supervisor rejected: the exception's evidence,
    the action and the note."""
    exception = resolving.exception
    reason = "empty_parcel" if exception.kind == ExceptionKind.EMPTY_PARCEL else exception.kind
    finding = {"reason": reason, "action": resolving.action, "note": note, **exception.details}
    return {"findings": [finding]}


def settle_rejected_return(session: Session, ctx: Context, ret: Return, note: str) -> None:
    """A rejected return's other open shortages and empty parcels are settled with it:
    nothing is left to decide on it."""
    session.flush()
    resolve_open(
        session,
        ctx,
        return_id=ret.id,
        kinds=(ExceptionKind.SHORT, ExceptionKind.EMPTY_PARCEL),
        resolution=str(ACTIONS["reject"]),
        note=f"the return was rejected: {note}",
    )


def accept_shortage(session: Session, ctx: Context, ret: Return, note: str) -> bool:
    """The return goes on with what arrived: once no shortage is left open it counts as
    received. Answers whether it does now (its inspection, if done, then decides it)."""
    still_short = session.scalar(
        select(ReceivingException.id)
        .where(
            ReceivingException.return_id == ret.id,
            ReceivingException.kind == ExceptionKind.SHORT,
            ReceivingException.status.in_(OPEN_STATES),
        )
        .limit(1)
    )
    if still_short is not None:
        return False
    before = {"status": ret.status, "reception_status": ret.reception_status}
    received = status_after_receipt(ReturnStatus(ret.status), ReturnStatus.RECEIVED)
    ret.status = ret.reception_status = received.value
    ret.updated_at = ctx.now
    record_return(
        session,
        ctx,
        "return.shortage_accepted",
        ret,
        before=before,
        after={"status": ret.status, "note": note},
    )
    return True


def for_unit(session: Session, unit_id: uuid.UUID) -> list[ReceivingException]:
    return list(
        session.scalars(
            select(ReceivingException)
            .where(ReceivingException.unit_id == unit_id)
            .order_by(ReceivingException.id)
        )
    )


def _get(session: Session, exception_id: uuid.UUID) -> ReceivingException:
    exception = session.scalar(
        select(ReceivingException).where(ReceivingException.id == exception_id).with_for_update()
    )
    if exception is None:
        raise NotFound("No such exception.")
    return exception


def _workable(
    session: Session, ctx: Context, exception_id: uuid.UUID, *, name_claimant: bool = False
) -> ReceivingException:
    """The exception, locked, if this person may work it now (`queue.rules.handling_refusal`);
    else a 409, naming who claimed it when `name_claimant`."""
    exception = _get(session, exception_id)
    refusal = handling_refusal(exception.status, exception.claimed_by, ctx.actor.label)
    if refusal is not None:
        claimant = exception.status == "claimed" and name_claimant
        extra = {"claimed_by": exception.claimed_by} if claimant else {}
        raise Conflict(refusal, **extra)
    return exception


def exception_brief(exception: ReceivingException) -> dict:
    return {
        "id": str(exception.id),
        "kind": exception.kind,
        "status": exception.status,
        "parcel_id": str(exception.parcel_id) if exception.parcel_id else None,
        "return_id": str(exception.return_id) if exception.return_id else None,
        "return_line_id": str(exception.return_line_id) if exception.return_line_id else None,
        "store_id": str(exception.store_id) if exception.store_id else None,
        "details": exception.details,
        "created_at": exception.created_at.isoformat(),
        "claimed_by": exception.claimed_by,
        "resolved_by": exception.resolved_by,
        "resolution": exception.resolution,
        "note": exception.note,
        "actions": list(legal_actions(exception.kind)) if exception.status != "resolved" else [],
    }
