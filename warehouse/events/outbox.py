"""Writing events into the outbox, inside the caller's transaction.

An event is committed with the change that causes it or not at all, so a store is never
told of something that was rolled back, nor left untold of something that happened. Its
webhook delivery row is written with it, so the delivery worker finds every event without
scanning the outbox.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from warehouse.context import Context
from warehouse.db import new_id
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
    """Adds an event about `ret` for its store, with the store's next sequence number.

    The sequence comes from an UPDATE … RETURNING on the store row, which also locks it, so
    concurrent transactions of one store number their events strictly in commit order (a
    store reading the feed by sequence never finds a gap filled in later). The webhook is
    queued at once, or marked feed-only when the store has no webhook URL.
    """
    sequence, webhook_url = session.execute(
        update(Store)
        .where(Store.id == ret.store_id)
        .values(event_sequence=Store.event_sequence + 1)
        .returning(Store.event_sequence, Store.webhook_url)
    ).one()
    event = Event(
        id=new_id(),
        store_id=ret.store_id,
        sequence=sequence,
        type=str(type_),
        return_id=ret.id,
        created_at=ctx.now,
        data=return_event_data(ret, **fields),
    )
    session.add(event)
    session.add(
        EventDelivery(
            event_id=event.id,
            store_id=event.store_id,
            return_id=event.return_id,
            sequence=sequence,
            status=DeliveryStatus.PENDING if webhook_url else DeliveryStatus.SKIPPED,
            attempts=0,
            next_attempt_at=ctx.now,
        )
    )
    return event


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
