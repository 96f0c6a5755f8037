"""The floor's flow: one function per step, in the order a returned parcel meets them.

A return is announced by its store; its parcel is scanned at the dock and matched; each item
becomes a unit with an LPN; the parcel is closed; each unit is inspected, and once a return's
units are all inspected its refund is decided; each unit is restocked, refurbished or
scrapped; the store confirms the refund. What the floor cannot settle goes to the exception
queue for a supervisor.

Each step is one transaction (`step`): it calls the stage services in floor order and decides
what follows across stages (an express refund when a parcel is matched, the refund decision
once a return is fully inspected, the queue's exceptions a finding opens). Stage services
never call the next stage; they answer with what happened, and this module acts on it.
Views and pages call these functions and shape the answer; they never open a transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

import scanners
from scanners.guard import DEFAULT_WINDOW_MS, DoubleScanGuard
from warehouse.context import Context
from warehouse.db import unit_of_work
from warehouse.disposition import services as disposition
from warehouse.inspection import services as inspection
from warehouse.queue import services as queue
from warehouse.queue.rules import Effect, ExceptionKind
from warehouse.receiving import queries as receiving_queries
from warehouse.receiving import rules as receiving_rules
from warehouse.receiving import services as receiving
from warehouse.receiving.models import ReceivingException
from warehouse.refunds import services as refunds
from warehouse.returns import services as returns
from warehouse.returns.models import Return
from warehouse.returns.queries import load_return

step = unit_of_work
"""A floor step: one transaction, committed when the step returns, rolled back when it raises,
re-run once when a concurrent step won a unique-key race (two terminals creating the same
parcel), so the re-run answers from the winner's row."""


# --- a store announces a return ------------------------------------------------------------------

# Announcing touches only the return itself: each step is the returns stage's own change.
create_return = step(returns.create_return)
register_tracking = step(returns.register_tracking)
cancel_return = step(returns.cancel_return)


# --- receiving at the dock -----------------------------------------------------------------------


#: One double-scan guard for the process, shared by the API and the floor pages (by design:
#: a second process has its own, and the scans' scan_id idempotency stands behind it).
ITEM_GUARD = DoubleScanGuard(DEFAULT_WINDOW_MS)


@dataclass(frozen=True)
class ItemScanned:
    """What an item scan did: its answer, or none when the double-scan guard took it for the
    trigger held too long (`repeat`: nothing was received)."""

    answer: receiving.ScanAnswer | None

    @property
    def repeat(self) -> bool:
        return self.answer is None


@dataclass(frozen=True)
class ItemPageScanned:
    """What a scan on an open parcel's page did: an item scanned into it, or (an RMA slip
    scanned there) the next parcel scanned, `parcel` its answer."""

    item: ItemScanned | None = None
    parcel: receiving.ScanAnswer | None = None


def _scan_parcel(
    db: Session,
    ctx: Context,
    *,
    scan_id: uuid.UUID,
    code: str,
    weight_grams: int | None = None,
    scanned_at: dt.datetime | None = None,
) -> receiving.ScanAnswer:
    """A parcel scanned at the dock: matched to its return(s) and opened, or quarantined;
    the returns it was matched to just now get their express refund. A retried scan (its
    scan_id answered before) gets the answer it had."""
    found = receiving.look_up_parcel_code(db, scan_id=scan_id, code=code)
    if found.earlier is not None:
        return found.earlier
    scanned = receiving.scan_parcel(
        db, ctx, found, weight_grams=weight_grams, scanned_at=scanned_at
    )
    _refund_express_returns(db, ctx, scanned.matched)
    return receiving.parcel_scan_answer(db, ctx, scanned)


def _scan_item(
    db: Session,
    ctx: Context,
    parcel_id: uuid.UUID,
    *,
    scan_id: uuid.UUID,
    code: str,
    damaged: bool = False,
    scanned_at: dt.datetime | None = None,
    terminal: str | None = None,
) -> ItemScanned:
    """An item scanned out of an open parcel becomes a unit with its own LPN. A scan from
    `terminal` repeating its last code within the double-scan window (the trigger held too
    long) is ignored, unless its scan_id was answered before (a retry gets its answer); a
    scan without a terminal (queued scans the browser replays) is not held to the window."""
    found = receiving.look_up_item_scan(db, parcel_id, scan_id=scan_id, code=code)
    if found.earlier is not None:
        return ItemScanned(found.earlier)
    if terminal is not None and code and _is_repeat(terminal, code, scan_id):
        return ItemScanned(None)
    return ItemScanned(
        receiving.scan_item(
            db,
            ctx,
            found.parcel,
            scan_id=scan_id,
            code=code,
            damaged=damaged,
            scanned_at=scanned_at,
        )
    )


def _is_repeat(terminal: str, code: str, scan_id: uuid.UUID) -> bool:
    """Whether the process's guard takes `code` from `terminal` for a repeat (as the scanner
    reads it, so two reads of one label compare equal whatever noise the scanner added). The scan's
    own id is never its repeat: a step re-run after a unique-key race asks again."""
    return ITEM_GUARD.is_repeat(terminal, scanners.parse(code, context="item").value, scan_id)


# Each scan is a step of its own; an open parcel's page takes either (`scan_on_item_page`).
scan_parcel = step(_scan_parcel)
scan_item = step(_scan_item)


@step
def scan_on_item_page(
    db: Session,
    ctx: Context,
    parcel_id: uuid.UUID,
    *,
    scan_id: uuid.UUID,
    code: str,
    scanned_at: dt.datetime | None = None,
    terminal: str | None = None,
) -> ItemPageScanned:
    """A scan on an open parcel's page: an item (as `scan_item`), or an RMA slip, which
    starts the next parcel (`starts_next_parcel`) without closing this one."""
    scan = {"scan_id": scan_id, "code": code, "scanned_at": scanned_at}
    if starts_next_parcel(code):
        return ItemPageScanned(parcel=_scan_parcel(db, ctx, **scan))
    item = _scan_item(db, ctx, parcel_id, **scan, terminal=terminal)
    return ItemPageScanned(item=item)


def starts_next_parcel(code: str) -> bool:
    """Whether `code`, scanned where an item was expected, is the next parcel's RMA slip."""
    return bool(code) and receiving_rules.starts_next_parcel(scanners.parse(code, context="item"))


@step
def close_parcel(db: Session, ctx: Context, parcel_id: uuid.UUID) -> dict:
    """Receiving ends: short and empty become exceptions; each return's store is told."""
    return receiving.close_parcel(db, ctx, parcel_id)


@step
def match_parcel(db: Session, ctx: Context, parcel_id: uuid.UUID, return_id: uuid.UUID) -> dict:
    """A supervisor matches a parcel to its return by hand; its express refund follows."""
    matched = _match_parcel(db, ctx, parcel_id, return_id)
    db.refresh(matched.parcel)
    return {"parcel": receiving_queries.parcel_view(db, matched.parcel)}


def _match_parcel(
    db: Session, ctx: Context, parcel_id: uuid.UUID, return_id: uuid.UUID
) -> receiving.Matched:
    """Receiving's match, then what it sets off: the express refund of the return matched
    (a supervisor's match on the API and a queue resolution by match alike)."""
    matched = receiving.match_parcel(db, ctx, parcel_id, return_id)
    _refund_express_returns(db, ctx, matched.returns)
    return matched


# --- the exception queue -------------------------------------------------------------------------


@step
def claim_exception(db: Session, ctx: Context, exception_id: uuid.UUID) -> ReceivingException:
    """A supervisor takes an exception, so two people do not work the same parcel."""
    return queue.claim(db, ctx, exception_id)


@step
def resolve_exception(
    db: Session,
    ctx: Context,
    exception_id: uuid.UUID,
    *,
    action: str,
    note: str,
    return_id: uuid.UUID | None = None,
) -> ReceivingException:
    """A supervisor settles an exception with one of its kind's actions and a note, and what
    the action means follows: a match receives the parcel on the return named, a rejection
    tells the store, an accepted shortage lets the return count as received and be decided
    once inspected; the other actions are only recorded."""
    resolving = queue.start_resolution(db, ctx, exception_id, action=action, return_id=return_id)
    exception = resolving.exception
    if resolving.effect == Effect.MATCH_PARCEL:
        _match_parcel(db, ctx, exception.parcel_id, return_id)
        if queue.settled_by_match(db, resolving, note):
            return exception
    queue.finish_resolution(db, ctx, resolving, note)
    if resolving.effect == Effect.REJECT_RETURN:
        for ret in resolving.returns:
            refunds.reject(db, ctx, ret, findings=queue.rejection_findings(resolving, note))
            queue.settle_rejected_return(db, ctx, ret, note)
    elif resolving.effect == Effect.ACCEPT_SHORTAGE:
        ret = resolving.returns[0]
        if queue.accept_shortage(db, ctx, ret, note):
            _settle_inspection(db, ctx, ret)
    return exception


# --- inspection ----------------------------------------------------------------------------------


@step
def inspect_unit(db: Session, ctx: Context, lpn: str, **filled) -> dict:
    """An inspector fills a unit's checklist (`filled`: the answers, photos and notes, as
    `inspection.services.inspect_unit` takes them; a supervisor may re-inspect); the first
    time this makes its return fully inspected, the return's refund is decided. Answers the
    inspection as the API shows it."""
    done = inspection.inspect_unit(db, ctx, lpn, **filled)
    if done.fully_inspected:
        _decide_refund(db, ctx, done.ret)
    return done.view


def _settle_inspection(db: Session, ctx: Context, ret: Return) -> None:
    """A return that now counts as received may be fully inspected already: if so, it is
    reported inspected and its refund decided."""
    if inspection.settle_return(db, ctx, ret, reinspection=False):
        _decide_refund(db, ctx, ret)


def _decide_refund(
    db: Session, ctx: Context, ret: Return, *, override_rejections: bool = False
) -> None:
    """Refund, exchange or reject a fully inspected return, and tell the store; what
    inspection found wrong with a unit an express refund had already paid for goes to the
    queue, for the store to act on."""
    decided = refunds.decide_after_inspection(db, ctx, ret, override_rejections=override_rejections)
    for finding in decided.found_after_refund:
        evidence = refunds.finding_after_refund(ret, finding)
        queue.open_exception(db, ctx, ExceptionKind.FINDING_AFTER_REFUND, **evidence)


# --- disposition and refurbishment ---------------------------------------------------------------

# Routing a unit and working its refurbishment touch only the disposition stage (and tell the
# store): each step is that stage's own change.
dispose_unit = step(disposition.dispose)
move_unit = step(disposition.move_unit)
complete_refurbishment = step(disposition.complete_refurbishment)


# --- refunds -------------------------------------------------------------------------------------


def _refund_express_returns(db: Session, ctx: Context, returns: Iterable[Return]) -> None:
    """极速退款: once a parcel is matched to a return whose store lets the refund go before
    inspection, the refund is requested now (a scan's match and a supervisor's alike)."""
    for ret in returns:
        if ret.express_refund:
            refunds.request_express(db, ctx, ret)


@step
def confirm_refund(
    db: Session, ctx: Context, return_id: uuid.UUID, *, refund_id: str, amount: int
) -> Return:
    """The store has refunded the buyer: its refund is recorded and, once inspection has
    decided, the return closes."""
    ret = load_return(db, return_id, ctx.store_scope, for_update=True)
    return refunds.confirm(db, ctx, ret, store_refund_id=refund_id, amount=amount)


@step
def report_refund_failure(db: Session, ctx: Context, return_id: uuid.UUID, *, reason: str):
    """The store could not refund; the refund waits for a supervisor's retry."""
    ret = load_return(db, return_id, ctx.store_scope, for_update=True)
    return refunds.report_failure(db, ctx, ret, reason=reason)


@step
def retry_refund(db: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    """A supervisor sends a failed refund request to the store again."""
    ret = load_return(db, return_id, ctx.store_scope, for_update=True)
    refunds.retry(db, ctx, ret)
    return ret


@step
def override_decision(
    db: Session, ctx: Context, return_id: uuid.UUID, *, decision: str, reason: str
) -> Return:
    """A supervisor overrides the inspection's rejection: the refund is decided again with
    the rejection flags set aside."""
    ret = returns.record_decision_override(db, ctx, return_id, decision=decision, reason=reason)
    _decide_refund(db, ctx, ret, override_rejections=True)
    return ret
