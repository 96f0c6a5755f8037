"""The delivery worker against a real database, with a fake sender and a fake clock: what
stores receive, in which order, and what happens when their endpoint fails."""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import hmac
import json
import random
import threading
import uuid

import pytest
from factories import bearer, return_body
from sqlalchemy import select, update

from warehouse.context import SYSTEM, Context
from warehouse.db import transaction
from warehouse.events import delivery
from warehouse.events.models import EventDelivery
from warehouse.events.outbox import append_event
from warehouse.events.rules import DEFAULT_POLICY, after_attempt
from warehouse.events.sending import FakeSender, SendResult, WebhookRequest
from warehouse.events.types import EventType
from warehouse.events.worker import DeliveryWorker
from warehouse.returns.models import Return
from warehouse.stores.models import Store

HOOK_URL = "https://store-a.example/hooks/returns"


@pytest.fixture
def sender():
    return FakeSender()


@pytest.fixture
def worker(app, sender, clock):
    return DeliveryWorker(
        app.extensions["warehouse.sessions"], sender, clock, concurrency=4, rng=random.Random(0)
    )


@pytest.fixture
def hooked_store(make_store):
    """A store with a webhook URL: `(store_id, api_key)`."""
    return make_store("店铺甲 Store A", webhook_url=HOOK_URL)


def new_return(client, api_key) -> str:
    response = client.post("/api/v1/returns", json=return_body(), headers=bearer(api_key))
    assert response.status_code == 201, response.json
    return response.json["id"]


def add_events(app, return_id: str, *types: EventType) -> list[str]:
    """Appends events about a return the way services do, in one transaction."""
    session = app.extensions["warehouse.sessions"]()
    ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
    with transaction(session):
        ret = session.get(Return, uuid.UUID(return_id))
        events = [append_event(session, ctx, ret, type_) for type_ in types]
    session.close()
    return [str(event.id) for event in events]


def state(db, event_id: str) -> EventDelivery:
    """The delivery row as it is now (a new transaction: the last one's snapshot may be old)."""
    db.rollback()
    return db.get(EventDelivery, uuid.UUID(event_id))


def sent_ids(sender: FakeSender) -> list[str]:
    return [request.headers["webhook-id"] for request in sender.sent]


def failing_for(*event_ids: str, status: int = 500):
    """An answer that fails the given events and accepts every other."""

    def _answer(request: WebhookRequest) -> SendResult:
        return SendResult(status if request.headers["webhook-id"] in event_ids else 200)

    return _answer


def verify(secret: str, request: WebhookRequest) -> dict:
    """A store's check of a webhook, written from the Standard Webhooks text alone."""
    key = base64.b64decode(secret.split("_", 1)[1])
    msg_id, timestamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + request.body, hashlib.sha256)
    expected = base64.b64encode(mac.digest()).decode()
    offered = [s.split(",", 1) for s in request.headers["webhook-signature"].split(" ")]
    assert any(v == "v1" and hmac.compare_digest(sig, expected) for v, sig in offered)
    return json.loads(request.body)


def test_each_event_is_posted_once_signed_and_carrying_exactly_the_feed_object(
    app, client, db, hooked_store, worker, sender, clock
):
    store_id, key = hooked_store
    return_id = new_return(client, key)
    ids = add_events(app, return_id, EventType.RETURN_RECEIVED, EventType.RETURN_INSPECTED)

    tally = worker.run_until_idle()

    assert tally.delivered == 2
    assert sent_ids(sender) == ids
    secret = db.get(Store, store_id).webhook_secret
    feed = client.get("/api/v1/events", headers=bearer(key)).json["items"]
    for request, item in zip(sender.sent, feed, strict=True):
        assert request.url == HOOK_URL
        assert request.headers["content-type"] == "application/json"
        assert request.headers["webhook-timestamp"] == str(int(clock.now().timestamp()))
        assert verify(secret, request) == item
    assert all(state(db, i).status == "delivered" for i in ids)
    assert worker.run_until_idle().delivered == 0
    assert len(sender.sent) == 2


def test_every_event_tells_the_store_which_return_it_is_about(
    app, client, hooked_store, worker, sender
):
    _, key = hooked_store
    body = return_body(metadata={"refund_id": "2026112201", "refund_version": "1732233600"})
    ret = client.post("/api/v1/returns", json=body, headers=bearer(key)).json
    add_events(app, ret["id"], EventType.RETURN_RECEIVED)
    worker.run_until_idle()
    data = json.loads(sender.sent[0].body)["data"]
    assert data["return_id"] == ret["id"]
    assert data["external_id"] == body["external_id"]
    assert data["order_id"] == body["order_id"]
    assert data["rma_number"] == ret["rma_number"]
    assert data["status"] == ret["status"]
    assert data["metadata"] == body["metadata"]


def test_a_failed_post_waits_for_its_backoff_and_is_then_posted_again(
    app, client, db, hooked_store, worker, sender, clock
):
    _, key = hooked_store
    [event_id] = add_events(app, new_return(client, key), EventType.RETURN_RECEIVED)
    sender.answer = failing_for(event_id, status=503)

    assert worker.run_until_idle().retrying == 1
    failed = state(db, event_id)
    assert (failed.status, failed.attempts, failed.last_status_code) == ("pending", 1, 503)
    assert failed.next_attempt_at > clock.now()

    worker.run_until_idle()
    assert len(sender.sent) == 1, "not retried before its time"

    clock.advance(seconds=DEFAULT_POLICY.first_ceiling.total_seconds())
    sender.answer = failing_for()
    assert worker.run_until_idle().delivered == 1
    assert sent_ids(sender) == [event_id, event_id]
    delivered = state(db, event_id)
    assert (delivered.status, delivered.attempts) == ("delivered", 2)


def test_a_failing_event_holds_back_later_events_of_its_return_but_not_other_returns(
    app, client, db, hooked_store, worker, sender, clock
):
    _, key = hooked_store
    first, second = add_events(
        app, new_return(client, key), EventType.RETURN_RECEIVED, EventType.RETURN_INSPECTED
    )
    [other] = add_events(app, new_return(client, key), EventType.RETURN_RECEIVED)
    sender.answer = failing_for(first)

    worker.run_until_idle()
    assert set(sent_ids(sender)) == {first, other}
    assert state(db, second).attempts == 0

    clock.advance(hours=1)
    sender.answer = failing_for()
    worker.run_until_idle()
    assert sent_ids(sender)[2:] == [first, second]
    assert state(db, second).status == "delivered"


def test_one_run_delivers_a_returns_whole_chain_in_sequence_order(
    app, client, hooked_store, worker, sender
):
    _, key = hooked_store
    types = [
        EventType.RETURN_RECEIVED,
        EventType.RETURN_INSPECTED,
        EventType.UNIT_DISPOSED,
        EventType.RETURN_REFUND_REQUESTED,
        EventType.RETURN_CLOSED,
    ]
    ids = add_events(app, new_return(client, key), *types)
    assert worker.run_until_idle().delivered == 5
    assert sent_ids(sender) == ids
    assert [json.loads(r.body)["sequence"] for r in sender.sent] == [1, 2, 3, 4, 5]


def test_timeouts_and_refused_connections_are_failed_attempts_with_their_reason(
    app, client, db, hooked_store, worker, sender
):
    _, key = hooked_store
    [event_id] = add_events(app, new_return(client, key), EventType.RETURN_RECEIVED)
    sender.answer = lambda _request: SendResult(None, error="timeout: ReadTimeout")
    worker.run_until_idle()
    failed = state(db, event_id)
    assert failed.status == "pending"
    assert failed.last_status_code is None
    assert failed.last_error == "timeout: ReadTimeout"


def test_an_event_failing_for_a_day_is_dead_lettered_and_holds_back_its_return(
    app, client, db, hooked_store, worker, sender, clock
):
    _, key = hooked_store
    first, second = add_events(
        app, new_return(client, key), EventType.RETURN_RECEIVED, EventType.RETURN_INSPECTED
    )
    sender.answer = lambda _request: SendResult(500, excerpt="upstream down")
    started = clock.now()
    while state(db, first).status == "pending":
        worker.run_until_idle()
        clock.advance(seconds=DEFAULT_POLICY.max_ceiling.total_seconds())

    dead = state(db, first)
    assert dead.status == "dead"
    assert dead.dead_at - started >= dt.timedelta(hours=24)
    assert dead.attempts >= 20
    assert dead.last_error == "HTTP 500: upstream down"
    assert second not in sent_ids(sender)
    clock.advance(days=3)
    worker.run_until_idle()
    assert state(db, second).status == "pending"
    assert second not in sent_ids(sender), "a dead event keeps holding back its return"


def test_a_store_without_a_webhook_url_gets_nothing_posted_and_its_events_stay_in_the_feed(
    app, client, db, make_store, worker, sender
):
    _, key = make_store("店铺乙 feed only")
    ids = add_events(app, new_return(client, key), EventType.RETURN_RECEIVED)
    tally = worker.run_until_idle()
    assert sender.sent == []
    assert tally.delivered == 0
    assert state(db, ids[0]).status == "skipped"
    feed = client.get("/api/v1/events", headers=bearer(key)).json["items"]
    assert [item["id"] for item in feed] == ids


def test_a_store_that_removed_its_webhook_url_gets_nothing_more_posted(
    app, client, db, hooked_store, worker, sender
):
    store_id, key = hooked_store
    [event_id] = add_events(app, new_return(client, key), EventType.RETURN_RECEIVED)
    with transaction(db):
        db.execute(update(Store).where(Store.id == store_id).values(webhook_url=None))
    assert worker.run_until_idle().feed_only == 1
    assert sender.sent == []
    assert state(db, event_id).status == "skipped"


def test_a_claim_left_by_a_crashed_worker_is_taken_over_once_its_lease_runs_out(
    app, client, db, hooked_store, worker, sender, clock
):
    _, key = hooked_store
    [event_id] = add_events(app, new_return(client, key), EventType.RETURN_RECEIVED)
    crashed = app.extensions["warehouse.sessions"]()
    [orphan] = delivery.claim(crashed, now=clock.now(), limit=10).jobs
    crashed.close()

    worker.run_until_idle()
    assert sender.sent == [], "a live lease is respected"

    clock.advance(seconds=delivery.DEFAULT_LEASE.total_seconds())
    assert worker.run_until_idle().delivered == 1

    # The crashed worker wakes up and writes a failure: its claim is gone, nothing changes.
    late = after_attempt(
        attempts_before=0,
        first_attempted_at=None,
        status_code=500,
        error=None,
        now=clock.now(),
    )
    stale = app.extensions["warehouse.sessions"]()
    delivery.record(stale, [(orphan, late)])
    stale.close()
    assert state(db, event_id).status == "delivered"


def test_two_workers_at_once_post_every_event_exactly_once_and_in_order_per_return(
    app, client, db, hooked_store, clock
):
    """On PostgreSQL the workers race for rows (SKIP LOCKED); on SQLite they take turns."""
    _, key = hooked_store
    types = [EventType.RETURN_RECEIVED, EventType.RETURN_INSPECTED, EventType.UNIT_DISPOSED]
    chains = {}
    for _ in range(12):
        return_id = new_return(client, key)
        chains[return_id] = add_events(app, return_id, *types)
    expected = {event_id for chain in chains.values() for event_id in chain}

    posted, lock = [], threading.Lock()
    # Each worker's first post waits for the other's: both really have posts in flight at once.
    both_posting = threading.Barrier(2, timeout=30)

    def sender_of_one_worker() -> FakeSender:
        first = [True]

        def answer(request: WebhookRequest) -> SendResult:
            with lock:
                posted.append(request.headers["webhook-id"])
                wait, first[0] = first[0], False
            if wait:
                both_posting.wait()
            return SendResult(200)

        return FakeSender(answer=answer)

    sessions = app.extensions["warehouse.sessions"]
    workers = [
        DeliveryWorker(sessions, sender_of_one_worker(), clock, concurrency=6, rng=random.Random(n))
        for n in range(2)
    ]
    start = threading.Barrier(len(workers))
    tallies, errors = [], []

    def run(worker):
        try:
            start.wait()
            tallies.append(worker.run_until_idle())
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert collections.Counter(posted) == collections.Counter(expected)
    assert sorted(t.delivered for t in tallies)[0] > 0, "both workers delivered"
    assert sum(t.delivered for t in tallies) == len(expected)
    for chain in chains.values():
        assert [i for i in posted if i in chain] == chain
    db.rollback()
    statuses = db.scalars(select(EventDelivery.status)).all()
    assert set(statuses) == {"delivered"}
