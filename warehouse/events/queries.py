"""Events as stores and supervisors read them: the feed, dead letters and delivery logs.

The feed is the store's own events in `sequence` order. Sequences are taken under a lock on
the store row and so become visible in order: a store that pages with `after` never misses
an event that commits later with a smaller number, and never sees one twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from warehouse.context import Context
from warehouse.db import keyset_page
from warehouse.errors import InvalidInput, NotFound
from warehouse.events.models import Event, EventDelivery, EventDeliveryAttempt
from warehouse.events.rules import DeliveryStatus
from warehouse.returns.models import Return
from warehouse.stores.models import Store
from warehouse.texts import Text


@dataclass(frozen=True)
class FeedPage:
    """A page of the feed; `after` is the sequence to resume from (never goes backwards)."""

    items: list[Event]
    after: int
    has_more: bool


def feed(
    session: Session,
    ctx: Context,
    *,
    after: dict | None,
    limit: int,
    store_id: uuid.UUID | None = None,
) -> FeedPage:
    """The caller's store's events after the cursor position, oldest first.

    A store sees only its own; staff name the store they look at with `store_id`.
    """
    store_id = _feed_store(session, ctx, store_id)
    position = _sequence_after(after)
    rows = list(
        session.scalars(
            select(Event)
            .where(Event.store_id == store_id, Event.sequence > position)
            .order_by(Event.sequence)
            .limit(limit + 1)
        )
    )
    page = rows[:limit]
    return FeedPage(
        items=page, after=page[-1].sequence if page else position, has_more=len(rows) > limit
    )


def _feed_store(session: Session, ctx: Context, store_id: uuid.UUID | None) -> uuid.UUID:
    if ctx.store_scope is not None:
        if store_id is not None and store_id != ctx.store_scope:
            raise NotFound(Text("No such store."))
        return ctx.store_scope
    if store_id is None:
        raise InvalidInput({"store_id": ["Staff name the store whose events they read."]})
    if session.get(Store, store_id) is None:
        raise NotFound(Text("No such store."))
    return store_id


def _sequence_after(after: dict | None) -> int:
    if after is None:
        return 0
    sequence = after.get("seq")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        raise InvalidInput({"after": ["Not a cursor this API issued."]})
    return sequence


def dead_letters(
    session: Session,
    *,
    store_id: uuid.UUID | None,
    after: dict | None,
    limit: int,
) -> tuple[list[EventDelivery], dict | None]:
    """Webhooks given up on, oldest event first, with their events; and the next position."""
    query = (
        select(EventDelivery)
        .options(joinedload(EventDelivery.event))
        .where(EventDelivery.status == DeliveryStatus.DEAD)
        .order_by(EventDelivery.event_id)
    )
    if store_id is not None:
        query = query.where(EventDelivery.store_id == store_id)
    return keyset_page(session, query, EventDelivery.event_id, after=after, limit=limit)


#: The most log rows answered per event: a day of backoff makes about twenty.
MAX_LOGGED_ATTEMPTS = 500


def delivery_attempts(session: Session, event_id: uuid.UUID) -> list[EventDeliveryAttempt]:
    """The delivery log of one event's webhook, oldest attempt first."""
    if session.get(Event, event_id) is None:
        raise NotFound(Text("No such event."))
    return attempts_by_event(session, [event_id]).get(event_id, [])


def attempts_by_event(
    session: Session, event_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[EventDeliveryAttempt]]:
    """The delivery logs of several events in one query, each oldest attempt first."""
    logs: dict[uuid.UUID, list[EventDeliveryAttempt]] = {}
    if not event_ids:
        return logs
    rows = session.scalars(
        select(EventDeliveryAttempt)
        .where(EventDeliveryAttempt.event_id.in_(event_ids))
        .order_by(EventDeliveryAttempt.started_at, EventDeliveryAttempt.attempt)
    )
    for row in rows:
        entries = logs.setdefault(row.event_id, [])
        if len(entries) < MAX_LOGGED_ATTEMPTS:
            entries.append(row)
    return logs


def dead_letters_per_store(session: Session) -> list[tuple[uuid.UUID, str, int]]:
    """(store id, name, dead letters) of each store that has any, by name."""
    return list(
        session.execute(
            select(Store.id, Store.name, func.count())
            .join(EventDelivery, EventDelivery.store_id == Store.id)
            .where(EventDelivery.status == DeliveryStatus.DEAD)
            .group_by(Store.id, Store.name)
            .order_by(Store.name)
        )
    )


def store_name(session: Session, store_id: uuid.UUID) -> str | None:
    return session.scalar(select(Store.name).where(Store.id == store_id))


def rma_numbers(session: Session, return_ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """The RMA number of each of these returns (an event of no return has none)."""
    return_ids = return_ids - {None}
    if not return_ids:
        return {}
    rows = session.execute(select(Return.id, Return.rma_number).where(Return.id.in_(return_ids)))
    return {rid: rma for rid, rma in rows}
