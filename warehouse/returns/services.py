"""Return-request use cases: create, read, list, register tracking, cancel, confirm refund.

Each function takes the session and a `Context`, enforces tenancy (a store only ever finds
its own returns; anything else is "not found"), writes an audit row for every change, and
leaves the commit to `transaction()` in the caller.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from scanners import codes
from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.errors import Conflict, InvalidInput, NotFound
from warehouse.events.outbox import append_event
from warehouse.events.types import EventType
from warehouse.idempotency.rules import key_problem
from warehouse.receiving.models import ParcelReturn
from warehouse.returns import rules
from warehouse.returns.models import IdempotencyKey, Return, ReturnIdentifier, ReturnLine
from warehouse.returns.rules import (
    ReturnStatus,
    TransitionRefused,
    identifier_key,
    identifier_variants,
    tracking_unscannable,
)


@dataclass(frozen=True)
class Created:
    """The return a create call answers, and whether an earlier call had created it."""

    ret: Return
    replayed: bool


def fingerprint(body: object) -> str:
    """The same JSON body, whatever its key order or spacing, gives the same fingerprint."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_return(
    session: Session,
    ctx: Context,
    data: dict,
    *,
    idempotency_key: str | None = None,
    body_fingerprint: str | None = None,
) -> Created:
    """Creates a return for the calling store and issues its RMA number.

    With an `Idempotency-Key`, the same key and body answer the return made the first time;
    the same key with another body is a conflict.
    """
    store_id = ctx.store_scope
    if store_id is None:
        raise Conflict("Only a store system creates returns.")
    if idempotency_key is not None:
        problem = key_problem(idempotency_key)
        if problem:
            raise InvalidInput({"Idempotency-Key": [problem]})
        earlier = session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.store_id == store_id, IdempotencyKey.key == idempotency_key
            )
        )
        if earlier is not None:
            if earlier.request_fingerprint != body_fingerprint:
                raise Conflict("This Idempotency-Key was used with another body.")
            return Created(_load(session, earlier.return_id, store_id), replayed=True)

    if data.get("tracking_number"):
        _check_tracking_number(data["tracking_number"])
        _check_one_buyer_per_parcel(
            session, store_id, data["buyer"]["id"], data["tracking_number"], None
        )
    duplicate = session.scalar(
        select(Return.id).where(
            Return.store_id == store_id, Return.external_id == data["external_id"]
        )
    )
    if duplicate is not None:
        raise Conflict(
            f"The store already has a return with external_id {data['external_id']!r}.",
            return_id=str(duplicate),
        )

    ret = Return(
        store_id=store_id,
        rma_number=_unused_rma_number(session),
        external_id=data["external_id"],
        order_id=data["order_id"],
        reason=str(data["reason"]),
        reason_detail=data.get("reason_detail"),
        buyer_id=data["buyer"]["id"],
        buyer_name=data["buyer"].get("name"),
        buyer_phone=data["buyer"].get("phone"),
        express_refund=data["express_refund"],
        exchange=data["exchange"],
        carrier=data.get("carrier"),
        tracking_number=data.get("tracking_number"),
        currency=data["currency"],
        store_metadata=data["metadata"],
        status=(
            ReturnStatus.IN_TRANSIT if data.get("tracking_number") else ReturnStatus.AWAITING_PARCEL
        ),
        created_at=ctx.now,
        updated_at=ctx.now,
        lines=[
            ReturnLine(
                position=position,
                line_id=line["line_id"],
                sku=line["sku"],
                gtin=line.get("gtin"),
                title=line["title"],
                category=line["category"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                serial_numbers=line["serial_numbers"],
            )
            for position, line in enumerate(data["lines"])
        ],
    )
    session.add(ret)
    session.flush()
    _add_identifiers(
        session,
        ret,
        ctx,
        [("rma", ret.rma_number), ("order", ret.order_id), ("external", ret.external_id)]
        + ([("tracking", ret.tracking_number)] if ret.tracking_number else []),
        new=True,
    )
    if idempotency_key is not None:
        session.add(
            IdempotencyKey(
                store_id=store_id,
                key=idempotency_key,
                request_fingerprint=body_fingerprint or "",
                return_id=ret.id,
                created_at=ctx.now,
            )
        )
    record(
        session,
        ctx,
        "return.created",
        "return",
        ret.id,
        store_id=store_id,
        after={
            "rma_number": ret.rma_number,
            "external_id": ret.external_id,
            "lines": len(ret.lines),
            "total_amount": ret.total_amount,
        },
    )
    return Created(ret, replayed=False)


def get_return(session: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    """The return, if the caller may see it; another store's return is not found."""
    return _load(session, return_id, ctx.store_scope)


def get_return_detail(session: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    """The return with what has happened to it so far: its parcels, its units and the events
    its store was sent (contract: GET /returns/{id})."""
    from warehouse.events.models import Event
    from warehouse.events.outbox import as_message
    from warehouse.inspection.units import states_of
    from warehouse.receiving.models import Parcel, ParcelReturn, Unit

    ret = _load(session, return_id, ctx.store_scope)
    parcels = session.scalars(
        select(Parcel)
        .join(ParcelReturn, ParcelReturn.parcel_id == Parcel.id)
        .where(ParcelReturn.return_id == ret.id)
        .order_by(Parcel.created_at)
    )
    ret.parcels_so_far = [
        {
            "id": str(p.id),
            "code": p.code,
            "status": p.match_status,
            "state": p.state,
            "scanned_at": p.scanned_at.isoformat(),
            "closed_at": p.closed_at.isoformat() if p.closed_at else None,
        }
        for p in parcels
    ]
    units = list(
        session.scalars(select(Unit).where(Unit.return_id == ret.id).order_by(Unit.created_at))
    )
    states = states_of(session, [u.id for u in units])
    ret.units_so_far = [
        {
            "lpn": u.lpn,
            "return_line_id": str(u.return_line_id) if u.return_line_id else None,
            "status": states[u.id].value,
            "reception_status": u.reception_status,
            "sku": u.sku,
            "serial": u.serial,
            "received_at": u.created_at.isoformat(),
        }
        for u in units
    ]
    events = session.scalars(
        select(Event).where(Event.return_id == ret.id).order_by(Event.sequence)
    )
    ret.events_so_far = [as_message(event) for event in events]
    return ret


def list_returns(
    session: Session,
    ctx: Context,
    *,
    status: ReturnStatus | None,
    external_id: str | None,
    limit: int,
    after: dict | None,
) -> tuple[list[Return], dict | None]:
    """A page of returns, newest first, and the position after it (None on the last page)."""
    query = select(Return).options(selectinload(Return.lines)).order_by(Return.id.desc())
    if ctx.store_scope is not None:
        query = query.where(Return.store_id == ctx.store_scope)
    if status is not None:
        query = query.where(Return.status == status)
    if external_id is not None:
        query = query.where(Return.external_id == external_id)
    if after is not None:
        try:
            query = query.where(Return.id < uuid.UUID(str(after.get("id"))))
        except ValueError:
            raise InvalidInput({"cursor": ["Not a cursor this API issued."]}) from None
    rows = list(session.scalars(query.limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    return page, ({"id": str(page[-1].id)} if more else None)


#: Statuses in which the store still owes a decision on a received return.
AWAITING_DECISION = (
    ReturnStatus.PARTIALLY_RECEIVED,
    ReturnStatus.RECEIVED,
    ReturnStatus.INSPECTED,
)


def list_due(
    session: Session, ctx: Context, *, within_hours: int, limit: int, after: dict | None
) -> tuple[list[Return], dict | None]:
    """Received, undecided returns due within `within_hours` (or past due), soonest first."""
    horizon = ctx.now + dt.timedelta(hours=within_hours)
    query = (
        select(Return)
        .options(selectinload(Return.lines))
        .where(
            Return.due_at.is_not(None),
            Return.due_at <= horizon,
            Return.status.in_([str(s) for s in AWAITING_DECISION]),
        )
        .order_by(Return.due_at, Return.id)
    )
    if ctx.store_scope is not None:
        query = query.where(Return.store_id == ctx.store_scope)
    if after is not None:
        try:
            due = dt.datetime.fromisoformat(str(after["due_at"]))
            last = uuid.UUID(str(after["id"]))
        except (KeyError, ValueError):
            raise InvalidInput({"cursor": ["Not a cursor this API issued."]}) from None
        query = query.where(or_(Return.due_at > due, and_(Return.due_at == due, Return.id > last)))
    rows = list(session.scalars(query.limit(limit + 1)))
    page = rows[:limit]
    more = len(rows) > limit
    return page, ({"due_at": page[-1].due_at.isoformat(), "id": str(page[-1].id)} if more else None)


def flag_passed_deadlines(session: Session, ctx: Context, *, batch: int = 200) -> int:
    """Tells each store, once, of its received returns whose decision deadline has passed
    (platforms auto-refund then); answers how many were flagged."""
    due = list(
        session.scalars(
            select(Return)
            .where(
                Return.due_at <= ctx.now,
                Return.deadline_passed_at.is_(None),
                Return.status.in_([str(s) for s in AWAITING_DECISION]),
            )
            .order_by(Return.due_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )
    for ret in due:
        ret.deadline_passed_at = ctx.now
        append_event(
            session, ctx, ret, EventType.RETURN_DEADLINE_PASSED, due_at=ret.due_at.isoformat()
        )
        record(
            session,
            ctx,
            "return.deadline_passed",
            "return",
            ret.id,
            store_id=ret.store_id,
            after={"due_at": ret.due_at.isoformat()},
        )
    return len(due)


def register_tracking(
    session: Session,
    ctx: Context,
    return_id: uuid.UUID,
    *,
    carrier: str | None,
    tracking_number: str,
) -> Return:
    """Records the carrier and tracking number the buyer registered (物流单号登记).

    Earlier numbers stay known to parcel matching: a buyer who corrects a typo may still
    have shipped under the first number.
    """
    ret = _load(session, return_id, ctx.store_scope, for_update=True)
    before = {"status": ret.status, "carrier": ret.carrier, "tracking_number": ret.tracking_number}
    _check_tracking_number(tracking_number)
    ret.status = _transition(rules.status_after_tracking, ret.status)
    _check_one_buyer_per_parcel(session, ret.store_id, ret.buyer_id, tracking_number, ret.id)
    ret.carrier = carrier
    ret.tracking_number = tracking_number
    ret.updated_at = ctx.now
    _add_identifiers(session, ret, ctx, [("tracking", tracking_number)])
    record(
        session,
        ctx,
        "return.tracking_registered",
        "return",
        ret.id,
        store_id=ret.store_id,
        before=before,
        after={"status": ret.status, "carrier": carrier, "tracking_number": tracking_number},
    )
    return ret


def cancel_return(session: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    """Cancels a return before any parcel arrives; parcel matching stops expecting it."""
    ret = _load(session, return_id, ctx.store_scope, for_update=True)
    before = {"status": ret.status}
    parcel_received = (
        session.scalar(select(ParcelReturn.id).where(ParcelReturn.return_id == ret.id).limit(1))
        is not None
    )
    ret.status = _transition(
        functools.partial(rules.status_after_cancel, parcel_received=parcel_received), ret.status
    )
    ret.cancelled_at = ret.updated_at = ctx.now
    append_event(session, ctx, ret, EventType.RETURN_CANCELLED)
    record(
        session,
        ctx,
        "return.cancelled",
        "return",
        ret.id,
        store_id=ret.store_id,
        before=before,
        after={"status": ret.status},
    )
    return ret


def confirm_refund(
    session: Session, ctx: Context, return_id: uuid.UUID, *, refund_id: str, amount: int
) -> Return:
    """The store has refunded the buyer: records its refund and closes the return."""
    from warehouse.refunds import services as refunds

    ret = _load(session, return_id, ctx.store_scope, for_update=True)
    return refunds.confirm(session, ctx, ret, store_refund_id=refund_id, amount=amount)


def report_refund_failure(session: Session, ctx: Context, return_id: uuid.UUID, *, reason: str):
    """The store could not refund; the refund waits for a retry."""
    from warehouse.refunds import services as refunds

    ret = _load(session, return_id, ctx.store_scope, for_update=True)
    return refunds.report_failure(session, ctx, ret, reason=reason)


def retry_refund(session: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    """A supervisor sends a failed refund request to the store again."""
    from warehouse.refunds import services as refunds

    ret = _load(session, return_id, ctx.store_scope, for_update=True)
    refunds.retry(session, ctx, ret)
    return ret


def override_decision(
    session: Session, ctx: Context, return_id: uuid.UUID, *, decision: str, reason: str
) -> Return:
    """A supervisor overrides the inspection's verdict: refund despite rejection flags."""
    from warehouse.refunds import services as refunds

    ret = _load(session, return_id, ctx.store_scope, for_update=True)
    if ret.status not in (ReturnStatus.INSPECTED, ReturnStatus.REJECTED):
        raise Conflict(
            f"The return is {ret.status}: only an inspected or rejected return is overridden.",
            return_status=ret.status,
        )
    record(
        session,
        ctx,
        "return.decision_overridden",
        "return",
        ret.id,
        store_id=ret.store_id,
        before={"status": ret.status},
        after={"decision": decision, "reason": reason},
    )
    refunds.decide_after_inspection(session, ctx, ret, override_rejections=True)
    return ret


def _check_tracking_number(tracking_number: str) -> None:
    key = identifier_key(tracking_number)
    if not 4 <= len(key) <= 40 or not key.isascii() or not key.isalnum():
        raise InvalidInput({"tracking_number": ["4 to 40 letters and digits."]})
    if why := tracking_unscannable(tracking_number):
        raise InvalidInput({"tracking_number": [why]})


def _check_one_buyer_per_parcel(
    session: Session,
    store_id: uuid.UUID,
    buyer_id: str,
    tracking_number: str,
    return_id: uuid.UUID | None,
) -> None:
    """A parcel holds one buyer's returns: a tracking number already on an open return of the
    store for another buyer is refused (409), naming that return, or the parcel scan would
    open both and tell one of them "short" for items that were never in the box. Another
    store's returns are not looked at: a store learns nothing of them."""
    values = identifier_variants(identifier_key(tracking_number))
    query = (
        select(Return.id, Return.rma_number, Return.external_id)
        .join(ReturnIdentifier, ReturnIdentifier.return_id == Return.id)
        .where(
            ReturnIdentifier.store_id == store_id,
            ReturnIdentifier.kind == "tracking",
            ReturnIdentifier.value.in_(values),
            Return.store_id == store_id,
            Return.buyer_id != buyer_id,
            Return.status.not_in([str(s) for s in rules.FINISHED]),
        )
        .limit(1)
    )
    if return_id is not None:
        query = query.where(Return.id != return_id)
    other = session.execute(query).first()
    if other is not None:
        raise Conflict(
            f"Tracking number {tracking_number} is on return {other.rma_number} "
            f"(external_id {other.external_id}) of another buyer; one parcel holds one "
            "buyer's returns.",
            return_id=str(other.id),
            rma_number=other.rma_number,
            external_id=other.external_id,
        )


def _transition(rule, status: str) -> ReturnStatus:
    try:
        return rule(ReturnStatus(status))
    except TransitionRefused as refused:
        raise Conflict(str(refused), return_status=status) from None


def _load(
    session: Session,
    return_id: uuid.UUID,
    store_scope: uuid.UUID | None,
    *,
    for_update: bool = False,
) -> Return:
    query = select(Return).options(selectinload(Return.lines)).where(Return.id == return_id)
    if store_scope is not None:
        query = query.where(Return.store_id == store_scope)
    if for_update:
        query = query.with_for_update()
    ret = session.scalar(query)
    if ret is None:
        raise NotFound("No such return.")
    return ret


def _unused_rma_number(session: Session) -> str:
    # 32^8 numbers: a collision is a once-in-a-career event, but it must not become a 500.
    for _ in range(5):
        candidate = codes.new_rma_number()
        if session.scalar(select(Return.id).where(Return.rma_number == candidate)) is None:
            return candidate
    raise RuntimeError("could not draw an unused RMA number")


def _add_identifiers(
    session: Session, ret: Return, ctx: Context, pairs: list[tuple[str, str]], *, new: bool = False
) -> None:
    """Indexes the codes a parcel of `ret` may be scanned by, each (kind, value) once."""
    existing: set[tuple[str, str]] = set()
    if not new:
        rows = session.execute(
            select(ReturnIdentifier.kind, ReturnIdentifier.value).where(
                ReturnIdentifier.return_id == ret.id
            )
        )
        existing = {(kind, value) for kind, value in rows}
    for kind, text in pairs:
        key = identifier_key(text)
        for value in identifier_variants(key) if kind == "tracking" else [key]:
            if not value or (kind, value) in existing:
                continue
            existing.add((kind, value))
            session.add(
                ReturnIdentifier(
                    return_id=ret.id,
                    store_id=ret.store_id,
                    kind=kind,
                    value=value,
                    created_at=ctx.now,
                )
            )
