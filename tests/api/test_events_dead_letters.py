"""Supervisors see the webhooks given up on after a day, learn why, and replay them once the
store's endpoint works again; the store then gets them, and what they held back, in order."""

from __future__ import annotations

import random
import uuid

import pytest
from factories import bearer, return_body
from sqlalchemy import select, update

from warehouse.audit.models import AuditEntry
from warehouse.context import SYSTEM, Context
from warehouse.db import transaction
from warehouse.events.models import EventDelivery
from warehouse.events.outbox import append_event
from warehouse.events.rules import DEFAULT_POLICY
from warehouse.events.sending import FakeSender, SendResult
from warehouse.events.types import EventType
from warehouse.events.worker import DeliveryWorker
from warehouse.returns.models import Return

DEAD = "/api/v1/events/dead"


@pytest.fixture
def sender():
    return FakeSender()


@pytest.fixture
def worker(app, sender, clock):
    return DeliveryWorker(
        app.extensions["warehouse.sessions"], sender, clock, concurrency=2, rng=random.Random(0)
    )


@pytest.fixture
def hooked(make_store):
    return make_store("店铺甲 Store A", webhook_url="https://store-a.example/hooks")


def events_about_a_new_return(app, client, api_key, *types) -> list[str]:
    ret = client.post("/api/v1/returns", json=return_body(), headers=bearer(api_key)).json
    session = app.extensions["warehouse.sessions"]()
    ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
    with transaction(session):
        row = session.get(Return, uuid.UUID(ret["id"]))
        events = [append_event(session, ctx, row, type_) for type_ in types]
    session.close()
    return [str(event.id) for event in events]


def mark_dead(app, event_id: str) -> None:
    """Arranges a dead letter directly (the worker test proves how one comes about)."""
    session = app.extensions["warehouse.sessions"]()
    now = app.extensions["warehouse.clock"].now()
    with transaction(session):
        session.execute(
            update(EventDelivery)
            .where(EventDelivery.event_id == uuid.UUID(event_id))
            .values(status="dead", attempts=31, last_status_code=410, dead_at=now)
        )
    session.close()


def test_a_day_of_failures_shows_up_as_a_dead_letter_and_a_replay_delivers_it_and_the_rest(
    app, client, hooked, worker, sender, clock, staff_token
):
    _, key = hooked
    first, second = events_about_a_new_return(
        app, client, key, EventType.RETURN_RECEIVED, EventType.RETURN_REFUND_REQUESTED
    )
    sender.answer = lambda _request: SendResult(502, excerpt="<html>Bad gateway</html>")
    for _ in range(40):  # hourly at most: past a day within 40 runs
        worker.run_until_idle()
        clock.advance(seconds=DEFAULT_POLICY.max_ceiling.total_seconds())
    supervisor = staff_token("supervisor")

    [letter] = client.get(DEAD, headers=bearer(supervisor)).json["items"]
    assert letter["event"]["id"] == first
    assert letter["event"]["type"] == "return.received"
    assert letter["status"] == "dead"
    assert letter["last_status_code"] == 502
    assert letter["last_error"] == "HTTP 502: <html>Bad gateway</html>"
    assert letter["attempts"] > 20
    assert letter["dead_at"] is not None

    sender.answer = lambda _request: SendResult(200)
    replayed = client.post(f"/api/v1/events/{first}/replay", headers=bearer(supervisor))
    assert replayed.status_code == 200
    assert (replayed.json["status"], replayed.json["attempts"]) == ("pending", 0)
    assert replayed.json["dead_at"] is None

    sent_before = len(sender.sent)
    assert worker.run_until_idle().delivered == 2
    assert [r.headers["webhook-id"] for r in sender.sent[sent_before:]] == [first, second]
    assert client.get(DEAD, headers=bearer(supervisor)).json["items"] == []


def test_a_replay_is_kept_on_the_record_with_who_did_it(app, client, db, hooked, staff_token):
    _, key = hooked
    [event_id] = events_about_a_new_return(app, client, key, EventType.RETURN_RECEIVED)
    mark_dead(app, event_id)
    client.post(f"/api/v1/events/{event_id}/replay", headers=bearer(staff_token("supervisor")))
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "event.replayed"))
    assert entry.object_id == event_id
    assert entry.actor_kind == "staff"
    assert entry.before["status"] == "dead"
    assert entry.before["last_status_code"] == 410
    assert entry.after == {"status": "pending"}


def test_replaying_a_webhook_that_is_not_dead_is_a_conflict(app, client, hooked, staff_token):
    _, key = hooked
    [event_id] = events_about_a_new_return(app, client, key, EventType.RETURN_RECEIVED)
    response = client.post(
        f"/api/v1/events/{event_id}/replay", headers=bearer(staff_token("supervisor"))
    )
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert "pending" in response.json["detail"]


@pytest.mark.parametrize("event_id", [str(uuid.UUID(int=7)), "not-an-id"])
def test_replaying_an_unknown_event_is_404(client, staff_token, event_id):
    response = client.post(
        f"/api/v1/events/{event_id}/replay", headers=bearer(staff_token("supervisor"))
    )
    assert response.status_code == 404


def test_dead_letters_can_be_narrowed_to_one_store_and_paged(
    app, client, hooked, make_store, staff_token
):
    store_a, key_a = hooked
    _, key_b = make_store("店铺乙 Store B", webhook_url="https://store-b.example/hooks")
    dead_a = [events_about_a_new_return(app, client, key_a, EventType.RETURN_RECEIVED)[0]]
    dead_a += events_about_a_new_return(app, client, key_a, EventType.RETURN_RECEIVED)
    [dead_b] = events_about_a_new_return(app, client, key_b, EventType.RETURN_RECEIVED)
    for event_id in [*dead_a, dead_b]:
        mark_dead(app, event_id)
    token = staff_token("supervisor")

    everything = client.get(DEAD, headers=bearer(token)).json["items"]
    assert {item["event"]["id"] for item in everything} == {*dead_a, dead_b}

    first = client.get(
        DEAD, query_string={"store_id": str(store_a), "limit": 1}, headers=bearer(token)
    ).json
    second = client.get(
        DEAD,
        query_string={"store_id": str(store_a), "limit": 1, "cursor": first["next_cursor"]},
        headers=bearer(token),
    ).json
    assert [i["event"]["id"] for i in first["items"] + second["items"]] == dead_a
    assert second["next_cursor"] is None


@pytest.mark.parametrize("who", ["store", "receiver", "inspector"])
def test_only_supervisors_see_dead_letters_and_replay_them(app, client, hooked, staff_token, who):
    _, key = hooked
    [event_id] = events_about_a_new_return(app, client, key, EventType.RETURN_RECEIVED)
    mark_dead(app, event_id)
    credential = key if who == "store" else staff_token(who)
    assert client.get(DEAD, headers=bearer(credential)).status_code == 403
    replay = client.post(f"/api/v1/events/{event_id}/replay", headers=bearer(credential))
    assert replay.status_code == 403
    supervisor = staff_token("supervisor")
    assert [
        i["event"]["id"] for i in client.get(DEAD, headers=bearer(supervisor)).json["items"]
    ] == [event_id]
