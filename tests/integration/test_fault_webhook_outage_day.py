"""Fault drill: a store's webhook endpoint down for a simulated day while the centre keeps
working (a return received every hour, inspected three hours later), with the delivery
worker running every ten simulated minutes on the injectable clock.

Back within the retry horizon (24 h from an event's first attempt): every event arrives,
each exactly once, in per-return order, nothing dead-lettered. Back after it: only events
that failed for the whole horizon are dead, the rest of their return waits behind them,
and a replay delivers everything, still in order and none lost.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading

import pytest
from factories import line
from inspection_fixtures import GOOD_APPAREL, Floor
from sqlalchemy import select

from warehouse.events.models import Event, EventDelivery
from warehouse.events.rules import DEFAULT_POLICY
from warehouse.events.sending import SendResult, WebhookRequest
from warehouse.events.worker import DeliveryWorker

HOOK_URL = "https://store-a.example/hooks/returns"
HORIZON = DEFAULT_POLICY.give_up_after
STEP = dt.timedelta(minutes=10)
WORKING_HOURS = 20  # a return received each hour; each inspected three hours later
REFUSED = "ConnectError: [Errno 111] Connection refused"


class StoreEndpoint:
    """The store's endpoint as the worker meets it: refusing connections while down, else
    answering 204. Logs every post in the order made, with whether it was acknowledged."""

    def __init__(self) -> None:
        self.up = False
        self.posts: list[tuple[str, dict, bool]] = []  # (webhook-id, body, acknowledged)
        self._lock = threading.Lock()

    def send(self, request: WebhookRequest) -> SendResult:
        with self._lock:
            up = self.up
            self.posts.append((request.headers["webhook-id"], json.loads(request.body), up))
        return SendResult(204) if up else SendResult(None, error=REFUSED)

    def acknowledged(self) -> list[dict]:
        return [body for _id, body, ok in self.posts if ok]


@pytest.fixture
def endpoint():
    return StoreEndpoint()


@pytest.fixture
def worker(app, endpoint, clock):
    return DeliveryWorker(
        app.extensions["warehouse.sessions"], endpoint, clock, concurrency=4, rng=random.Random(9)
    )


@pytest.fixture
def hooked(make_store):
    return make_store("店铺甲 Store A", webhook_url=HOOK_URL)


def run_for(worker, clock, duration: dt.timedelta, each_step=None) -> None:
    """The worker as `warehouse deliver` runs it, every STEP of simulated time."""
    end = clock.now() + duration
    while clock.now() < end:
        if each_step:
            each_step()
        worker.run_until_idle()
        clock.advance(seconds=STEP.total_seconds())


class DayAtTheCentre:
    """A return received each hour and inspected three hours later, through the API, each
    making its events (received; inspected and refund requested) at its own time."""

    def __init__(self, app, client, store, staff_token, clock) -> None:
        self.args = (app, client, store, staff_token)
        self.clock = clock
        self.started = clock.now()
        self.floor = Floor(*self.args)
        self.floor.checklist("apparel")
        self.signed_in_at = clock.now()
        self.waiting: list[tuple[dt.datetime, list[str]]] = []
        self.returns = 0

    def step(self) -> None:
        now = self.clock.now()
        if now - self.signed_in_at >= dt.timedelta(hours=8):  # staff tokens last 12 hours
            self.floor, self.signed_in_at = Floor(*self.args), now
        while self.waiting and self.waiting[0][0] <= now:
            for lpn in self.waiting.pop(0)[1]:
                self.floor.inspected(lpn, GOOD_APPAREL)
        hours = (now - self.started) / dt.timedelta(hours=1)
        if hours < WORKING_HOURS and self.returns <= hours:
            skus = [f"TEE-{self.returns}", f"SHIRT-{self.returns}"]
            ret = self.floor.create_return([line(sku=s, gtin=None) for s in skus])
            lpns = self.floor.receive(ret, skus)
            self.waiting.append((now + dt.timedelta(hours=3), lpns))
            self.returns += 1


def deliveries(db) -> dict[str, EventDelivery]:
    db.rollback()
    return {str(d.event_id): d for d in db.scalars(select(EventDelivery))}


def feed(db) -> list[Event]:
    db.rollback()
    return list(db.scalars(select(Event).order_by(Event.sequence)))


def assert_in_order_per_return(endpoint: StoreEndpoint, events: list[Event]) -> None:
    """No event of a return was posted before every earlier event of it was acknowledged."""
    by_id = {str(e.id): e for e in events}
    acknowledged: set[str] = set()
    for event_id, _body, ok in endpoint.posts:
        event = by_id[event_id]
        earlier = {
            str(e.id)
            for e in events
            if e.return_id == event.return_id and e.sequence < event.sequence
        }
        assert earlier <= acknowledged, f"{event.type} posted before its return's earlier events"
        if ok:
            acknowledged.add(event_id)


def test_a_store_down_for_most_of_a_day_gets_every_event_after_in_order_none_dead(
    app, client, hooked, staff_token, clock, worker, endpoint, db
):
    day = DayAtTheCentre(app, client, hooked, staff_token, clock)
    down_for = HORIZON - dt.timedelta(hours=1)
    run_for(worker, clock, down_for, day.step)
    events = feed(db)
    states = deliveries(db)
    assert len(events) == WORKING_HOURS * 3, "received, inspected and refund requested each"
    assert endpoint.acknowledged() == []
    assert {d.status for d in states.values()} == {"pending"}, "dead before the horizon"
    failed_posts = len(endpoint.posts)

    endpoint.up = True
    back = clock.now()
    run_for(worker, clock, DEFAULT_POLICY.max_ceiling * 2)

    states = deliveries(db)
    assert {d.status for d in states.values()} == {"delivered"}
    delivered = endpoint.acknowledged()
    assert sorted(m["id"] for m in delivered) == sorted(str(e.id) for e in events), "each once"
    feed_objects = {
        m["id"]: m
        for m in client.get("/api/v1/events?limit=200", headers=day.floor.store).json["items"]
    }
    assert all(feed_objects[m["id"]] == m for m in delivered), "the body is the feed's object"
    assert_in_order_per_return(endpoint, events)
    # Backoff is capped at an hour: the store has everything within about an hour of coming back.
    last = max(d.delivered_at for d in states.values())
    assert last - back <= DEFAULT_POLICY.max_ceiling + STEP
    print(
        f"\n{len(events)} events of {day.returns} returns; {failed_posts} refused posts during "
        f"{down_for}; all delivered {last - back} after the store came back"
    )


def test_a_store_down_past_the_horizon_gets_dead_letters_only_past_it_and_a_replay_delivers_all(
    app, client, hooked, staff_token, clock, worker, endpoint, db, runner
):
    day = DayAtTheCentre(app, client, hooked, staff_token, clock)
    run_for(worker, clock, HORIZON + dt.timedelta(hours=6), day.step)
    events = feed(db)
    states = deliveries(db)
    back = clock.now()

    dead = [d for d in states.values() if d.status == "dead"]
    assert dead, "six hours past the horizon, the first events must have been given up on"
    for letter in dead:
        # Given up at the first failure past the horizon, never before it.
        assert letter.dead_at - letter.first_attempted_at >= HORIZON
        assert letter.dead_at - letter.first_attempted_at <= HORIZON + DEFAULT_POLICY.max_ceiling
        assert letter.last_error == REFUSED
    for delivery in states.values():
        if delivery.status == "pending" and delivery.first_attempted_at is not None:
            assert back - delivery.first_attempted_at < HORIZON + DEFAULT_POLICY.max_ceiling + STEP
    dead_returns = {d.return_id for d in dead}
    assert len(dead_returns) < day.returns, "returns first tried within the horizon are not dead"

    endpoint.up = True
    run_for(worker, clock, DEFAULT_POLICY.max_ceiling * 2)
    states = deliveries(db)
    for delivery in states.values():
        if delivery.return_id in dead_returns:
            assert delivery.status in ("dead", "pending"), "held back behind its dead letter"
        else:
            assert delivery.status == "delivered"

    result = runner.invoke(args=["events", "replay", "--dead"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"replayed {len(dead)} webhook(s)"
    run_for(worker, clock, DEFAULT_POLICY.max_ceiling)

    states = deliveries(db)
    assert {d.status for d in states.values()} == {"delivered"}
    delivered = endpoint.acknowledged()
    assert sorted(m["id"] for m in delivered) == sorted(str(e.id) for e in events), "none lost"
    assert_in_order_per_return(endpoint, events)
    print(
        f"\n{len(events)} events of {day.returns} returns; down {HORIZON + dt.timedelta(hours=6)}"
        f": {len(dead)} dead letters ({len(dead_returns)} returns held back), "
        f"{len(endpoint.posts)} posts in all; all delivered after one replay"
    )
