"""A store's webhook URL and secret through the API, with the service's default settings:
webhooks may not point into the centre's own network."""

from __future__ import annotations

import random
import uuid

import pytest
from factories import bearer, return_body

from warehouse.context import SYSTEM, Context
from warehouse.db import transaction
from warehouse.events.outbox import append_event
from warehouse.events.sending import FakeSender
from warehouse.events.types import EventType
from warehouse.events.worker import DeliveryWorker
from warehouse.returns.models import Return


@pytest.fixture
def store_key(store):
    return bearer(store[1])


def test_a_store_may_point_its_webhooks_at_a_public_https_url(client, store, store_key):
    url = "https://shop.example/hooks/returns"
    answer = client.put(
        f"/api/v1/stores/{store[0]}/webhook-url", json={"webhook_url": url}, headers=store_key
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["webhook_url"] == url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://10.0.0.5/hooks",
        "http://192.168.1.10/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://0.0.0.0/hooks",
        "http://224.0.0.1/hooks",
        "ftp://shop.example/hooks",
    ],
)
def test_a_store_cannot_point_its_webhooks_into_the_centres_network(client, store, store_key, url):
    answer = client.put(
        f"/api/v1/stores/{store[0]}/webhook-url", json={"webhook_url": url}, headers=store_key
    )
    assert answer.status_code == 422
    assert "webhook_url" in answer.json["errors"]


def test_the_cli_refuses_a_private_webhook_url_when_creating_a_store(runner):
    result = runner.invoke(
        args=["store", "create", "--name", "S", "--webhook-url", "http://10.1.2.3/hooks"]
    )
    assert result.exit_code == 2
    assert "private address" in result.output


def test_a_store_cannot_change_another_stores_webhook_url(client, store_key, make_store):
    other_id, _ = make_store("店铺乙 Store B")
    answer = client.put(
        f"/api/v1/stores/{other_id}/webhook-url",
        json={"webhook_url": "https://shop.example/hooks"},
        headers=store_key,
    )
    assert answer.status_code == 404


def test_an_admin_may_rotate_any_stores_secret_but_a_supervisor_may_not(client, store, staff_token):
    url = f"/api/v1/stores/{store[0]}/webhook-secret/rotate"
    supervisor = client.post(url, json={}, headers=bearer(staff_token("supervisor")))
    assert supervisor.status_code == 403
    admin = client.post(url, json={"grace_hours": 1}, headers=bearer(staff_token("admin")))
    assert admin.status_code == 200
    assert admin.json["webhook_secret"].startswith("whsec_")


@pytest.mark.parametrize("grace_hours", [1.5, -2.065847385841561e-28, "24", True])
def test_grace_hours_that_are_not_a_whole_number_are_a_422_and_keep_the_secret(
    client, store, store_key, db, grace_hours
):
    from warehouse.stores.models import Store

    before = db.get(Store, store[0]).webhook_secret
    url = f"/api/v1/stores/{store[0]}/webhook-secret/rotate"
    response = client.post(url, json={"grace_hours": grace_hours}, headers=store_key)
    assert response.status_code == 422, response.json
    assert "grace_hours" in response.json["errors"]
    db.expire_all()
    assert db.get(Store, store[0]).webhook_secret == before


def test_a_webhook_whose_host_resolves_to_a_private_address_is_never_posted_and_dead_letters(
    app, client, make_store, clock, staff_token, monkeypatch
):
    # A public-looking name that points inside (or was changed to, after it was checked):
    # the worker resolves it before every post and refuses.
    _, key = make_store("店铺甲 Store A", webhook_url="http://shop.example/hooks")
    monkeypatch.setattr(
        "warehouse.stores.webhook_urls.system_resolver", lambda _host, _port: ["10.0.0.7"]
    )
    ret = client.post("/api/v1/returns", json=return_body(), headers=bearer(key)).json
    session = app.extensions["warehouse.sessions"]()
    with transaction(session):
        row = session.get(Return, uuid.UUID(ret["id"]))
        event = append_event(
            session, Context(actor=SYSTEM, now=clock.now()), row, EventType.RETURN_RECEIVED
        )
    session.close()
    sender = FakeSender()
    worker = DeliveryWorker.for_app(app, sender, rng=random.Random(0))
    for _ in range(30):
        worker.run_until_idle()
        clock.advance(hours=1)
    assert sender.sent == [], "nothing was posted to the private address"

    supervisor = bearer(staff_token("supervisor"))
    [dead] = client.get("/api/v1/events/dead", headers=supervisor).json["items"]
    assert dead["event"]["id"] == str(event.id)
    assert "private address 10.0.0.7" in dead["last_error"]
    assert dead["log"][0]["status_code"] is None
    assert "private address" in dead["log"][0]["error"]
    log = client.get(f"/api/v1/events/{event.id}/attempts", headers=supervisor).json["items"]
    assert len(log) == len(dead["log"]) == dead["attempts"]


def test_the_delivery_log_is_for_supervisors_only(client, store, staff_token):
    url = f"/api/v1/events/{uuid.uuid4()}/attempts"
    assert client.get(url, headers=bearer(store[1])).status_code == 403
    assert client.get(url, headers=bearer(staff_token("supervisor"))).status_code == 404


def test_with_this_host_allowed_a_store_may_aim_its_webhooks_at_a_local_receiver(
    database_url, tmp_path, clock, make_store
):
    from warehouse.app import create_app
    from warehouse.config import Settings

    app = create_app(
        Settings(database_url=database_url, data_dir=tmp_path, webhook_allow_loopback=True),
        clock=clock,
    )
    client = app.test_client()
    store_id, key = make_store()
    path = f"/api/v1/stores/{store_id}/webhook-url"
    local = client.put(path, json={"webhook_url": "http://127.0.0.1:9000/h"}, headers=bearer(key))
    assert local.status_code == 200, local.json
    inside = client.put(path, json={"webhook_url": "http://10.0.0.5/h"}, headers=bearer(key))
    assert inside.status_code == 422 and "webhook_url" in inside.json["errors"]

    # and the worker, which checks again before every post, posts there
    ret = client.post("/api/v1/returns", json=return_body(), headers=bearer(key)).json
    session = app.extensions["warehouse.sessions"]()
    with transaction(session):
        row = session.get(Return, uuid.UUID(ret["id"]))
        append_event(
            session, Context(actor=SYSTEM, now=clock.now()), row, EventType.RETURN_RECEIVED
        )
    session.close()
    sender = FakeSender()
    DeliveryWorker.for_app(app, sender, rng=random.Random(0)).run_until_idle()
    assert [r.url for r in sender.sent] == ["http://127.0.0.1:9000/h"]
    app.extensions["warehouse.engine"].dispose()
