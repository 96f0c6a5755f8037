"""Writing events into the outbox, inside the caller's transaction.

An event is committed with the change that causes it or not at all, so a store is never
told of something that was rolled back, nor left untold of something that happened. Its
webhook delivery row is written with it, so the delivery worker finds every event without
scanning the outbox. Events are written in bulk at the end of the transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, update
from sqlalchemy.orm import Session

from warehouse.context import Context
from warehouse.db import defer_write, new_id
from warehouse.events.models import Event, EventDelivery
from warehouse.events.rules import DeliveryStatus
from warehouse.events.types import EventType
from warehouse.returns.models import Return
from warehouse.stores.models import Store


def return_event_data(ret: Return, **fields) -> dict:
    """The `data` every return event carries: its ids, status and the store's metadata."""
    return {
        "return_id": str(ret.id),
        "external_id": ret.external_id,
        "order_id": ret.order_id,
        "rma_number": ret.rma_number,
        "status": ret.status,
        "metadata": dict(ret.store_metadata or {}),
        **fields,
    }


def append_event(session: Session, ctx: Context, ret: Return, type_: EventType, **fields) -> Event:
    """Adds an event about `ret` for its store, numbered with the store's next sequence.

    The event and its webhook delivery row are written at commit with the transaction's other
    appended rows (`warehouse.db.defer_write`), and only then is the store's counter
    advanced, so its row is locked for the last moments of the transaction rather than from
    here on (see `_write_events`). The answer is the event as it will be stored; its
    `sequence` is set once it is written.
    """
    event = Event(
        id=new_id(),
        store_id=ret.store_id,
        type=str(type_),
        return_id=ret.id,
        created_at=ctx.now,
        data=return_event_data(ret, **fields),
    )
    defer_write(session, _write_events, event)
    return event


def _write_events(connection: Connection, events: list[Event]) -> None:
    """Numbers and inserts a transaction's events, with their webhook delivery rows.

    Each store's counter moves once for all its events here, by an UPDATE … RETURNING that
    also locks the store's row until commit, so concurrent transactions of one store number
    their events strictly in commit order: a store reading the feed by sequence never finds
    a gap filled in later. Stores are locked in id order, so two transactions telling the
    same two stores cannot deadlock. A delivery row is queued for each event, or marked
    feed-only when the store has no webhook URL.
    """
    per_store: dict = {}
    for event in events:
        per_store.setdefault(event.store_id, []).append(event)
    deliveries = []
    for store_id in sorted(per_store, key=str):
        of_store = per_store[store_id]
        last, webhook_url = connection.execute(
            update(Store)
            .where(Store.id == store_id)
            .values(event_sequence=Store.event_sequence + len(of_store))
            .returning(Store.event_sequence, Store.webhook_url)
        ).one()
        status = DeliveryStatus.PENDING if webhook_url else DeliveryStatus.SKIPPED
        for sequence, event in enumerate(of_store, start=last - len(of_store) + 1):
            event.sequence = sequence
            deliveries.append(
                {
                    "event_id": event.id,
                    "store_id": event.store_id,
                    "return_id": event.return_id,
                    "sequence": sequence,
                    "status": status,
                    "attempts": 0,
                    "next_attempt_at": event.created_at,
                }
            )
    connection.execute(
        insert(Event.__table__),
        [
            {
                "id": event.id,
                "store_id": event.store_id,
                "sequence": event.sequence,
                "type": event.type,
                "return_id": event.return_id,
                "created_at": event.created_at,
                "data": event.data,
            }
            for event in events
        ],
    )
    connection.execute(insert(EventDelivery.__table__), deliveries)


# Written after the transaction's other rows: the store's row stays locked from here to commit.
_write_events.write_last = True


def as_message(event: Event) -> dict:
    """The event as stores see it, in webhooks and in the feed alike."""
    return {
        "id": str(event.id),
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "store_id": str(event.store_id),
        "sequence": event.sequence,
        "data": event.data,
    }
