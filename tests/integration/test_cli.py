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


def test_demo_served_on_another_port_prints_that_ports_addresses_and_the_floor_ui(runner):
    result = runner.invoke(args=["demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "Floor UI: http://127.0.0.1:8123/" in result.output
    assert "curl -s http://127.0.0.1:8123/api/v1/returns" in result.output
    assert ":8000" not in result.output


def test_a_second_demo_run_names_the_demo_store_and_how_to_get_a_new_key(runner, db):
    from warehouse.stores.models import Store

    runner.invoke(args=["demo"])
    again = runner.invoke(args=["demo", "--port", "8123"])
    assert again.exit_code == 0, again.output
    store_id = db.scalar(__import__("sqlalchemy").select(Store.id))
    assert "not loaded" in again.output
    assert f"warehouse store key --store {store_id}" in again.output
    assert "Floor UI: http://127.0.0.1:8123/" in again.output


def test_store_key_issues_a_new_key_once_and_the_old_key_stops_working(app, runner, client):
    first = json.loads(runner.invoke(args=["store", "create", "--name", "Shop", "--json"]).output)
    result = runner.invoke(args=["store", "key", "--store", first["id"], "--json"])
    assert result.exit_code == 0, result.output
    issued = json.loads(result.output)
    assert set(issued) == {"store_id", "api_key"} and issued["api_key"] != first["api_key"]
    app.extensions["warehouse.credential_cache"].clear()  # as after the cache's 30 seconds
    assert client.get("/api/v1/returns", headers=bearer(issued["api_key"])).status_code == 200
    assert client.get("/api/v1/returns", headers=bearer(first["api_key"])).status_code == 401


def test_store_key_for_an_unknown_store_is_refused_and_issues_nothing(runner, db):
    from sqlalchemy import func, select

    from warehouse.stores.models import StoreApiKey

    result = runner.invoke(args=["store", "key", "--store", "00000000-0000-0000-0000-000000000000"])
    assert result.exit_code == 2
    assert "No such store" in result.output
    assert db.scalar(select(func.count()).select_from(StoreApiKey)) == 0


def test_only_make_run_lets_webhooks_go_to_this_host():
    import subprocess
    from pathlib import Path

    from warehouse.config import Settings

    assert Settings.from_env({}).webhook_allow_loopback is False  # warehouse serve's default
    root = Path(__file__).resolve().parents[2]
    planned = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run", "PORT=8123"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    serve = next(line for line in planned.splitlines() if " serve " in line)
    assert "WAREHOUSE_WEBHOOK_ALLOW_LOOPBACK=1" in serve and "--port 8123" in serve
    demo = next(line for line in planned.splitlines() if " demo " in line)
    assert "--port 8123" in demo
