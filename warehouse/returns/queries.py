"""Read models of returns: one return as its store sees it, pages of returns, returns due.

A store only ever finds its own returns; another store's is "not found". The detail view
gathers what later stages did to the return (its parcels, units and the events sent), so it
reads their tables here rather than asking their services.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from warehouse.context import Context
from warehouse.db import find_one, keyset_page
from warehouse.errors import InvalidInput
from warehouse.events.models import Event
from warehouse.events.outbox import as_message
from warehouse.inspection.units import states_of
from warehouse.receiving.models import Parcel, ParcelReturn, Unit
from warehouse.returns.models import Return
from warehouse.returns.rules import AWAITING_DECISION, ReturnStatus


def load_return(
    session: Session,
    return_id: uuid.UUID,
    store_scope: uuid.UUID | None,
    *,
    for_update: bool = False,
) -> Return:
    """The return with its lines, if `store_scope` (None: staff) may see it; else NotFound.
    `for_update` locks its row for a change."""
    query = select(Return).options(selectinload(Return.lines)).where(Return.id == return_id)
    if store_scope is not None:
        query = query.where(Return.store_id == store_scope)
    return find_one(session, query, "No such return.", for_update=for_update)


def get_return(session: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    """The return, if the caller may see it; another store's return is not found."""
    return load_return(session, return_id, ctx.store_scope)


def get_return_detail(session: Session, ctx: Context, return_id: uuid.UUID) -> Return:
    """The return with what has happened to it so far: its parcels, its units and the events
    its store was sent (contract: GET /returns/{id})."""
    ret = load_return(session, return_id, ctx.store_scope)
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
    return keyset_page(session, query, Return.id, after=after, limit=limit, descending=True)


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
