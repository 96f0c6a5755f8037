"""Webhook deliveries per second: the delivery worker posting to a store endpoint on 127.0.0.1;
and the time to drain a backlog queued while a store's endpoint was down.

Run: .venv/bin/python bench/delivery.py [events] [--backlog N] [--concurrency N]
On SQLite (a temporary file) by default; set WAREHOUSE_BENCH_DATABASE_URL to a scratch
PostgreSQL database (`postgresql+psycopg://…`) to measure there too: it is migrated and
filled, and every webhook due in it is posted.

The receiver runs in its own process (so it does not share the worker's interpreter lock),
answers 204 over keep-alive connections and checks every signature. Events come five per
return, so per-return ordering is in play: a return's next event is posted only after the
previous one was acknowledged. The count is bounded and the script stops by itself.

The backlog run is an outage: a second store's `--backlog` events (10,000) are queued while
its endpoint refuses connections, the worker tries and fails the first of each return, then
the endpoint comes up and every retry is made due; the figure is the time until all of them
are delivered.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The repository before bench/, so that `warehouse` is the package in this checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import warehouse.models  # noqa: F401 - every mapped class, so relationships resolve
from warehouse import migrate
from warehouse.clock import SystemClock
from warehouse.config import Settings
from warehouse.context import SYSTEM, Actor, Context
from warehouse.db import make_engine, make_session_factory, transaction
from warehouse.events.outbox import append_event
from warehouse.events.sending import HttpxSender
from warehouse.events.types import EventType
from warehouse.events.worker import DeliveryWorker
from warehouse.returns.schemas import ReturnCreateSchema
from warehouse.returns.services import create_return
from warehouse.stores.services import create_store

EVENTS_PER_RETURN = 5
CHAIN = [
    EventType.RETURN_RECEIVED,
    EventType.RETURN_INSPECTED,
    EventType.UNIT_DISPOSED,
    EventType.RETURN_REFUND_REQUESTED,
    EventType.RETURN_CLOSED,
]


def receive(secrets: list[str], port_out, counts) -> None:
    """The stores' endpoint (in a child process): verify, count, answer 204."""
    keys = [base64.b64decode(secret.removeprefix("whsec_")) for secret in secrets]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            signed = f"{self.headers['webhook-id']}.{self.headers['webhook-timestamp']}.".encode()
            good = any(
                self.headers["webhook-signature"]
                == "v1,"
                + base64.b64encode(hmac.new(key, signed + body, hashlib.sha256).digest()).decode()
                for key in keys
            )
            with counts.get_lock():
                counts[0 if good else 1] += 1
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # a real endpoint's backlog, not http.server's 5
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    port_out.send(server.server_address[1])
    server.serve_forever()


def fill(sessions, url: str, events: int, name: str = "bench store") -> str:
    """A store posting to `url`, and `events` events about its returns; answers its secret."""
    now = dt.datetime.now(dt.UTC)
    system = Context(actor=SYSTEM, now=now)
    session = sessions()
    with transaction(session):
        store = create_store(session, system, name=name, webhook_url=url).store
        as_store = Context(
            actor=Actor(kind="store", id=store.id, label=store.name, store_id=store.id), now=now
        )
        schema = ReturnCreateSchema()
        for n in range(-(-events // EVENTS_PER_RETURN)):
            body = {
                "external_id": f"BENCH-{store.id.hex[:8]}-{n}",
                "order_id": f"O{n}",
                "reason": "no_reason_7d",
                "buyer": {"id": f"b{n}"},
                "lines": [
                    {
                        "line_id": "L1",
                        "sku": "SKU-1",
                        "title": "T恤",
                        "quantity": 1,
                        "unit_price": 9900,
                    }
                ],
            }
            ret = create_return(session, as_store, schema.load(body)).ret
            for type_ in CHAIN[: min(EVENTS_PER_RETURN, events - n * EVENTS_PER_RETURN)]:
                append_event(session, system, ret, type_)
    session.close()
    return store.webhook_secret


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", nargs="?", type=int, default=3000)
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    # The outage's thousands of failed attempts are expected: keep the figures readable.
    logging.getLogger("warehouse").setLevel(logging.ERROR)

    url = os.environ.get("WAREHOUSE_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", data_dir=Path(tmp)
        )
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = make_session_factory(engine)

        # The outage: the backlog store's endpoint refuses connections (port 1) while its
        # events are queued and first tried; its retries are then parked until it is back.
        down = "http://127.0.0.1:1/down"
        backlog_secret = fill(sessions, down, args.backlog, name="backlog store")
        sender = HttpxSender(max_connections=args.concurrency)
        worker = DeliveryWorker(sessions, sender, SystemClock(), concurrency=args.concurrency)
        outage = worker.run_until_idle()
        sql(engine, "UPDATE event_deliveries SET next_attempt_at = :later", later=FAR_FUTURE)

        # The receiver is told the secrets after the stores exist: start it on a pipe.
        parent_end, child_end = multiprocessing.Pipe()
        counts = multiprocessing.Array("l", 2)
        placeholder = "http://127.0.0.1:1/hooks"
        secret = fill(sessions, placeholder, args.events)
        receiver = multiprocessing.Process(
            target=receive, args=([secret, backlog_secret], child_end, counts), daemon=True
        )
        receiver.start()
        up = f"http://127.0.0.1:{parent_end.recv()}/hooks"
        sql(
            engine,
            "UPDATE stores SET webhook_url = :up WHERE webhook_url = :old",
            up=up,
            old=placeholder,
        )
        with engine.connect() as connection:
            # Planner statistics, as autovacuum keeps them on a live database: without them
            # PostgreSQL plans the claim query for an empty table.
            connection.exec_driver_sql("ANALYZE")
            connection.commit()

        try:
            started = time.perf_counter()
            tally = worker.run_until_idle()
            elapsed = time.perf_counter() - started
            # The store is back: every retry is due now.
            sql(
                engine,
                "UPDATE stores SET webhook_url = :up WHERE webhook_url = :old",
                up=up,
                old=down,
            )
            sql(
                engine,
                "UPDATE event_deliveries SET next_attempt_at = :now WHERE status = 'pending'",
                now=dt.datetime.now(dt.UTC),
            )
            started = time.perf_counter()
            drained = worker.run_until_idle()
            drain_s = time.perf_counter() - started
        finally:
            sender.close()
            receiver.terminate()
            receiver.join()
            engine.dispose()

    print(f"database      {engine.dialect.name}")
    print(f"events        {args.events} ({EVENTS_PER_RETURN} per return, in order per return)")
    print(f"concurrency   {args.concurrency}")
    print(f"worker        {tally}")
    print(f"received      {counts[0]} correctly signed, {counts[1]} badly signed")
    print(f"elapsed       {elapsed:.2f} s")
    print(f"throughput    {tally.delivered / elapsed:.0f} webhook deliveries/s")
    print(f"outage        {args.backlog} events queued, endpoint down: {outage}")
    print(f"backlog       {drained}")
    print(
        f"drain         {drain_s:.2f} s for the {args.backlog}-event backlog after the outage "
        f"({drained.delivered / drain_s:.0f}/s)"
    )
    return {
        "database": engine.dialect.name,
        "events": args.events,
        "per_second": tally.delivered / elapsed,
        "badly_signed": counts[1],
        "backlog": args.backlog,
        "drain_s": drain_s,
    }


FAR_FUTURE = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def sql(engine, statement: str, **params) -> None:
    """One statement in its own transaction (bench bookkeeping, not the service's)."""
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text(statement), params)


if __name__ == "__main__":
    main()
