"""The `warehouse` command as operators use it."""

from __future__ import annotations

import json

from factories import bearer


def test_store_create_prints_its_credentials_as_json(runner, client):
    result = runner.invoke(
        args=[
            "store",
            "create",
            "--name",
            "杭州小店",
            "--webhook-url",
            "https://shop.example/hooks",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    store = json.loads(result.output)
    assert set(store) == {"id", "name", "api_key", "webhook_secret"}
    assert store["name"] == "杭州小店"
    assert store["webhook_secret"].startswith("whsec_")
    assert client.get("/api/v1/returns", headers=bearer(store["api_key"])).status_code == 200


def test_a_new_store_gets_the_default_policy(runner, db):
    from warehouse.stores.models import Store

    result = runner.invoke(args=["store", "create", "--name", "Shop", "--json"])
    store = db.get(Store, __import__("uuid").UUID(json.loads(result.output)["id"]))
    assert store.express_refund_limit == 50000
    assert store.decision_hours == 48


def test_an_empty_webhook_url_means_a_store_without_webhooks(runner, db):
    from warehouse.stores.models import Store

    result = runner.invoke(args=["store", "create", "--name", "S", "--webhook-url", "", "--json"])
    assert result.exit_code == 0, result.output
    store = db.get(Store, __import__("uuid").UUID(json.loads(result.output)["id"]))
    assert store.webhook_url is None


def test_store_create_refuses_a_bad_webhook_url(runner):
    result = runner.invoke(args=["store", "create", "--name", "S", "--webhook-url", "ftp://x"])
    assert result.exit_code == 2
    assert "webhook" in result.output


def test_user_create_prints_the_user_as_json_and_the_user_can_sign_in(runner, client):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--username",
            "recv9",
            "--role",
            "receiver",
            "--pin",
            "424242",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    user = json.loads(result.output)
    assert {"id", "username", "role"} <= set(user)
    assert user["role"] == "receiver"
    token = client.post("/api/v1/auth/token", json={"username": "recv9", "pin": "424242"})
    assert token.status_code == 200


def test_user_create_refuses_a_taken_username(runner):
    args = ["user", "create", "--username", "dup", "--role", "inspector", "--pin", "1234"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert "taken" in result.output


def test_demo_fills_an_empty_database_once(runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "recv1" in first.output
    key = next(w for w in first.output.split() if w.startswith("wsk_"))
    returns = client.get("/api/v1/returns", headers=bearer(key)).json["items"]
    assert len(returns) == 4
    assert {r["status"] for r in returns} == {"awaiting_parcel", "in_transit"}
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "not loaded" in second.output
    assert len(client.get("/api/v1/returns", headers=bearer(key)).json["items"]) == 4
