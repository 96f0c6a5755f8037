"""The outbox table (every event a store is told, written in the transaction that caused it)
and the delivery state of each event's webhook."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.db import Base, JSONType, UTCDateTime, uuid_pk


class Event(Base):
    """One fact sent to one store, numbered by `sequence` (strictly increasing per store)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("store_id", "sequence"),
        Index("ix_events_return", "return_id", "sequence"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    sequence: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(48))
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(JSONType)


class EventDelivery(Base):
    """The webhook delivery state of one event: due when, tried how often, claimed by whom.

    Kept apart from `events` so the outbox rows stay immutable facts (the feed) while this
    small row takes the updates. `store_id`, `return_id` and `sequence` are copied from the
    event so the worker's claim query needs no join. A worker claims a row by writing a lease
    (`locked_until`, `lock_token`) in a short transaction, posts with no transaction open, and
    writes the outcome back only if its token still holds the lease.
    """

    __tablename__ = "event_deliveries"
    __table_args__ = (
        # The claim query's order, in full, so it stops after the first rows it can take.
        Index("ix_event_deliveries_due", "status", "next_attempt_at", "event_id"),
        Index("ix_event_deliveries_return", "return_id", "sequence"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id"), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"))
    sequence: Mapped[int] = mapped_column(BigInteger)
    #: A `warehouse.events.rules.DeliveryStatus`.
    status: Mapped[str] = mapped_column(String(16))
    #: Attempts since the event was queued or last replayed (the backoff counts these).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    first_attempted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_attempted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The lease of the worker posting it now; past this time another worker may take over.
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lock_token: Mapped[str | None] = mapped_column(String(32))

    event: Mapped[Event] = relationship()


class EventDeliveryAttempt(Base):
    """One attempt to post one event's webhook: when, how long, and what the store answered.

    Written by the worker in the transaction that records the outcome, one row per post, so
    a supervisor can show a store exactly what was sent when and what came back. Attempts
    whose claim was taken over by another worker are logged too: they did reach the store.
    """

    __tablename__ = "event_delivery_attempts"
    __table_args__ = (Index("ix_event_delivery_attempts_event", "event_id", "started_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id"))
    #: The attempt's number since the event was queued or last replayed (1 is the first).
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    latency_ms: Mapped[int] = mapped_column(Integer)
    #: The store's HTTP status, or None when there was no answer (see `error`).
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    #: The start of the answer's body, decoded as UTF-8 with bad bytes replaced.
    response_excerpt: Mapped[str | None] = mapped_column(String(500))
