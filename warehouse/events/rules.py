"""The rules of webhook delivery, in plain Python: what counts as delivered, when to retry,
when to give up. No Flask, no database, no HTTP: the worker asks these and writes the answer.

A 2xx answer is delivery. Anything else, a timeout or a refused connection is a failed attempt,
retried after an exponential backoff with full jitter (a random wait between a small floor and
a ceiling that doubles per attempt, capped), so a store coming back after an outage is not hit
by every event at the same second. Retries go on for at least `give_up_after` (24 hours) from
the first attempt; the first failure after that dead-letters the event, to be replayed by a
supervisor.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import re
from dataclasses import dataclass
from enum import StrEnum


class DeliveryStatus(StrEnum):
    """Where the webhook of one event stands."""

    PENDING = "pending"  # to be sent (now, or at `next_attempt_at`)
    DELIVERED = "delivered"  # the store answered 2xx
    DEAD = "dead"  # retried for the whole window; waits for a supervisor's replay
    SKIPPED = "skipped"  # the store has no webhook URL: feed only, nothing is posted


#: States of an earlier event of the same return that hold a later one back: per-return order
#: means the store never gets event n+1 of a return before it has acknowledged event n.
BLOCKING_STATUSES = frozenset({DeliveryStatus.PENDING, DeliveryStatus.DEAD})


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between attempts, and how long to keep trying."""

    #: Ceiling of the random wait after the first failure; it doubles per further failure.
    first_ceiling: dt.timedelta = dt.timedelta(seconds=10)
    #: The ceiling stops doubling here.
    max_ceiling: dt.timedelta = dt.timedelta(hours=1)
    #: No retry sooner than this, so a failing store is never hammered in a tight loop.
    min_delay: dt.timedelta = dt.timedelta(seconds=1)
    #: Failures keep being retried until this long after the first attempt.
    give_up_after: dt.timedelta = dt.timedelta(hours=24)


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class Outcome:
    """The delivery state after one attempt, as the worker writes it back."""

    status: DeliveryStatus
    attempts: int
    first_attempted_at: dt.datetime
    last_attempted_at: dt.datetime
    next_attempt_at: dt.datetime
    last_status_code: int | None
    last_error: str | None = None
    delivered_at: dt.datetime | None = None
    dead_at: dt.datetime | None = None


def is_delivered(status_code: int | None) -> bool:
    """Only a 2xx answer is delivery (a redirect is not followed, so it is a failure)."""
    return status_code is not None and 200 <= status_code < 300


def retry_ceiling(failures: int, policy: RetryPolicy = DEFAULT_POLICY) -> dt.timedelta:
    """The longest wait after the `failures`-th failure in a row: doubling, then capped."""
    if failures < 1:
        raise ValueError("a retry follows at least one failure")
    # Doubling past the cap overflows nothing, but stop early to keep the numbers small.
    exponent = min(failures - 1, 40)
    return min(policy.max_ceiling, policy.first_ceiling * (2**exponent))


def retry_delay(
    failures: int, policy: RetryPolicy = DEFAULT_POLICY, rng: random.Random | None = None
) -> dt.timedelta:
    """A random wait in [min_delay, ceiling]: "full jitter" spreads the retries of many events."""
    ceiling = retry_ceiling(failures, policy)
    drawn = (rng or random).uniform(0.0, ceiling.total_seconds())
    return max(policy.min_delay, dt.timedelta(seconds=drawn))


def after_attempt(
    *,
    attempts_before: int,
    first_attempted_at: dt.datetime | None,
    status_code: int | None,
    error: str | None,
    now: dt.datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
    rng: random.Random | None = None,
    retry_after: dt.timedelta | None = None,
) -> Outcome:
    """The state after an attempt that ended at `now` with an HTTP status or a transport error.

    `attempts_before` counts the attempts since the event was first queued or last replayed,
    so the backoff starts small again after a replay. `retry_after` is the wait a store asked
    for (a 429 or 503 with `Retry-After`): honoured, within `min_delay` and `max_ceiling`.
    """
    attempts = attempts_before + 1
    first = first_attempted_at or now
    common = {
        "attempts": attempts,
        "first_attempted_at": first,
        "last_attempted_at": now,
        "last_status_code": status_code,
    }
    if is_delivered(status_code):
        return Outcome(
            status=DeliveryStatus.DELIVERED, next_attempt_at=now, delivered_at=now, **common
        )
    reason = error or f"HTTP {status_code}"
    if now - first >= policy.give_up_after:
        return Outcome(
            status=DeliveryStatus.DEAD,
            next_attempt_at=now,
            last_error=reason,
            dead_at=now,
            **common,
        )
    delay = (
        min(policy.max_ceiling, max(policy.min_delay, retry_after))
        if retry_after is not None
        else retry_delay(attempts, policy, rng)
    )
    return Outcome(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now + delay,
        last_error=reason,
        **common,
    )


#: `Retry-After` as a number of seconds (RFC 9110: 1*DIGIT).
_DELAY_SECONDS = re.compile(r"[0-9]+")
#: Answers whose `Retry-After` header is honoured: the store says when it can take more.
RETRY_AFTER_STATUSES = frozenset({429, 503})


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """The wait a `Retry-After` header asks for (seconds, or an HTTP date), or None when it
    is absent or unreadable (the usual backoff applies then)."""
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        # ASCII digits only ("¹".isdigit() is true, int("¹") raises); a number too long
        # to mean anything is a very long wait, which the policy's ceiling caps.
        return dt.timedelta(seconds=int(value) if len(value) <= 9 else 10**9)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(dt.timedelta(0), when - now)
