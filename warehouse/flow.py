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

from sqlalchemy.orm import Session

from warehouse.context import Context
from warehouse.db import unit_of_work
from warehouse.receiving import queries as receiving_queries
from warehouse.receiving import services as receiving
from warehouse.refunds import services as refunds
from warehouse.returns.models import Return

step = unit_of_work
"""A floor step: one transaction, committed when the step returns, rolled back when it raises,
re-run once when a concurrent step won a unique-key race (two terminals creating the same
parcel), so the re-run answers from the winner's row."""


# --- a store announces a return ------------------------------------------------------------------


# --- receiving at the dock -----------------------------------------------------------------------


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
    found = receiving.look_up_parcel_code(db, scan_id=scan_id, code=code)
    if found.earlier is not None:
        return found.earlier
    scanned = receiving.scan_parcel(
        db, ctx, found, weight_grams=weight_grams, scanned_at=scanned_at
    )
    _refund_express_returns(db, ctx, scanned.matched)
    return receiving.parcel_scan_answer(db, ctx, scanned)


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
