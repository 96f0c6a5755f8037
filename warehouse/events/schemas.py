"""What the events feed and the dead-letter endpoints take and answer."""

from __future__ import annotations

import marshmallow as ma

from warehouse.api import MAX_PAGE_SIZE, Cursor, PageQuerySchema
from warehouse.events.outbox import as_message
from warehouse.events.types import EventType
from warehouse.schemas import QueryInteger, UTCDateTime


class FeedQuerySchema(ma.Schema):
    after = Cursor("`next_cursor` of the previous page; omit to start at the first.")
    limit = QueryInteger(
        load_default=50,
        validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Page size, at most {MAX_PAGE_SIZE}."},
    )
    store_id = ma.fields.UUID(
        load_default=None,
        metadata={"description": "Staff (supervisors) only: the store whose events to read."},
    )


class EventSchema(ma.Schema):
    """An event as webhooks carry it (`as_message`); it is dumped unchanged."""

    id = ma.fields.String(metadata={"format": "uuid"})
    type = ma.fields.String(metadata={"enum": [t.value for t in EventType]})
    created_at = ma.fields.String(metadata={"format": "date-time"})
    store_id = ma.fields.String(metadata={"format": "uuid"})
    sequence = ma.fields.Integer(
        metadata={"description": "Increases strictly within one store: apply events in order."}
    )
    data = ma.fields.Dict(
        metadata={
            "description": "At least return_id, external_id, order_id, rma_number, status, "
            "metadata; more per type."
        }
    )


class FeedPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(EventSchema))
    next_cursor = ma.fields.String(
        metadata={
            "description": "Pass back as `after`. Never null: on the last page it is the "
            "position after its last event (on an empty page, the `after` you sent), so "
            "polling with it picks up exactly the events that come next."
        }
    )
    has_more = ma.fields.Boolean(
        metadata={"description": "Whether more events wait right now (ask again at once)."}
    )


class DeliverySchema(ma.Schema):
    """A webhook's delivery state, with the event it carries."""

    event = ma.fields.Nested(EventSchema)
    status = ma.fields.String(metadata={"enum": ["pending", "delivered", "dead", "skipped"]})
    attempts = ma.fields.Integer(
        metadata={"description": "Attempts since it was queued or last replayed."}
    )
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    first_attempted_at = UTCDateTime(allow_none=True)
    last_attempted_at = UTCDateTime(allow_none=True)
    next_attempt_at = UTCDateTime()
    dead_at = UTCDateTime(allow_none=True)
    delivered_at = UTCDateTime(allow_none=True)

    @ma.pre_dump
    def _with_message(self, delivery, **_kwargs):
        """The event in its wire shape, exactly as the webhook and the feed show it."""
        return _delivery_fields(delivery)


class AttemptSchema(ma.Schema):
    """One post of a webhook, from the delivery log."""

    attempt = ma.fields.Integer(
        metadata={"description": "Its number since the event was queued or last replayed."}
    )
    started_at = UTCDateTime()
    latency_ms = ma.fields.Integer()
    status_code = ma.fields.Integer(
        allow_none=True, metadata={"description": "Null when there was no answer: see error."}
    )
    error = ma.fields.String(allow_none=True)
    response_excerpt = ma.fields.String(
        allow_none=True, metadata={"description": "The start of the store's answer."}
    )


class AttemptListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AttemptSchema))


class DeadLetterSchema(DeliverySchema):
    """A dead letter, with the log of the attempts that failed."""

    log = ma.fields.List(ma.fields.Nested(AttemptSchema))

    @ma.pre_dump
    def _with_message(self, item, **_kwargs):
        """The delivery as `DeliverySchema` shows it, and its log (a `(delivery, log)` pair)."""
        delivery, log = item
        return {**_delivery_fields(delivery), "log": log}


def _delivery_fields(delivery) -> dict:
    """The event in its wire shape, exactly as the webhook and the feed show it, and the
    delivery's state."""
    fields = {
        name: getattr(delivery, name) for name in DeliverySchema._declared_fields if name != "event"
    }
    return {"event": as_message(delivery.event), **fields}


class DeadLetterQuerySchema(PageQuerySchema):
    store_id = ma.fields.UUID(load_default=None, metadata={"description": "Only this store's."})


class DeliveryPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DeadLetterSchema))
    next_cursor = ma.fields.String(allow_none=True)
