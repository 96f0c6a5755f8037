"""The delivery worker's database side: claim due webhooks under a lease, write outcomes back.

Any number of workers (threads, processes, hosts) may run against one database:

- **Claim** is one short transaction. It picks pending deliveries that are due, not leased
  (or whose lease ran out: a worker that died), and not held back by an earlier undelivered
  event of the same return; it writes a lease (`locked_until`) and a fresh `lock_token` on
  them. On PostgreSQL the pick is `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers
  take different rows without waiting; SQLite has one writer at a time (`BEGIN IMMEDIATE`),
  so the pick and the lease are atomic there by construction. The rows a worker claims
  carry everything needed to post (URL, secret, body), so no transaction is open while it
  waits on a store's endpoint.
- **Record** writes the outcomes of finished posts, each only where the row still carries
  the worker's `lock_token`: a worker whose lease ran out (and whose event another worker
  took over) cannot overwrite the newer state. The worker records and claims in the same
  transaction, one commit per round of its loop.

Per-return order lives in the claim query: only the earliest undelivered event of a return
can be claimed, so the next one is posted only after the store acknowledged the previous
one, and a failing or dead event holds back its own return's later events and no others.
Expressing it in the query (rather than filtering in Python after the fact) keeps held-back
rows from filling a batch and starving other returns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, insert, or_, select, text, update
from sqlalchemy.orm import Session

from warehouse.db import _sqlite_begin, transaction
from warehouse.events.models import Event, EventDelivery, EventDeliveryAttempt
from warehouse.events.outbox import as_message
from warehouse.events.rules import BLOCKING_STATUSES, DeliveryStatus, Outcome
from warehouse.stores.models import Store

#: How long a claim holds: longer than one post can take (connect + write + read timeouts),
#: so a live worker never loses its claim; a dead worker's claims are taken over after it.
DEFAULT_LEASE = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Job:
    """One claimed webhook, with all a thread needs to post it without the database."""

    event_id: uuid.UUID
    lock_token: str
    url: str
    secret: str
    body: bytes
    attempts: int
    first_attempted_at: dt.datetime | None
    #: The secret before a rotation, while its grace period lasts: it signs too.
    previous_secret: str | None = None


@dataclass(frozen=True)
class AttemptLog:
    """What one post did, for the delivery log (`event_delivery_attempts`)."""

    event_id: uuid.UUID
    attempt: int
    started_at: dt.datetime
    latency_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str | None


@dataclass(frozen=True)
class Claimed:
    """What one claim took: jobs to post, and how many turned out feed-only (no URL)."""

    jobs: list[Job]
    feed_only: int


def message_body(event: Event) -> bytes:
    """The webhook body: the event as the feed shows it, as compact UTF-8 JSON."""
    return json.dumps(as_message(event), ensure_ascii=False, separators=(",", ":")).encode()


def claim(
    session: Session,
    *,
    now: dt.datetime,
    limit: int,
    due_by: dt.datetime | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
    token: str | None = None,
) -> Claimed:
    """Claims up to `limit` deliveries due by `due_by` (default `now`) for one worker.

    Deliveries whose store has no webhook URL (any more) are marked feed-only instead.
    """
    return record_and_claim(
        session, [], now=now, limit=limit, due_by=due_by, lease=lease, token=token
    )


def record(session: Session, outcomes: list[tuple[Job, Outcome]]) -> None:
    """Writes the outcomes of finished posts and releases their claims, in one transaction.

    An outcome whose claim was taken over by another worker (its lease ran out) is dropped:
    the other worker's post counts, and the store may have got the webhook twice, which
    at-least-once delivery allows (the `webhook-id` is the same, so it can tell).
    """
    if outcomes:
        record_and_claim(session, outcomes, now=outcomes[0][1].last_attempted_at, limit=0)


def record_and_claim(
    session: Session,
    outcomes: list[tuple[Job, Outcome]],
    *,
    now: dt.datetime,
    limit: int,
    due_by: dt.datetime | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
    token: str | None = None,
    attempts: list[AttemptLog] | None = None,
) -> Claimed:
    """`record` then `claim` in one short transaction: the worker's loop commits once a round.

    Recording first lets the claim take the next event of a return just acknowledged. The
    log rows of the posts (`attempts`) go in the same transaction as their outcomes.
    """
    with _writing(), transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            # Losing the last moments of this bookkeeping in a crash only means posting those
            # webhooks again, which at-least-once delivery allows: skip the wait for the WAL
            # flush at commit.
            session.execute(_ASYNC_COMMIT)
        if outcomes:
            session.execute(_RECORD, [_record_params(job, outcome) for job, outcome in outcomes])
        if attempts:
            session.execute(_LOG, [_log_params(item) for item in attempts])
        if limit <= 0:
            return Claimed([], 0)
        token = token or uuid.uuid4().hex
        ids = list(
            session.scalars(
                _CLAIM,
                {
                    "now": now,
                    "due_by": due_by or now,
                    "limit": limit,
                    "locked_until": now + lease,
                    "lock_token": token,
                },
            )
        )
        if not ids:
            return Claimed([], 0)
        jobs, feed_only = [], []
        for (
            event,
            attempts_before,
            first_attempted_at,
            url,
            secret,
            previous_secret,
            previous_expires_at,
        ) in session.execute(_TO_POST, {"ids": ids}):
            if not url:
                feed_only.append(event.id)
                continue
            jobs.append(
                Job(
                    event_id=event.id,
                    lock_token=token,
                    url=url,
                    secret=secret,
                    body=message_body(event),
                    attempts=attempts_before,
                    first_attempted_at=first_attempted_at,
                    previous_secret=previous_secret
                    if previous_expires_at is not None and previous_expires_at > now
                    else None,
                )
            )
        if feed_only:
            session.execute(_FEED_ONLY, {"ids": feed_only})
    return Claimed(jobs, len(feed_only))


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    """SQLite transactions in this block take the write lock at BEGIN, whatever the caller's
    context says: the claim reads then writes, and must not be overtaken between the two."""
    token = _sqlite_begin.set("IMMEDIATE")
    try:
        yield
    finally:
        _sqlite_begin.reset(token)


# The statements are built once: the worker runs them many times a second.

_deliveries = EventDelivery.__table__
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


def _ids():
    return bindparam("ids", expanding=True)


def _due_statement():
    """Pending, due, unleased deliveries that no earlier event of their return holds back."""
    # A table alias, not `aliased(EventDelivery)`: this is built at import time, and aliasing
    # a mapped class configures every mapper, which needs every model imported first.
    earlier = _deliveries.alias()
    held_back = (
        exists()
        .where(
            earlier.c.return_id == EventDelivery.return_id,
            earlier.c.sequence < EventDelivery.sequence,
            earlier.c.status.in_([str(s) for s in BLOCKING_STATUSES]),
        )
        .correlate(EventDelivery)
    )
    return (
        select(EventDelivery.event_id)
        .where(
            EventDelivery.status == DeliveryStatus.PENDING,
            EventDelivery.next_attempt_at <= bindparam("due_by"),
            or_(
                EventDelivery.locked_until.is_(None),
                EventDelivery.locked_until <= bindparam("now"),
            ),
            ~held_back,
        )
        .order_by(EventDelivery.next_attempt_at, EventDelivery.event_id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True, of=EventDelivery)
    )


#: Picks and leases in one round trip, answering the ids it leased.
_CLAIM = (
    update(_deliveries)
    .where(_deliveries.c.event_id.in_(_due_statement().scalar_subquery()))
    .values(locked_until=bindparam("locked_until"), lock_token=bindparam("lock_token"))
    .returning(_deliveries.c.event_id)
)
_TO_POST = (
    select(
        Event,
        EventDelivery.attempts,
        EventDelivery.first_attempted_at,
        Store.webhook_url,
        Store.webhook_secret,
        Store.previous_webhook_secret,
        Store.previous_secret_expires_at,
    )
    .join(EventDelivery, EventDelivery.event_id == Event.id)
    .join(Store, Store.id == Event.store_id)
    .where(Event.id.in_(_ids()))
    .order_by(Event.store_id, Event.sequence)
)
_FEED_ONLY = (
    update(_deliveries)
    .where(_deliveries.c.event_id.in_(_ids()))
    .values(status=str(DeliveryStatus.SKIPPED), locked_until=None, lock_token=None)
)
#: An outcome is written only where the worker's claim still holds (its token).
_RECORD = (
    update(_deliveries)
    .where(
        _deliveries.c.event_id == bindparam("b_event_id"),
        _deliveries.c.lock_token == bindparam("b_lock_token"),
    )
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        next_attempt_at=bindparam("b_next_attempt_at"),
        first_attempted_at=bindparam("b_first_attempted_at"),
        last_attempted_at=bindparam("b_last_attempted_at"),
        last_status_code=bindparam("b_last_status_code"),
        last_error=bindparam("b_last_error"),
        delivered_at=bindparam("b_delivered_at"),
        dead_at=bindparam("b_dead_at"),
        locked_until=None,
        lock_token=None,
    )
)


_LOG = insert(EventDeliveryAttempt.__table__)


def _log_params(item: AttemptLog) -> dict:
    return {
        "id": uuid.uuid4(),
        "event_id": item.event_id,
        "attempt": item.attempt,
        "started_at": item.started_at,
        "latency_ms": item.latency_ms,
        "status_code": item.status_code,
        "error": item.error[:500] if item.error else None,
        "response_excerpt": item.response_excerpt[:500] if item.response_excerpt else None,
    }


def _record_params(job: Job, outcome: Outcome) -> dict:
    return {
        "b_event_id": job.event_id,
        "b_lock_token": job.lock_token,
        "b_status": str(outcome.status),
        "b_attempts": outcome.attempts,
        "b_next_attempt_at": outcome.next_attempt_at,
        "b_first_attempted_at": outcome.first_attempted_at,
        "b_last_attempted_at": outcome.last_attempted_at,
        "b_last_status_code": outcome.last_status_code,
        "b_last_error": outcome.last_error[:500] if outcome.last_error else None,
        "b_delivered_at": outcome.delivered_at,
        "b_dead_at": outcome.dead_at,
    }
