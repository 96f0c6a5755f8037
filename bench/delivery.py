"""Webhook deliveries per second: the delivery worker posting to a store endpoint on 127.0.0.1.

Run: .venv/bin/python bench/delivery.py [events] [--concurrency N]
On SQLite (a temporary file) by default; set WAREHOUSE_BENCH_DATABASE_URL to a scratch
PostgreSQL database (`postgresql+psycopg://…`) to measure there too: it is migrated and
filled, and every webhook due in it is posted.

The receiver runs in its own process (so it does not share the worker's interpreter lock),
answers 204 over keep-alive connections and checks every signature. Events come five per
return, so per-return ordering is in play: a return's next event is posted only after the
previous one was acknowledged. The count is bounded and the script stops by itself.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import multiprocessing
import os
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The repository before bench/, so that `warehouse` is the package in this checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def receive(secret: str, port_out, counts) -> None:
    """The store's endpoint (in a child process): verify, count, answer 204."""
    key = base64.b64decode(secret.removeprefix("whsec_"))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            signed = f"{self.headers['webhook-id']}.{self.headers['webhook-timestamp']}.".encode()
            mac = hmac.new(key, signed + body, hashlib.sha256).digest()
            good = self.headers["webhook-signature"] == "v1," + base64.b64encode(mac).decode()
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


def fill(sessions, url: str, events: int) -> str:
    """A store posting to `url`, and `events` events about its returns; answers its secret."""
    now = dt.datetime.now(dt.UTC)
    system = Context(actor=SYSTEM, now=now)
    session = sessions()
    with transaction(session):
        store = create_store(session, system, name="bench store", webhook_url=url).store
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", nargs="?", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    url = os.environ.get("WAREHOUSE_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", data_dir=Path(tmp)
        )
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = make_session_factory(engine)

        # The receiver is told the secret after the store exists: start it on a pipe.
        parent_end, child_end = multiprocessing.Pipe()
        counts = multiprocessing.Array("l", 2)
        placeholder = "http://127.0.0.1:1/hooks"
        secret = fill(sessions, placeholder, args.events)
        receiver = multiprocessing.Process(
            target=receive, args=(secret, child_end, counts), daemon=True
        )
        receiver.start()
        port = parent_end.recv()
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE stores SET webhook_url = ? WHERE webhook_url = ?"
                if engine.dialect.name == "sqlite"
                else "UPDATE stores SET webhook_url = %s WHERE webhook_url = %s",
                (f"http://127.0.0.1:{port}/hooks", placeholder),
            )
        with engine.connect() as connection:
            # Planner statistics, as autovacuum keeps them on a live database: without them
            # PostgreSQL plans the claim query for an empty table.
            connection.exec_driver_sql("ANALYZE")
            connection.commit()

        sender = HttpxSender(max_connections=args.concurrency)
        worker = DeliveryWorker(sessions, sender, SystemClock(), concurrency=args.concurrency)
        try:
            started = time.perf_counter()
            tally = worker.run_until_idle()
            elapsed = time.perf_counter() - started
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


if __name__ == "__main__":
    main()
