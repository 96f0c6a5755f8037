"""When a webhook counts as delivered, how long the worker waits before trying again, and
when it gives up: pure rules, no database."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from warehouse.events.rules import (
    DEFAULT_POLICY,
    DeliveryStatus,
    RetryPolicy,
    after_attempt,
    is_delivered,
    retry_ceiling,
    retry_delay,
)

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_any_2xx_answer_is_delivery(code):
    assert is_delivered(code)


@pytest.mark.parametrize("code", [None, 100, 301, 302, 307, 400, 404, 410, 429, 500, 503])
def test_redirects_errors_and_no_answer_at_all_are_not_delivery(code):
    assert not is_delivered(code)


def test_the_ceiling_doubles_with_each_failure_then_stays_at_the_cap():
    policy = RetryPolicy(first_ceiling=dt.timedelta(seconds=10), max_ceiling=HOUR)
    ceilings = [retry_ceiling(n, policy).total_seconds() for n in range(1, 12)]
    assert ceilings[:5] == [10, 20, 40, 80, 160]
    assert ceilings[-1] == 3600
    assert ceilings == sorted(ceilings)
    assert retry_ceiling(10_000, policy) == HOUR


def test_waits_are_spread_over_the_whole_window_not_bunched_at_the_ceiling():
    rng = random.Random(7)
    waits = [retry_delay(6, DEFAULT_POLICY, rng).total_seconds() for _ in range(2000)]
    ceiling = retry_ceiling(6).total_seconds()
    assert min(waits) >= DEFAULT_POLICY.min_delay.total_seconds()
    assert max(waits) <= ceiling
    # Full jitter: a quarter of the waits fall in each quarter of the window, roughly.
    below_quarter = sum(w < ceiling / 4 for w in waits) / len(waits)
    above_three_quarters = sum(w > ceiling * 3 / 4 for w in waits) / len(waits)
    assert 0.2 < below_quarter < 0.3
    assert 0.2 < above_three_quarters < 0.3


def test_a_retry_is_never_sooner_than_the_floor():
    class Zero(random.Random):
        def uniform(self, a, b):
            return 0.0

    assert retry_delay(1, DEFAULT_POLICY, Zero()) == DEFAULT_POLICY.min_delay


def test_a_2xx_answer_marks_the_event_delivered_and_counts_the_attempt():
    outcome = after_attempt(
        attempts_before=2,
        first_attempted_at=T0,
        status_code=204,
        error=None,
        now=T0 + HOUR,
        rng=random.Random(1),
    )
    assert outcome.status == DeliveryStatus.DELIVERED
    assert outcome.attempts == 3
    assert outcome.delivered_at == T0 + HOUR
    assert outcome.first_attempted_at == T0
    assert outcome.last_error is None


def test_a_failed_first_attempt_is_rescheduled_within_the_first_ceiling_and_says_why():
    outcome = after_attempt(
        attempts_before=0,
        first_attempted_at=None,
        status_code=503,
        error=None,
        now=T0,
        rng=random.Random(1),
    )
    assert outcome.status == DeliveryStatus.PENDING
    assert outcome.first_attempted_at == T0
    assert T0 + DEFAULT_POLICY.min_delay <= outcome.next_attempt_at
    assert outcome.next_attempt_at <= T0 + DEFAULT_POLICY.first_ceiling
    assert outcome.last_status_code == 503
    assert outcome.last_error == "HTTP 503"


def test_a_timeout_is_a_failed_attempt_with_its_reason_and_no_status():
    outcome = after_attempt(
        attempts_before=0,
        first_attempted_at=None,
        status_code=None,
        error="timeout: ReadTimeout",
        now=T0,
        rng=random.Random(1),
    )
    assert outcome.status == DeliveryStatus.PENDING
    assert outcome.last_status_code is None
    assert outcome.last_error == "timeout: ReadTimeout"


def test_failures_are_retried_until_a_day_after_the_first_attempt_then_dead_lettered():
    just_before = after_attempt(
        attempts_before=40,
        first_attempted_at=T0,
        status_code=500,
        error=None,
        now=T0 + dt.timedelta(hours=24) - dt.timedelta(seconds=1),
        rng=random.Random(1),
    )
    assert just_before.status == DeliveryStatus.PENDING
    at_a_day = after_attempt(
        attempts_before=41,
        first_attempted_at=T0,
        status_code=500,
        error=None,
        now=T0 + dt.timedelta(hours=24),
        rng=random.Random(1),
    )
    assert at_a_day.status == DeliveryStatus.DEAD
    assert at_a_day.dead_at == T0 + dt.timedelta(hours=24)
    assert at_a_day.attempts == 42


def test_a_failing_endpoint_is_tried_many_times_over_the_day_before_it_is_given_up():
    rng = random.Random(3)
    now, first, attempts = T0, None, 0
    while True:
        outcome = after_attempt(
            attempts_before=attempts,
            first_attempted_at=first,
            status_code=500,
            error=None,
            now=now,
            rng=rng,
        )
        if outcome.status == DeliveryStatus.DEAD:
            break
        now, first, attempts = outcome.next_attempt_at, outcome.first_attempted_at, outcome.attempts
    assert now - T0 >= dt.timedelta(hours=24)
    assert now - T0 < dt.timedelta(hours=25)
    assert outcome.attempts >= 30
