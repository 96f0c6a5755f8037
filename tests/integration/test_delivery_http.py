"""Webhooks over real HTTP, to a store endpoint on 127.0.0.1 started by the test: signed
correctly, refused, slow or redirected; and the `deliver`, `events replay` and `serve`
commands that run the worker."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from factories import return_body
from sqlalchemy import update

from warehouse import migrate
from warehouse.config import Settings
from warehouse.context import SYSTEM, Actor, Context
from warehouse.db import make_engine, make_session_factory, transaction
from warehouse.events.models import EventDelivery
from warehouse.events.outbox import append_event
from warehouse.events.sending import HttpxSender, SendResult, WebhookRequest
from warehouse.events.types import EventType
from warehouse.events.worker import DeliveryWorker
from warehouse.returns.schemas import ReturnCreateSchema
from warehouse.returns.services import create_return
from warehouse.stores.services import create_store

TOLERANCE_S = 5 * 60


class Receiver:
    """A store's webhook endpoint on 127.0.0.1: records each request, answers `status`."""

    def __init__(self) -> None:
        self.requests: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()
        self.status = 204
        self.extra_headers: dict[str, str] = {}
        self.answer_body = b""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.put(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(receiver.answer_body)))
                self.end_headers()
                self.wfile.write(receiver.answer_body)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def next_request(self, timeout: float = 10) -> tuple[dict[str, str], bytes]:
        return self.requests.get(timeout=timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


@pytest.fixture
def silent_endpoint():
    """Accepts connections and never answers: a store's endpoint that hangs."""
    listener = socket.create_server(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    listener.close()


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes, now: int) -> dict:
    """A store's verification, written from the Standard Webhooks specification alone."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(now - int(timestamp)) > TOLERANCE_S:
        raise AssertionError("timestamp outside the tolerance")
    key = base64.b64decode(secret[len("whsec_") :])
    to_sign = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, to_sign, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return json.loads(body)
    raise AssertionError("no valid v1 signature")


def make_hooked_store_with_event(sessions, now: dt.datetime, url: str):
    """A store whose webhook URL is `url`, with one return and one event about it."""
    session = sessions()
    ctx = Context(actor=SYSTEM, now=now)
    with transaction(session):
        store = create_store(session, ctx, name="店铺甲 Store A", webhook_url=url).store
        as_store = Actor(kind="store", id=store.id, label=store.name, store_id=store.id)
        store_ctx = Context(actor=as_store, now=now)
        ret = create_return(session, store_ctx, _loaded(return_body())).ret
        event = append_event(session, ctx, ret, EventType.RETURN_RECEIVED)
    session.close()
    return store, event


def _loaded(body: dict) -> dict:
    """A request body as the schema loads it (the service takes loaded data)."""
    return ReturnCreateSchema().load(body)


def test_a_store_endpoint_receives_a_correctly_signed_webhook_over_http(app, clock, receiver):
    sessions = app.extensions["warehouse.sessions"]
    store, event = make_hooked_store_with_event(sessions, clock.now(), receiver.url)
    sender = HttpxSender()
    try:
        tally = DeliveryWorker(sessions, sender, clock).run_until_idle()
    finally:
        sender.close()
    assert tally.delivered == 1
    headers, body = receiver.next_request()
    message = verify_standard_webhook(
        store.webhook_secret, headers, body, int(clock.now().timestamp())
    )
    assert headers["webhook-id"] == str(event.id)
    assert headers["content-type"] == "application/json"
    assert message["id"] == str(event.id)
    assert message["type"] == "return.received"
    assert message["data"]["return_id"] == str(event.return_id)
    with pytest.raises(AssertionError):
        verify_standard_webhook(
            store.webhook_secret, headers, body + b" ", int(clock.now().timestamp())
        )


def test_an_error_answer_is_a_failure_that_keeps_the_start_of_its_body(receiver):
    receiver.status = 500
    receiver.answer_body = b'{"error": "database down"}' + b"x" * 10_000
    result = HttpxSender().send(WebhookRequest(receiver.url, b"{}", {}))
    assert result.status_code == 500
    assert result.excerpt.startswith('{"error": "database down"}')
    assert len(result.excerpt) <= 300


def test_a_redirect_is_not_followed_and_is_not_delivery(receiver):
    receiver.status = 307
    receiver.extra_headers = {"location": receiver.url + "/elsewhere"}
    result = HttpxSender().send(WebhookRequest(receiver.url, b"{}", {}))
    assert result.status_code == 307
    receiver.next_request()
    assert receiver.requests.empty(), "the signed payload went to one place only"


def test_an_endpoint_that_does_not_answer_in_time_is_a_timeout(silent_endpoint):
    sender = HttpxSender(connect_timeout_s=0.5, read_timeout_s=0.2)
    result = sender.send(WebhookRequest(silent_endpoint, b"{}", {}))
    assert result == SendResult(None, error="timeout: ReadTimeout")


def test_a_refused_connection_is_a_failure_with_its_reason():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        closed_port = probe.getsockname()[1]
    result = HttpxSender().send(WebhookRequest(f"http://127.0.0.1:{closed_port}/", b"{}", {}))
    assert result.status_code is None
    assert result.error.startswith("ConnectError")


def test_a_malformed_url_is_a_failure_not_a_crash():
    result = HttpxSender().send(WebhookRequest("ftp://store.example/hooks", b"{}", {}))
    assert result.status_code is None
    assert "UnsupportedProtocol" in result.error


@pytest.fixture
def settings(settings):
    """The receiver is on 127.0.0.1: these tests allow private webhook addresses."""
    return dataclasses.replace(settings, webhook_allow_private=True)


def test_warehouse_deliver_once_posts_what_is_due_and_exits(app, runner, clock, receiver):
    make_hooked_store_with_event(app.extensions["warehouse.sessions"], clock.now(), receiver.url)
    result = runner.invoke(args=["deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivered 1" in result.output
    receiver.next_request()


def test_warehouse_events_replay_dead_queues_every_dead_letter_again(app, runner, db, clock):
    sessions = app.extensions["warehouse.sessions"]
    _, event = make_hooked_store_with_event(sessions, clock.now(), "https://store.example/h")
    with transaction(db):
        db.execute(
            update(EventDelivery).where(EventDelivery.event_id == event.id).values(status="dead")
        )
    result = runner.invoke(args=["events", "replay", "--dead"])
    assert result.exit_code == 0, result.output
    assert "replayed 1" in result.output
    db.rollback()
    assert db.get(EventDelivery, event.id).status == "pending"
    refused = runner.invoke(args=["events", "replay"])
    assert refused.exit_code != 0


def test_replaying_an_event_that_is_not_dead_from_the_cli_says_why(app, runner, clock):
    sessions = app.extensions["warehouse.sessions"]
    _, event = make_hooked_store_with_event(sessions, clock.now(), "https://store.example/h")
    result = runner.invoke(args=["events", "replay", str(event.id)])
    assert result.exit_code == 2
    assert "dead-lettered" in result.output


# `warehouse serve` as an operator runs it: a real gunicorn master in its own process.


@pytest.fixture
def served_database(tmp_path, receiver):
    """A migrated SQLite database with one event due now for `receiver`."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'serve.sqlite3'}", data_dir=tmp_path)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    _, event = make_hooked_store_with_event(
        make_session_factory(engine), dt.datetime.now(dt.UTC), receiver.url
    )
    engine.dispose()
    return settings, event


def start_server(settings: Settings, *extra: str) -> subprocess.Popen:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "WAREHOUSE_DATABASE_URL": settings.database_url,
        "WAREHOUSE_DATA_DIR": str(settings.data_dir),
        "WAREHOUSE_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on 127.0.0.1
    }
    command = [sys.executable, "-c", "from warehouse.cli import main; main()", "serve"]
    return subprocess.Popen(
        [*command, "--port", str(port), "--workers", "1", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(server: subprocess.Popen, text: str) -> None:
    """Reads the server's log until `text` appears (gunicorn logs to stderr)."""
    for line in server.stderr:
        if text in line:
            return
    raise AssertionError(f"the server exited before logging {text!r}")


def children(pid: int) -> dict[int, str]:
    """The child processes of `pid` and their command lines (Linux /proc)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            found[int(child)] = cmdline.decode(errors="replace")
    return found


def stop_server(server: subprocess.Popen) -> int:
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=60)
    finally:
        server.stderr.close()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_serve_runs_the_delivery_worker_and_stops_it_with_the_server(served_database, receiver):
    settings, event = served_database
    server = start_server(settings)
    try:
        wait_for_line(server, "webhook delivery worker started")
        headers, _body = receiver.next_request(timeout=30)
        assert headers["webhook-id"] == str(event.id)
        [worker_pid] = [p for p, cmd in children(server.pid).items() if "warehouse.events" in cmd]
    except BaseException:
        server.kill()
        raise
    assert stop_server(server) == 0
    assert not Path(f"/proc/{worker_pid}").exists(), "the delivery worker outlived the server"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_serve_with_no_worker_posts_nothing(served_database, receiver):
    settings, _event = served_database
    server = start_server(settings, "--no-worker")
    try:
        wait_for_line(server, "Booting worker")
        kids = children(server.pid)
    finally:
        exit_code = stop_server(server)
    assert exit_code == 0
    assert kids and not [cmd for cmd in kids.values() if "warehouse.events" in cmd]
    assert receiver.requests.empty()


def test_a_retry_carries_the_same_webhook_id_so_the_store_can_drop_duplicates(app, clock, receiver):
    sessions = app.extensions["warehouse.sessions"]
    _, event = make_hooked_store_with_event(sessions, clock.now(), receiver.url)
    receiver.status = 500
    sender = HttpxSender()
    worker = DeliveryWorker(sessions, sender, clock)
    worker.run_until_idle()
    clock.advance(hours=1)
    receiver.status = 200
    worker.run_until_idle()
    sender.close()
    first, _ = receiver.next_request()
    second, _ = receiver.next_request()
    assert first["webhook-id"] == second["webhook-id"] == str(event.id)
    assert first["webhook-timestamp"] != second["webhook-timestamp"]
