"""The exception queue (异常件): what check-in could not settle, for a person to resolve."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.problems import Conflict, InvalidInput, NotFound
from warehouse.receiving.models import Parcel, ReceivingException
from warehouse.receiving.rules import ExceptionKind
from warehouse.returns.models import ReturnLine


class Resolution(StrEnum):
    """What a supervisor decided. `matched` and `received_later` are also set by the system."""

    MATCH = "matched"
    ACCEPT = "accepted"
    REJECT = "rejected"
    RETURN_TO_BUYER = "returned_to_buyer"


#: Actions a person may choose, per the API's names.
ACTIONS = {
    "match": Resolution.MATCH,
    "accept": Resolution.ACCEPT,
    "reject": Resolution.REJECT,
    "return_to_buyer": Resolution.RETURN_TO_BUYER,
}
OPEN_STATES = ("open", "claimed")


def open_exception(
    session: Session,
    ctx: Context,
    kind: ExceptionKind,
    *,
    details: dict,
    parcel_id: uuid.UUID | None = None,
    return_id: uuid.UUID | None = None,
    return_line_id: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
    store_id: uuid.UUID | None = None,
) -> ReceivingException:
    """Queues an exception with its evidence, audited, in the caller's transaction."""
    exception = ReceivingException(
        kind=str(kind),
        status="open",
        parcel_id=parcel_id,
        return_id=return_id,
        return_line_id=return_line_id,
        unit_id=unit_id,
        store_id=store_id,
        details=details,
        created_at=ctx.now,
    )
    session.add(exception)
    session.flush()
    record(
        session,
        ctx,
        "exception.opened",
        "exception",
        exception.id,
        store_id=store_id,
        after={"kind": str(kind), **details},
    )
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
    return_line_id: uuid.UUID | None = None,
) -> None:
    """Closes the open exceptions that an event has settled (a match, a late receipt)."""
    query = select(ReceivingException).where(
        ReceivingException.status.in_(OPEN_STATES),
        ReceivingException.kind.in_([str(k) for k in kinds]),
    )
    if parcel_id is not None:
        query = query.where(ReceivingException.parcel_id == parcel_id)
    if return_line_id is not None:
        query = query.where(ReceivingException.return_line_id == return_line_id)
    for exception in session.scalars(query):
        _resolve(session, ctx, exception, resolution, note)


def _resolve(session, ctx: Context, exception: ReceivingException, resolution: str, note: str):
    before = {"status": exception.status}
    exception.status = "resolved"
    exception.resolution = resolution
    exception.note = note
    exception.resolved_by = ctx.actor.label
    exception.resolved_at = ctx.now
    record(
        session,
        ctx,
        "exception.resolved",
        "exception",
        exception.id,
        store_id=exception.store_id,
        before=before,
        after={"status": "resolved", "resolution": resolution, "note": note},
    )


def list_exceptions(
    session: Session,
    ctx: Context,
    *,
    status: str | None,
    kind: str | None,
    parcel_id: uuid.UUID | None,
    return_id: uuid.UUID | None,
    limit: int,
    after: dict | None,
) -> tuple[list[ReceivingException], dict | None]:
    """A page of the queue, oldest first (the longest-waiting parcel is handled first)."""
    query = select(ReceivingException).order_by(ReceivingException.id)
    if ctx.store_scope is not None:
        query = query.where(ReceivingException.store_id == ctx.store_scope)
    if status == "open":
        query = query.where(ReceivingException.status.in_(OPEN_STATES))
    elif status is not None:
        query = query.where(ReceivingException.status == status)
    if kind is not None:
        query = query.where(ReceivingException.kind == kind)
    if parcel_id is not None:
        query = query.where(ReceivingException.parcel_id == parcel_id)
    if return_id is not None:
        query = query.where(ReceivingException.return_id == return_id)
    if after is not None:
        try:
            query = query.where(ReceivingException.id > uuid.UUID(str(after.get("id"))))
        except ValueError:
            raise InvalidInput({"cursor": ["Not a cursor this API issued."]}) from None
    rows = list(session.scalars(query.limit(limit + 1)))
    page = rows[:limit]
    return page, ({"id": str(page[-1].id)} if len(rows) > limit else None)


def claim(session: Session, ctx: Context, exception_id: uuid.UUID) -> ReceivingException:
    """A supervisor takes an exception, so two people do not work the same parcel."""
    exception = _get(session, exception_id)
    if exception.status == "resolved":
        raise Conflict("The exception is resolved already.")
    if exception.status == "claimed" and exception.claimed_by != ctx.actor.label:
        raise Conflict(
            f"{exception.claimed_by} has claimed this exception.", claimed_by=exception.claimed_by
        )
    exception.status, exception.claimed_by, exception.claimed_at = (
        "claimed",
        ctx.actor.label,
        ctx.now,
    )
    record(
        session,
        ctx,
        "exception.claimed",
        "exception",
        exception.id,
        store_id=exception.store_id,
        after={"claimed_by": ctx.actor.label},
    )
    return exception


def resolve(
    session: Session,
    ctx: Context,
    exception_id: uuid.UUID,
    *,
    action: str,
    note: str,
    return_id: uuid.UUID | None = None,
) -> ReceivingException:
    """Settles an exception with an action and a note. `match` matches its parcel to a return."""
    exception = _get(session, exception_id)
    if exception.status == "resolved":
        raise Conflict("The exception is resolved already.")
    if exception.status == "claimed" and exception.claimed_by != ctx.actor.label:
        raise Conflict(f"{exception.claimed_by} has claimed this exception.")
    if action == "match":
        if exception.parcel_id is None or return_id is None:
            raise InvalidInput({"return_id": ["Matching needs the return to match the parcel to."]})
        from warehouse.receiving.services import match_parcel

        match_parcel(session, ctx, exception.parcel_id, return_id)
        session.refresh(exception)
        if exception.status == "resolved":
            exception.note = note
            return exception
    _resolve(session, ctx, exception, str(ACTIONS[action]), note)
    _consequences(session, ctx, exception, action, note)
    return exception


def _consequences(session, ctx: Context, exception: ReceivingException, action: str, note: str):
    """What a resolution means for the return beyond the queue.

    Rejecting an empty parcel rejects its return (the store is told, with the evidence);
    accepting a shortage lets the return go on with what arrived: once no shortage is left
    open it counts as received, and its inspection (if done) decides the refund.
    """
    if exception.return_id is None:
        return
    from warehouse.returns.models import Return

    ret = session.get(Return, exception.return_id, with_for_update=True)
    if action == "reject" and exception.kind == ExceptionKind.EMPTY_PARCEL:
        from warehouse.refunds.services import reject

        if ret.status not in ("rejected", "closed", "cancelled"):
            reject(
                session,
                ctx,
                ret,
                findings={
                    "findings": [{"reason": "empty_parcel", "note": note, **exception.details}]
                },
            )
    elif action == "accept" and exception.kind == ExceptionKind.SHORT:
        still_short = session.scalar(
            select(ReceivingException.id)
            .where(
                ReceivingException.return_id == ret.id,
                ReceivingException.kind == ExceptionKind.SHORT,
                ReceivingException.status.in_(OPEN_STATES),
            )
            .limit(1)
        )
        if still_short is None and ret.status == "partially_received":
            from warehouse.inspection.services import settle_return

            before = {"status": ret.status, "reception_status": ret.reception_status}
            ret.status = ret.reception_status = "received"
            ret.updated_at = ctx.now
            record(
                session,
                ctx,
                "return.shortage_accepted",
                "return",
                ret.id,
                store_id=ret.store_id,
                before=before,
                after={"status": ret.status, "note": note},
            )
            settle_return(session, ctx, ret, reinspection=False)


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
    }
