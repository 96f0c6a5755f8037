"""Webhooks end to end: returns driven through the API, the delivery worker posting over real
HTTP to a store endpoint on 127.0.0.1, and the store verifying every delivery with the
`standardwebhooks` library (the store's clock reads the test's FakeClock)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import standardwebhooks
from factories import line
from inspection_fixtures import GOOD_APPAREL, Floor

from warehouse.db import transaction
from warehouse.events import delivery
from warehouse.events.sending import HttpxSender
from warehouse.events.worker import DeliveryWorker
from warehouse.stores.models import Store

STAINED = {**GOOD_APPAREL, "stains": True}


class StoreEndpoint:
    """A store's webhook endpoint: verifies each post with `standardwebhooks`, records it,
    and answers as told: `"ok"` (204), `"error"` (500) or `"hang"` (answers too late)."""

    def __init__(self) -> None:
        self.secrets: list[str] = []
        self.mode = "ok"
        self.attempts: list[str] = []  # webhook-id of every post, whatever was answered
        self.delivered: list[tuple[dict[str, str], bytes]] = []  # acknowledged posts
        self.verified_with: list[list[str]] = []  # per acknowledged post: the secrets that verify
        self.hang = threading.Event()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                endpoint.attempts.append(headers["webhook-id"])
                if endpoint.mode == "hang":
                    endpoint.hang.wait(2)  # past the worker's read timeout
                    self.close_connection = True
                    return
                if endpoint.mode == "error":
                    self._answer(500, b'{"error":"database down"}')
                    return
                verified = [s for s in endpoint.secrets if _verifies(s, headers, body)]
                if not verified:
                    self._answer(401, b"bad signature")
                    return
                endpoint.delivered.append((headers, body))
                endpoint.verified_with.append(verified)
                self._answer(204, b"")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def messages(self) -> list[dict]:
        return [json.loads(body) for _headers, body in self.delivered]

    def close(self) -> None:
        self.hang.set()
        self.server.shutdown()
        self.server.server_close()


def _verifies(secret: str, headers: dict[str, str], body: bytes) -> bool:
    try:
        standardwebhooks.Webhook(secret).verify(body, headers)
    except standardwebhooks.WebhookVerificationError:
        return False
    return True


@pytest.fixture
def settings(settings):
    """The store's endpoint is on 127.0.0.1, so private webhook addresses are allowed."""
    return dataclasses.replace(settings, webhook_allow_private=True)


@pytest.fixture(autouse=True)
def store_clock(monkeypatch, clock):
    """The store checks webhook timestamps against the same (fake) time the worker signs at."""

    class ClockTime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return clock.now()

    monkeypatch.setattr("standardwebhooks.webhooks.datetime", ClockTime)


@pytest.fixture
def endpoint():
    endpoint = StoreEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture
def store(make_store, endpoint, db):
    store_id, api_key = make_store("店铺甲 Store A", webhook_url=endpoint.url)
    endpoint.secrets.append(db.get(Store, store_id).webhook_secret)
    return store_id, api_key


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    return floor


@pytest.fixture
def worker(app):
    sender = HttpxSender(connect_timeout_s=1.0, read_timeout_s=0.3)
    yield DeliveryWorker.for_app(app, sender, concurrency=4)
    sender.close()


def deliver_all(worker, clock, rounds: int = 10) -> None:
    """Runs the worker until nothing is due, moving time past every retry's wait."""
    for _ in range(rounds):
        tally = worker.run_until_idle()
        if not (tally.delivered or tally.retrying):
            return
        clock.advance(hours=1)


def feed(floor) -> list[dict]:
    """The store's whole events feed, as it would poll it."""
    items, cursor = [], None
    while True:
        query = {"limit": 100, **({"after": cursor} if cursor else {})}
        page = floor.client.get("/api/v1/events", query_string=query, headers=floor.store).json
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items


def by_return(messages: list[dict]) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for message in messages:
        order.setdefault(message["data"]["return_id"], []).append(message["sequence"])
    return order


def resolve_shortage(floor, note: str) -> None:
    [short] = floor.client.get("/api/v1/exceptions?kind=short", headers=floor.supervisor).json[
        "items"
    ]
    answer = floor.client.post(
        f"/api/v1/exceptions/{short['id']}/resolve",
        headers=floor.supervisor,
        json={"action": "accept", "note": note},
    )
    assert answer.status_code == 200, answer.json


def two_tees(floor, **overrides) -> dict:
    return floor.create_return(
        [
            line(sku="TEE", gtin=None, quantity=2, unit_price=9900),
            line(sku="MUG", gtin=None, category="apparel", quantity=1, unit_price=3500),
        ],
        **overrides,
    )


def test_every_decision_reaches_the_store_signed_in_order_and_exactly_as_the_feed_shows_it(
    floor, endpoint, worker, clock
):
    express = two_tees(floor, express_refund=True)
    for lpn in floor.receive(express, ["TEE", "TEE", "MUG"]):
        floor.inspected(lpn)
    inspected = two_tees(floor)
    tee1, tee2, mug = floor.receive(inspected, ["TEE", "TEE", "MUG"])
    floor.inspected(tee1)
    floor.inspected(tee2, STAINED, photo_ids=[floor.photo(tee2)])
    floor.inspected(mug)
    partial = two_tees(floor)
    for lpn in floor.receive(partial, ["TEE", "MUG"]):
        floor.inspected(lpn)
    resolve_shortage(floor, "买家只寄回一件")
    exchange = floor.create_return([line(sku="SOCK", gtin=None)], exchange=True)
    [sock] = floor.receive(exchange, ["SOCK"])
    floor.inspected(sock)
    empty = floor.create_return([line(sku="CAP", gtin=None)])
    floor.receive(empty, [])
    [parcel] = floor.client.get(
        "/api/v1/exceptions?kind=empty_parcel", headers=floor.supervisor
    ).json["items"]
    floor.client.post(
        f"/api/v1/exceptions/{parcel['id']}/resolve",
        headers=floor.supervisor,
        json={"action": "reject", "note": "空包"},
    )
    amount = floor.events("return.refund_requested")[1].data["amount"]
    confirmed = floor.client.post(
        f"/api/v1/returns/{inspected['id']}/refund-confirmation",
        json={"refund_id": "RF1", "amount": amount},
        headers=floor.store,
    )
    assert confirmed.status_code == 200, confirmed.json

    deliver_all(worker, clock)

    delivered = endpoint.messages()
    in_sequence = sorted(delivered, key=lambda m: m["sequence"])
    assert in_sequence == feed(floor), "the feed matches what was delivered, body for body"
    assert len({m["id"] for m in delivered}) == len(delivered), "each event once"
    assert all(seqs == sorted(seqs) for seqs in by_return(delivered).values())
    assert all(
        h["webhook-id"] == m["id"] for (h, _b), m in zip(endpoint.delivered, delivered, strict=True)
    )

    def of(ret, type_):
        return [
            m["data"]
            for m in delivered
            if m["data"]["return_id"] == ret["id"] and m["type"] == type_
        ]

    [fast] = of(express, "return.refund_requested")
    assert (fast["mode"], fast["amount"]) == ("express", 9900 * 2 + 3500)
    [after] = of(inspected, "return.refund_requested")
    assert (after["mode"], after["amount"]) == ("after_inspection", 9900 * 2 - 2970 + 3500)
    assert [ln["deduction"] for ln in after["lines"]] == [2970, 0]
    [short] = of(partial, "return.refund_requested")
    assert [(ln["quantity"], ln["amount"]) for ln in short["lines"]] == [(1, 9900), (1, 3500)]
    assert of(exchange, "return.exchange_requested")[0]["lines"][0]["quantity"] == 1
    assert of(exchange, "return.refund_requested") == []
    assert of(empty, "return.rejected")[0]["findings"][0]["reason"] == "empty_parcel"
    assert of(inspected, "return.closed")[0]["amount"] == amount
    types = [m["type"] for m in delivered if m["data"]["return_id"] == inspected["id"]]
    assert types.index("return.refund_requested") < types.index("return.closed") == len(types) - 1


def test_a_store_down_for_hours_gets_every_event_once_in_order_with_the_same_ids_on_retries(
    floor, endpoint, worker, clock, app
):
    returns = [two_tees(floor) for _ in range(3)]
    for ret in returns:
        for lpn in floor.receive(ret, ["TEE", "TEE", "MUG"]):
            floor.inspected(lpn)
    expected = feed(floor)
    event_ids = {m["id"] for m in expected}

    for mode in ("error", "error", "hang", "hang"):
        endpoint.mode = mode
        tally = worker.run_until_idle()
        assert tally.delivered == 0 and tally.retrying > 0 and tally.dead == 0
        clock.advance(hours=2)
    assert endpoint.delivered == []
    assert set(endpoint.attempts) <= event_ids, "retries carry the event's own webhook-id"

    endpoint.hang.set()  # let the hung requests of the outage end before the store is back
    endpoint.mode = "ok"
    deliver_all(worker, clock)

    delivered = endpoint.messages()
    # At least once: none lost. A post the store received but answered too late for the
    # worker is sent again under the same webhook-id, with the same body, for it to drop.
    assert {m["id"] for m in delivered} == event_ids, "none lost"
    bodies: dict[str, dict] = {}
    for message in delivered:
        assert bodies.setdefault(message["id"], message) == message
    seen: set[str] = set()
    first_deliveries = [m for m in delivered if not (m["id"] in seen or seen.add(m["id"]))]
    assert all(seqs == sorted(seqs) for seqs in by_return(first_deliveries).values())
    first = expected[0]["id"]
    assert endpoint.attempts.count(first) >= 5

    log = floor.client.get(f"/api/v1/events/{first}/attempts", headers=floor.supervisor)
    assert log.status_code == 200
    answers = [(a["attempt"], a["status_code"]) for a in log.json["items"]]
    assert answers[:4] == [(1, 500), (2, 500), (3, None), (4, None)]
    assert answers[-1][1] == 204
    assert log.json["items"][0]["response_excerpt"] == '{"error":"database down"}'
    assert "timeout" in log.json["items"][2]["error"]
    assert all(a["latency_ms"] >= 0 for a in log.json["items"])


def test_a_webhook_claimed_by_a_worker_that_died_is_delivered_by_the_next_one(
    floor, endpoint, worker, clock, app
):
    ret = two_tees(floor)
    floor.receive(ret, ["TEE", "TEE", "MUG"])
    sessions = app.extensions["warehouse.sessions"]
    session = sessions()
    claimed = delivery.claim(session, now=clock.now(), limit=10)  # ... and then it died
    session.close()
    assert claimed.jobs

    assert worker.run_until_idle().delivered == 0, "the dead worker's lease still holds"
    clock.advance(minutes=3)
    deliver_all(worker, clock)

    delivered = endpoint.messages()
    assert sorted(m["id"] for m in delivered) == sorted(m["id"] for m in feed(floor))
    assert {str(job.event_id) for job in claimed.jobs} <= {m["id"] for m in delivered}


def test_after_a_rotation_both_secrets_verify_during_the_grace_period_and_then_only_the_new(
    floor, endpoint, worker, clock, store, client, app, staff_token
):
    old_secret = endpoint.secrets[0]
    rotated = client.post(
        f"/api/v1/stores/{store[0]}/webhook-secret/rotate",
        json={"grace_hours": 24},
        headers=floor.store,
    )
    assert rotated.status_code == 200, rotated.json
    new_secret = rotated.json["webhook_secret"]
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    endpoint.secrets.append(new_secret)

    ret = floor.create_return([line(sku="TEE", gtin=None)])
    floor.receive(ret, ["TEE"])
    deliver_all(worker, clock)
    assert endpoint.verified_with and all(
        v == [old_secret, new_secret] for v in endpoint.verified_with
    )
    assert all(len(h["webhook-signature"].split(" ")) == 2 for h, _b in endpoint.delivered)

    clock.advance(hours=25)
    floor = Floor(app, client, store, staff_token)  # the staff's tokens ran out overnight
    seen = len(endpoint.delivered)
    other = floor.create_return([line(sku="MUG", gtin=None)])
    floor.receive(other, ["MUG"])
    deliver_all(worker, clock)
    assert len(endpoint.delivered) > seen
    assert all(v == [new_secret] for v in endpoint.verified_with[seen:])
    assert all(len(h["webhook-signature"].split(" ")) == 1 for h, _b in endpoint.delivered[seen:])


def test_a_store_cannot_rotate_another_stores_secret(floor, client, make_store):
    other_id, _ = make_store("店铺乙 Store B")
    answer = client.post(
        f"/api/v1/stores/{other_id}/webhook-secret/rotate", json={}, headers=floor.store
    )
    assert answer.status_code == 404


def test_the_cli_rotates_a_secret_and_prints_it_once_as_json(runner, store, db, clock):
    result = runner.invoke(
        args=["store", "rotate-secret", "--store-id", str(store[0]), "--grace-hours", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    db.rollback()  # a fresh look, after the command committed
    saved = db.get(Store, store[0])
    assert out["webhook_secret"] == saved.webhook_secret
    assert saved.previous_secret_expires_at == clock.now() + dt.timedelta(hours=2)


def test_a_rotation_without_a_grace_period_stops_the_old_secret_at_once(app, store, clock):
    from warehouse.context import SYSTEM, Context
    from warehouse.stores.services import rotate_webhook_secret

    session = app.extensions["warehouse.sessions"]()
    with transaction(session):
        rotated = rotate_webhook_secret(
            session, Context(actor=SYSTEM, now=clock.now()), store[0], grace_hours=0
        )
    assert rotated.previous_secret_expires_at is None
    assert session.get(Store, store[0]).previous_webhook_secret is None
    session.close()
