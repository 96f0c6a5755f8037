"""Event use cases for supervisors and operators: replaying dead-lettered webhooks.

What people and store systems read of events (the feed, dead letters, delivery logs) is in
`warehouse.events.queries`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.db import unit_of_work
from warehouse.errors import Conflict, NotFound
from warehouse.events.models import EventDelivery
from warehouse.events.rules import DeliveryStatus
from warehouse.texts import Text


def replay(session: Session, ctx: Context, event_id: uuid.UUID) -> EventDelivery:
    """Queues a dead-lettered webhook again, now, with a fresh 24-hour retry window.

    Later events of the same return, held back behind it, follow once it is delivered.
    """
    delivery = session.scalar(
        select(EventDelivery)
        .options(joinedload(EventDelivery.event))
        .where(EventDelivery.event_id == event_id)
        .with_for_update(of=EventDelivery)
    )
    if delivery is None:
        raise NotFound(Text("No such event."))
    if delivery.status != DeliveryStatus.DEAD:
        raise Conflict(
            Text(
                "Only a dead-lettered webhook is replayed; this one is {status}.",
                status=str(delivery.status),
            ),
            delivery_status=delivery.status,
        )
    _requeue(session, ctx, [delivery])
    return delivery


def replay_dead(session: Session, ctx: Context, *, store_id: uuid.UUID | None = None) -> int:
    """Queues every dead-lettered webhook again (of one store, or all); answers how many."""
    query = (
        select(EventDelivery)
        .where(EventDelivery.status == DeliveryStatus.DEAD)
        .order_by(EventDelivery.event_id)
        .with_for_update()
    )
    if store_id is not None:
        query = query.where(EventDelivery.store_id == store_id)
    deliveries = list(session.scalars(query))
    _requeue(session, ctx, deliveries)
    return len(deliveries)


def _requeue(session: Session, ctx: Context, deliveries: list[EventDelivery]) -> None:
    for delivery in deliveries:
        before = {
            "status": delivery.status,
            "attempts": delivery.attempts,
            "last_status_code": delivery.last_status_code,
            "last_error": delivery.last_error,
        }
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.first_attempted_at = None
        delivery.next_attempt_at = ctx.now
        delivery.dead_at = None
        delivery.locked_until = None
        delivery.lock_token = None
        record(
            session,
            ctx,
            "event.replayed",
            "event",
            delivery.event_id,
            store_id=delivery.store_id,
            before=before,
            after={"status": delivery.status},
        )
    session.flush()


# --- use cases: each one transaction of its own, for the API, the pages and the CLI --------------


@unit_of_work
def replay_webhook(session: Session, ctx: Context, event_id: uuid.UUID) -> EventDelivery:
    """Queues one dead-lettered webhook again (`replay`)."""
    return replay(session, ctx, event_id)


@unit_of_work
def replay_webhooks(session: Session, ctx: Context, event_ids: Iterable[uuid.UUID]) -> int:
    """Queues these dead-lettered webhooks again, all or none; answers how many."""
    return len([replay(session, ctx, event_id) for event_id in event_ids])


@unit_of_work
def replay_dead_webhooks(
    session: Session, ctx: Context, *, store_id: uuid.UUID | None = None
) -> int:
    """Queues every dead-lettered webhook again, of one store or all (`replay_dead`)."""
    return replay_dead(session, ctx, store_id=store_id)
