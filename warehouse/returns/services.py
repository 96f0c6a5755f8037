"""Return requests as their store announces them: create, register tracking, cancel; the
deadline sweep; a supervisor's decision override.

Each function takes the session and a `Context`, enforces tenancy (a store only ever finds
its own returns; anything else is "not found"), writes an audit row for every change, and
leaves the commit to the caller (a `warehouse.flow` step). Reads are in `queries.py`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import codes
from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.errors import Conflict, InvalidInput
from warehouse.events.outbox import append_event
from warehouse.events.types import EventType
from warehouse.idempotency.rules import key_problem
from warehouse.receiving.models import ParcelReturn
from warehouse.returns import rules
from warehouse.returns.models import IdempotencyKey, Return, ReturnIdentifier, ReturnLine
from warehouse.returns.queries import load_return
from warehouse.returns.rules import (
    AWAITING_DECISION,
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
        earlier = _earlier_return(session, store_id, idempotency_key, body_fingerprint)
        if earlier is not None:
            return Created(earlier, replayed=True)
    _check_new_return(session, store_id, data)
    ret = _new_return(session, ctx, store_id, data)
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
    _record(
        session,
        ctx,
        "return.created",
        ret,
        after={
            "rma_number": ret.rma_number,
            "external_id": ret.external_id,
            "lines": len(ret.lines),
            "total_amount": ret.total_amount,
        },
    )
    return Created(ret, replayed=False)


def _earlier_return(
    session: Session, store_id: uuid.UUID, key: str, body_fingerprint: str | None
) -> Return | None:
    """The return an earlier create with this key made (None: the key is new); the same key
    with another body is a conflict."""
    if problem := key_problem(key):
        raise InvalidInput({"Idempotency-Key": [problem]})
    earlier = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.store_id == store_id, IdempotencyKey.key == key)
    )
    if earlier is None:
        return None
    if earlier.request_fingerprint != body_fingerprint:
        raise Conflict("This Idempotency-Key was used with another body.")
    return load_return(session, earlier.return_id, store_id)


def _check_new_return(session: Session, store_id: uuid.UUID, data: dict) -> None:
    """Refuses a return whose tracking number is unusable or another buyer's, or whose
    external_id the store has used already."""
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


def _new_return(session: Session, ctx: Context, store_id: uuid.UUID, data: dict) -> Return:
    """The return and its lines as written, with the identifiers its parcel may scan by."""
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
    return ret


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
        _record(
            session, ctx, "return.deadline_passed", ret, after={"due_at": ret.due_at.isoformat()}
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
    ret = load_return(session, return_id, ctx.store_scope, for_update=True)
    before = {"status": ret.status, "carrier": ret.carrier, "tracking_number": ret.tracking_number}
    _check_tracking_number(tracking_number)
    ret.status = _transition(rules.status_after_tracking, ret.status)
    _check_one_buyer_per_parcel(session, ret.store_id, ret.buyer_id, tracking_number, ret.id)
    ret.carrier = carrier
    ret.tracking_number = tracking_number
    ret.updated_at = ctx.now
    _add_identifiers(session, ret, ctx, [("tracking", tracking_number)])
    _record(
        session,
        ctx,
        "return.tracking_registered",
        ret,
        before=before,
        after={"status": ret.status, "carrier": carrier, "tracking_number": tracking_number},
    )
    return ret


def cancel_return(session: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    """Cancels a return before any parcel arrives; parcel matching stops expecting it."""
    ret = load_return(session, return_id, ctx.store_scope, for_update=True)
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
    _record(session, ctx, "return.cancelled", ret, before=before, after={"status": ret.status})
    return ret


def record_decision_override(
    session: Session, ctx: Context, return_id: uuid.UUID, *, decision: str, reason: str
) -> Return:
    """A supervisor overrides the inspection's verdict (refund despite rejection flags): the
    return, locked, with the override on its record. Only an inspected or rejected return
    is overridden; the flow then decides its refund again."""
    ret = load_return(session, return_id, ctx.store_scope, for_update=True)
    if ret.status not in (ReturnStatus.INSPECTED, ReturnStatus.REJECTED):
        raise Conflict(
            f"The return is {ret.status}: only an inspected or rejected return is overridden.",
            return_status=ret.status,
        )
    _record(
        session,
        ctx,
        "return.decision_overridden",
        ret,
        before={"status": ret.status},
        after={"decision": decision, "reason": reason},
    )
    return ret


def _record(session: Session, ctx: Context, action: str, ret: Return, **change) -> None:
    """The audit row of `action` on `ret`, under its store; `change`: its `before`, `after`."""
    record(session, ctx, action, "return", ret.id, store_id=ret.store_id, **change)


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
