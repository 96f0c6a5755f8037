"""Refund use cases: request (express or after inspection), confirm, fail and retry.

Each request writes the refund, its unit slots (unique: one refund per unit) and the
store's event in the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.audit.services import record_return
from warehouse.context import Context
from warehouse.errors import Conflict, InvalidInput
from warehouse.events.outbox import append_event
from warehouse.events.types import EventType
from warehouse.inspection.models import Inspection, UnitStatus
from warehouse.receiving.models import Unit
from warehouse.receiving.rules import COUNTS_AS_RECEIVED
from warehouse.refunds import rules
from warehouse.refunds.models import Refund, RefundUnit
from warehouse.returns.models import Return
from warehouse.returns.rules import ReturnStatus
from warehouse.stores.models import Store

#: A buyer with this many returns at one store within the window is flagged (恶意退货 signal).
FREQUENT_RETURNS = 5
FREQUENT_RETURNS_WINDOW = dt.timedelta(days=30)

REFUND_STATES = ("requested", "confirmed", "failed")


def line_terms(ret: Return) -> list[rules.LineTerms]:
    return [
        rules.LineTerms(line.id, line.line_id, line.quantity, line.unit_price) for line in ret.lines
    ]


def refunded_slots(session: Session, return_id: uuid.UUID) -> tuple[set, int]:
    """The (line, slot) pairs already refunded for a return, and the amount requested so far."""
    rows = session.execute(
        select(RefundUnit.return_line_id, RefundUnit.slot)
        .join(Refund, Refund.id == RefundUnit.refund_id)
        .where(Refund.return_id == return_id, Refund.kind == "refund")
    )
    slots = {(line, slot) for line, slot in rows}
    amount = session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.return_id == return_id, Refund.kind == "refund"
        )
    )
    return slots, int(amount or 0)


def buyer_flagged(session: Session, ret: Return, now: dt.datetime) -> bool:
    """Whether the buyer returns so often at this store that it should see each parcel."""
    count = session.scalar(
        select(func.count())
        .select_from(Return)
        .where(
            Return.store_id == ret.store_id,
            Return.buyer_id == ret.buyer_id,
            Return.created_at >= now - FREQUENT_RETURNS_WINDOW,
        )
    )
    return (count or 0) >= FREQUENT_RETURNS


def request_express(session: Session, ctx: Context, ret: Return) -> Refund | None:
    """At the parcel scan: requests the whole refund now when the store's policy allows."""
    if not ret.express_refund or ret.refund_status != "none":
        return None
    store = session.get_one(Store, ret.store_id)
    verdict = rules.express_verdict(
        requested=ret.express_refund,
        limit=store.express_refund_limit,
        total=ret.total_amount,
        buyer_flagged=buyer_flagged(session, ret, ctx.now),
        exchange=ret.exchange,
    )
    if not verdict.allowed:
        record_return(
            session, ctx, "refund.express_declined", ret, after={"reason": verdict.reason}
        )
        return None
    slots, _ = refunded_slots(session, ret.id)
    decision = rules.express_refund(line_terms(ret), slots)
    if decision.kind != rules.Kind.REFUND:
        return None
    return _request(session, ctx, ret, decision, rules.Mode.EXPRESS)


def request_decision(
    session: Session, ctx: Context, ret: Return, decision: rules.Decision, *, findings: dict
) -> Refund | None:
    """Sends the decision after inspection: a refund, an exchange, or a rejection."""
    if decision.kind == rules.Kind.REJECT:
        reject(session, ctx, ret, findings=findings)
        return None
    if decision.kind == rules.Kind.NOTHING:
        if ret.refund_status == "confirmed":
            _close(session, ctx, ret)
        else:
            ret.status = ReturnStatus.REFUND_REQUESTED
        return None
    return _request(session, ctx, ret, decision, rules.Mode.AFTER_INSPECTION, findings=findings)


def reject(session: Session, ctx: Context, ret: Return, *, findings: dict) -> None:
    """Tells the store the return is rejected, with what was found."""
    before = {"status": ret.status}
    ret.status = ReturnStatus.REJECTED
    ret.updated_at = ctx.now
    append_event(session, ctx, ret, EventType.RETURN_REJECTED, **findings)
    record_return(
        session,
        ctx,
        "return.rejected",
        ret,
        before=before,
        after={"status": ret.status, **findings},
    )


def _request(
    session,
    ctx,
    ret: Return,
    decision: rules.Decision,
    mode: rules.Mode,
    findings: dict | None = None,
) -> Refund:
    kind = "exchange" if decision.kind == rules.Kind.EXCHANGE else "refund"
    refund = Refund(
        id=uuid.uuid4(),
        return_id=ret.id,
        store_id=ret.store_id,
        kind=kind,
        mode=str(mode),
        status="requested",
        amount=decision.amount if kind == "refund" else 0,
        currency=ret.currency,
        lines=[line.to_event() for line in decision.lines],
        requested_at=ctx.now,
        retries=0,
    )
    session.add(refund)
    for line in decision.lines:
        units = line.unit_ids or (None,) * len(line.slots)
        for slot, unit_id in zip(line.slots, units, strict=True):
            session.add(
                RefundUnit(
                    refund_id=refund.id,
                    return_line_id=line.return_line_id,
                    slot=slot,
                    unit_id=unit_id,
                )
            )
    before = {"status": ret.status, "refund_status": ret.refund_status}
    if kind == "refund":
        ret.refund_status = "requested"
        if mode == rules.Mode.AFTER_INSPECTION:
            ret.status = ReturnStatus.REFUND_REQUESTED
        event_type = EventType.RETURN_REFUND_REQUESTED
        payload = {
            "refund_request_id": str(refund.id),
            "mode": str(mode),
            "amount": refund.amount,
            "currency": ret.currency,
            "lines": refund.lines,
        }
    else:
        ret.status = ReturnStatus.EXCHANGE_REQUESTED
        event_type = EventType.RETURN_EXCHANGE_REQUESTED
        payload = {"exchange_request_id": str(refund.id), "lines": refund.lines}
    if findings:
        payload.update(findings)
    ret.updated_at = ctx.now
    session.flush()  # the unique (line, slot) key fails here, before any event is written
    append_event(session, ctx, ret, event_type, **payload)
    record_return(
        session,
        ctx,
        f"{kind}.requested",
        ret,
        before=before,
        after={
            "status": ret.status,
            "mode": str(mode),
            "amount": refund.amount,
            "lines": refund.lines,
        },
    )
    return refund


def confirm(
    session: Session, ctx: Context, ret: Return, *, store_refund_id: str, amount: int
) -> Return:
    """The store has refunded: records it and, once inspection has decided, closes the return."""
    refund = _open_refund(session, ret)
    if amount > refund.amount:
        raise InvalidInput({"amount": [f"More than the {refund.amount} requested."]})
    before = {"status": ret.status, "refund_status": ret.refund_status}
    refund.status, refund.confirmed_at = "confirmed", ctx.now
    refund.store_refund_id, refund.confirmed_amount = store_refund_id, amount
    ret.refund_status = "confirmed"
    ret.refund_id, ret.refund_amount, ret.refund_confirmed_at = store_refund_id, amount, ctx.now
    ret.updated_at = ctx.now
    record_return(
        session,
        ctx,
        "refund.confirmed",
        ret,
        before=before,
        after={"refund_id": store_refund_id, "amount": amount},
    )
    if ret.status == ReturnStatus.REFUND_REQUESTED:
        _close(session, ctx, ret)
    return ret


def report_failure(session: Session, ctx: Context, ret: Return, *, reason: str) -> Return:
    """The store could not refund (a platform error, a closed account): kept for a retry."""
    refund = _open_refund(session, ret)
    refund.status, refund.failed_at, refund.failure_reason = "failed", ctx.now, reason
    ret.refund_status = "failed"
    ret.updated_at = ctx.now
    record_return(session, ctx, "refund.failed", ret, after={"reason": reason})
    return ret


def retry(session: Session, ctx: Context, ret: Return) -> Refund:
    """Asks the store again for a refund it reported as failed: the same request, resent."""
    refund = session.scalar(
        select(Refund)
        .where(Refund.return_id == ret.id, Refund.status == "failed")
        .order_by(Refund.requested_at.desc())
        .limit(1)
    )
    if refund is None:
        raise Conflict("No failed refund to retry.")
    refund.status, refund.retries = "requested", refund.retries + 1
    ret.refund_status = "requested"
    append_event(
        session,
        ctx,
        ret,
        EventType.RETURN_REFUND_REQUESTED,
        refund_request_id=str(refund.id),
        mode=refund.mode,
        amount=refund.amount,
        currency=refund.currency,
        lines=refund.lines,
        retry=refund.retries,
    )
    record_return(session, ctx, "refund.retried", ret, after={"retry": refund.retries})
    return refund


def refunds_of(session: Session, return_id: uuid.UUID) -> list[Refund]:
    return list(
        session.scalars(
            select(Refund).where(Refund.return_id == return_id).order_by(Refund.requested_at)
        )
    )


def _open_refund(session: Session, ret: Return) -> Refund:
    refund = session.scalar(
        select(Refund)
        .where(
            Refund.return_id == ret.id,
            Refund.kind == "refund",
            Refund.status.in_(("requested", "failed")),
        )
        .order_by(Refund.requested_at.desc())
        .limit(1)
        .with_for_update()
    )
    if refund is None:
        raise Conflict(
            f"The return is {ret.status}: no refund has been requested.", return_status=ret.status
        )
    return refund


def _close(session: Session, ctx: Context, ret: Return) -> None:
    before = {"status": ret.status}
    ret.status = ReturnStatus.CLOSED
    ret.closed_at = ret.updated_at = ctx.now
    append_event(
        session,
        ctx,
        ret,
        EventType.RETURN_CLOSED,
        refund_id=ret.refund_id,
        amount=ret.refund_amount,
        currency=ret.currency,
    )
    record_return(session, ctx, "return.closed", ret, before=before, after={"status": ret.status})


def findings_of(session: Session, ret: Return) -> list[rules.UnitFinding]:
    """Each received unit of the return with its latest inspection, and its slot on its line."""
    rows = session.execute(
        select(Unit, Inspection)
        .join(UnitStatus, UnitStatus.unit_id == Unit.id)
        .join(Inspection, Inspection.id == UnitStatus.inspection_id)
        .where(Unit.return_id == ret.id, Unit.reception_status != "extra")
        .order_by(Unit.created_at, Unit.lpn)
    ).all()
    slots: dict[uuid.UUID, int] = {}
    findings = []
    for unit, inspection in rows:
        slot = None
        if unit.return_line_id is not None and unit.reception_status in COUNTS_AS_RECEIVED:
            slot = slots.get(unit.return_line_id, 0)
            slots[unit.return_line_id] = slot + 1
        findings.append(
            rules.UnitFinding(
                unit_id=unit.id,
                lpn=unit.lpn,
                line=unit.return_line_id,
                slot=slot,
                deduction=inspection.deduction_amount or 0,
                deduction_reason=inspection.deduction_reason or None,
                reject_reason=(inspection.reject_reason or "rejected")
                if inspection.reject
                else None,
                grade=inspection.grade,
                photos=tuple(f"/api/v1/photos/{p}" for p in inspection.photo_ids or ()),
            )
        )
    return findings


@dataclasses.dataclass(frozen=True)
class Decided:
    """What the refund decision after inspection did: the decision sent to the store, and
    the findings against units an express refund had already paid for (for the store to act
    on as exceptions, never as a second refund)."""

    decision: rules.Decision
    found_after_refund: list[rules.UnitFinding]


def decide_after_inspection(
    session: Session, ctx: Context, ret: Return, *, override_rejections: bool = False
) -> Decided:
    """Once every received unit is inspected: refund, exchange or reject, and tell the store.

    Units an express refund already covered are not refunded again; the bad findings on
    them are answered, for the caller to open exceptions with.
    """
    findings = findings_of(session, ret)
    if override_rejections:
        findings = [dataclasses.replace(f, reject_reason=None) for f in findings]
    refunded, already = refunded_slots(session, ret.id)
    decision = rules.after_inspection(
        exchange=ret.exchange,
        lines=line_terms(ret),
        findings=findings,
        refunded=refunded,
        already_refunded_amount=already,
    )
    report = (
        {"findings": [_finding_report(f) for f in decision.rejected]} if decision.rejected else {}
    )
    request_decision(session, ctx, ret, decision, findings=report)
    return Decided(decision, rules.found_after_refund(findings, refunded))


def _finding_report(finding: rules.UnitFinding) -> dict:
    return {
        "lpn": finding.lpn,
        "reason": finding.reject_reason,
        "grade": finding.grade,
        "photos": list(finding.photos),
    }


def finding_after_refund(ret: Return, finding: rules.UnitFinding) -> dict:
    """A finding against a unit already refunded, as the queue's exception for it keeps it:
    the unit, its line and its return, with the evidence."""
    return {
        "return_id": ret.id,
        "unit_id": finding.unit_id,
        "return_line_id": finding.line,
        "store_id": ret.store_id,
        "details": {
            "lpn": finding.lpn,
            "reason": finding.reject_reason,
            "deduction": finding.deduction,
            "deduction_reason": finding.deduction_reason,
            "grade": finding.grade,
            "photos": list(finding.photos),
        },
    }
