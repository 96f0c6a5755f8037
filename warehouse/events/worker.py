"""The delivery worker: keeps up to `concurrency` webhooks in flight, records what happened.

One thread owns the database session and does all the claiming and recording, in one short
transaction a round (see `delivery`); a pool of threads only posts. Slots are refilled as
posts finish (once half of them are free, to keep transactions few and large), so one slow
store's endpoint holds one slot for at most its timeout rather than stalling a batch. Any
number of workers may run against one database.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from warehouse.clock import Clock
from warehouse.db import transaction
from warehouse.events import delivery
from warehouse.events.delivery import DEFAULT_LEASE, AttemptLog, Job
from warehouse.events.rules import (
    DEFAULT_POLICY,
    RETRY_AFTER_STATUSES,
    DeliveryStatus,
    Outcome,
    RetryPolicy,
    after_attempt,
    parse_retry_after,
)
from warehouse.events.sending import HttpxSender, Sender, SendResult, WebhookRequest
from warehouse.events.signing import webhook_headers
from warehouse.idempotency import services as idempotency
from warehouse.idempotency.rules import RETENTION as ANSWER_RETENTION
from warehouse.stores.webhook_urls import destination_problem

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 16
DEFAULT_POLL_INTERVAL_S = 1.0
#: How long to wait before trying again when the database is unreachable.
DATABASE_RETRY_S = 5.0
#: Finished posts are recorded with the next claim, or after waiting this long at most.
MAX_RECORD_DELAY_S = 0.2
#: How often an idle worker forgets the answers kept for Idempotency-Keys past retention.
PRUNE_EVERY_S = 3600.0


@dataclass
class Tally:
    """What a run did, for the CLI and the logs."""

    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    feed_only: int = 0

    def __str__(self) -> str:
        return (
            f"delivered {self.delivered}, to retry {self.retrying}, "
            f"dead-lettered {self.dead}, feed-only {self.feed_only}"
        )


@dataclass(frozen=True)
class _Posted:
    job: Job
    result: SendResult
    started_at: dt.datetime
    finished_at: dt.datetime
    latency_ms: int


class DeliveryWorker:
    """Claims due webhooks, posts them from a thread pool, and records each outcome."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sender: Sender,
        clock: Clock,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        lease: dt.timedelta = DEFAULT_LEASE,
        policy: RetryPolicy = DEFAULT_POLICY,
        rng: random.Random | None = None,
        destination_check: Callable[[str], str | None] | None = None,
    ) -> None:
        """`destination_check` answers why a URL may not be posted to (or None) just before
        each post; `for_app` passes the private-address check unless the settings allow
        private endpoints. A worker built directly posts wherever the stores say."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._sessions = sessions
        self._sender = sender
        self._clock = clock
        self.concurrency = concurrency
        self._lease = lease
        self._policy = policy
        self._rng = rng or random.Random()
        self._destination_check = destination_check
        # Claim tokens: this worker's random id and a round counter (unique, and cheaper
        # than drawing a UUID from the OS every round).
        self._worker_id = uuid.uuid4().hex[:16]
        self._rounds = itertools.count(1)
        self._next_prune = 0.0

    @classmethod
    def for_app(cls, app: Flask, sender: Sender | None = None, **options) -> DeliveryWorker:
        """A worker on the app's database and clock, posting with httpx unless told otherwise,
        and only to public addresses unless `WAREHOUSE_WEBHOOK_ALLOW_PRIVATE` is set (or, with
        `WAREHOUSE_WEBHOOK_ALLOW_LOOPBACK`, also to this host)."""
        concurrency = options.get("concurrency", DEFAULT_CONCURRENCY)
        settings = app.extensions["warehouse.settings"]
        if not settings.webhook_allow_private:
            options.setdefault(
                "destination_check",
                functools.partial(
                    destination_problem, allow_loopback=settings.webhook_allow_loopback
                ),
            )
        return cls(
            app.extensions["warehouse.sessions"],
            sender or HttpxSender(max_connections=concurrency),
            app.extensions["warehouse.clock"],
            **options,
        )

    def run_until_idle(self) -> Tally:
        """Delivers what is due now, following each return's chain, then returns (`--once`).

        Failures are rescheduled, not retried in this run: "due" means due when it started.
        """
        return self._work(threading.Event(), due_by=self._clock.now(), once=True)

    def run(self, stop: threading.Event, poll_interval_s: float = DEFAULT_POLL_INTERVAL_S) -> Tally:
        """Delivers until `stop` is set, then finishes the posts in flight and returns.

        An unreachable database is logged and retried; the claims it could not record
        expire and are posted again (at least once).
        """
        return self._work(stop, due_by=None, once=False, poll_interval_s=poll_interval_s)

    def _work(
        self,
        stop: threading.Event,
        *,
        due_by: dt.datetime | None,
        once: bool,
        poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
    ) -> Tally:
        """The loop: one transaction a round records the posts that finished and claims
        more for the free slots; then it waits for the next post to finish."""
        tally = Tally()
        session = self._sessions()
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="webhook")
        in_flight: set[Future[_Posted]] = set()
        finished: list[_Posted] = []
        finished_since = 0.0
        try:
            while True:
                free = 0 if stop.is_set() else self.concurrency - len(in_flight)
                # Claim once half the slots are free, and record finished posts then (or when
                # they have waited long enough): fewer, larger transactions.
                wanted = free if free and (not in_flight or free >= self.concurrency // 2) else 0
                record_now = bool(finished) and (
                    stop.is_set()
                    or not in_flight
                    or time.monotonic() - finished_since >= MAX_RECORD_DELAY_S
                )
                claimed = 0
                if wanted or record_now:
                    jobs, claimed = self._exchange(
                        session, finished, wanted, due_by, tally, stop, tolerate=not once
                    )
                    finished = []
                    in_flight.update(pool.submit(self._post, job) for job in jobs)
                # Hourly, busy or not: under a steady stream of webhooks the worker may never
                # be idle, and kept answers must not pile up meanwhile.
                self._prune_if_due(session, tolerate=not once)
                if not in_flight:
                    if stop.is_set() or (once and claimed == 0):
                        return tally
                    if claimed == 0:  # nothing due: look again shortly
                        stop.wait(poll_interval_s)
                    continue
                timeout = (
                    max(0.0, finished_since + MAX_RECORD_DELAY_S - time.monotonic())
                    if finished
                    else None
                )
                done, in_flight = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
                if done and not finished:
                    finished_since = time.monotonic()
                finished += [future.result() for future in done]
        finally:
            # Only reached with posts in flight when something raised: let them finish.
            pool.shutdown(wait=True)
            session.close()

    def _exchange(
        self,
        session: Session,
        finished: list[_Posted],
        wanted: int,
        due_by: dt.datetime | None,
        tally: Tally,
        stop: threading.Event,
        *,
        tolerate: bool,
    ) -> tuple[list[Job], int]:
        """Records `finished` and claims up to `wanted` more; answers the jobs and how many
        deliveries were taken (feed-only ones included)."""
        outcomes = [self._outcome(item, tally) for item in finished]
        attempts = [
            _log_entry(item, outcome)
            for item, (_job, outcome) in zip(finished, outcomes, strict=True)
        ]
        now = self._clock.now()
        try:
            claimed = delivery.record_and_claim(
                session,
                outcomes,
                now=now,
                limit=wanted,
                due_by=due_by or now,
                lease=self._lease,
                token=self._next_token(),
                attempts=attempts,
            )
        except OperationalError:
            if not tolerate:
                raise
            log.exception(
                "database unavailable: %d webhook outcomes not recorded (their claims expire "
                "and they are posted again); retrying",
                len(outcomes),
            )
            stop.wait(DATABASE_RETRY_S)
            return [], 0
        tally.feed_only += claimed.feed_only
        return claimed.jobs, len(claimed.jobs) + claimed.feed_only

    def _prune_if_due(self, session: Session, *, tolerate: bool) -> None:
        """Once an hour: the answers kept for `Idempotency-Key`s are forgotten
        after their retention (any worker may do it; the others then find none)."""
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_EVERY_S
        try:
            with transaction(session):
                pruned = idempotency.prune(session, self._clock.now() - ANSWER_RETENTION)
        except OperationalError:
            if not tolerate:
                raise
            log.exception("database unavailable: kept answers not pruned; again in an hour")
            return
        if pruned:
            log.info("forgot %d answers kept for Idempotency-Keys", pruned)

    def _next_token(self) -> str:
        return f"{self._worker_id}{next(self._rounds):x}"

    def _post(self, job: Job) -> _Posted:
        """Signs and posts one webhook (in a pool thread; touches no database)."""
        started_at = self._clock.now()
        started = time.perf_counter()
        refused = self._destination_check(job.url) if self._destination_check else None
        try:
            headers = webhook_headers(
                job.secret,
                str(job.event_id),
                int(started_at.timestamp()),
                job.body,
                previous_secret=job.previous_secret,
            )
        except ValueError:
            result = SendResult(None, error="the store's webhook secret is not valid base64")
        else:
            if refused:
                result = SendResult(None, error=refused)
            else:
                result = self._sender.send(WebhookRequest(job.url, job.body, headers))
        latency_ms = round((time.perf_counter() - started) * 1000)
        return _Posted(job, result, started_at, self._clock.now(), latency_ms)

    def _outcome(self, item: _Posted, tally: Tally) -> tuple[Job, Outcome]:
        """What one finished post means for its delivery; counted and logged."""
        outcome = after_attempt(
            attempts_before=item.job.attempts,
            first_attempted_at=item.job.first_attempted_at,
            status_code=item.result.status_code,
            error=_describe(item.result),
            now=item.finished_at,
            policy=self._policy,
            rng=self._rng,
            retry_after=parse_retry_after(item.result.retry_after, item.finished_at)
            if item.result.status_code in RETRY_AFTER_STATUSES
            else None,
        )
        if outcome.status == DeliveryStatus.DELIVERED:
            tally.delivered += 1
        elif outcome.status == DeliveryStatus.DEAD:
            tally.dead += 1
            log.error(
                "webhook of event %s to %s dead-lettered after %d attempts: %s",
                item.job.event_id,
                item.job.url,
                outcome.attempts,
                outcome.last_error,
            )
        else:
            tally.retrying += 1
            log.warning(
                "webhook of event %s to %s failed (attempt %d, next at %s): %s",
                item.job.event_id,
                item.job.url,
                outcome.attempts,
                outcome.next_attempt_at.isoformat(),
                outcome.last_error,
            )
        return item.job, outcome


def _log_entry(item: _Posted, outcome: Outcome) -> AttemptLog:
    """The delivery log's row for one post."""
    return AttemptLog(
        event_id=item.job.event_id,
        attempt=outcome.attempts,
        started_at=item.started_at,
        latency_ms=item.latency_ms,
        status_code=item.result.status_code,
        error=item.result.error,
        response_excerpt=item.result.excerpt,
    )


def _describe(result: SendResult) -> str | None:
    """Why an attempt failed, for the supervisor's dead-letter list."""
    if result.error:
        return result.error
    if result.excerpt:
        return f"HTTP {result.status_code}: {result.excerpt}"
    return None
