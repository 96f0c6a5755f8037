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
from warehouse.receiving import queries as receiving_queries
from warehouse.receiving import rules as receiving_rules
from warehouse.receiving import services as receiving
from warehouse.refunds import services as refunds
from warehouse.returns.models import Return

step = unit_of_work
"""A floor step: one transaction, committed when the step returns, rolled back when it raises,
re-run once when a concurrent step won a unique-key race (two terminals creating the same
parcel), so the re-run answers from the winner's row."""


# --- a store announces a return ------------------------------------------------------------------


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


@step
def scan_parcel(
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
    return _scan_parcel(
        db, ctx, scan_id=scan_id, code=code, weight_grams=weight_grams, scanned_at=scanned_at
    )


@step
def scan_item(
    db: Session,
    ctx: Context,
    parcel_id: uuid.UUID,
    *,
    scan_id: uuid.UUID,
    code: str,
    damaged: bool = False,
    scanned_at: dt.datetime | None = None,
    terminal: str | None = None,
    guard: DoubleScanGuard | None = None,
) -> ItemScanned:
    """An item scanned out of an open parcel becomes a unit with its own LPN. A scan from
    `terminal` repeating its last code within the double-scan window (the trigger held too
    long) is ignored, unless its scan_id was answered before (a retry gets its answer); a
    scan without a terminal (queued scans the browser replays) is not held to the window."""
    return _scan_item(
        db,
        ctx,
        parcel_id,
        scan_id=scan_id,
        code=code,
        damaged=damaged,
        scanned_at=scanned_at,
        terminal=terminal,
        guard=guard,
    )


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
    guard: DoubleScanGuard | None = None,
) -> ItemPageScanned:
    """A scan on an open parcel's page: an item (as `scan_item`), or an RMA slip, which
    starts the next parcel (`starts_next_parcel`) without closing this one."""
    if starts_next_parcel(code):
        return ItemPageScanned(
            parcel=_scan_parcel(db, ctx, scan_id=scan_id, code=code, scanned_at=scanned_at)
        )
    item = _scan_item(
        db,
        ctx,
        parcel_id,
        scan_id=scan_id,
        code=code,
        scanned_at=scanned_at,
        terminal=terminal,
        guard=guard,
    )
    return ItemPageScanned(item=item)


def starts_next_parcel(code: str) -> bool:
    """Whether `code`, scanned where an item was expected, is the next parcel's RMA slip."""
    return bool(code) and receiving_rules.starts_next_parcel(scanners.parse(code, context="item"))


def _scan_parcel(
    db: Session,
    ctx: Context,
    *,
    scan_id: uuid.UUID,
    code: str,
    weight_grams: int | None = None,
    scanned_at: dt.datetime | None = None,
) -> receiving.ScanAnswer:
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
    guard: DoubleScanGuard | None = None,
) -> ItemScanned:
    found = receiving.look_up_item_scan(db, parcel_id, scan_id=scan_id, code=code)
    if found.earlier is not None:
        return ItemScanned(found.earlier)
    guard = ITEM_GUARD if guard is None else guard  # (an empty guard is falsy: it has a len)
    if terminal is not None and code and _is_repeat(guard, terminal, code):
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


def _is_repeat(guard: DoubleScanGuard, terminal: str, code: str) -> bool:
    """Whether the guard takes `code` from `terminal` for a repeat (as the scanner reads it,
    so two reads of one label compare equal whatever noise the scanner added)."""
    return guard.is_repeat(terminal, scanners.parse(code, context="item").value)


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


# --- inspection ----------------------------------------------------------------------------------


# --- disposition and refurbishment ---------------------------------------------------------------


# --- refunds -------------------------------------------------------------------------------------


def _refund_express_returns(db: Session, ctx: Context, returns: Iterable[Return]) -> None:
    """极速退款: once a parcel is matched to a return whose store lets the refund go before
    inspection, the refund is requested now (a scan's match and a supervisor's alike)."""
    for ret in returns:
        if ret.express_refund:
            refunds.request_express(db, ctx, ret)
