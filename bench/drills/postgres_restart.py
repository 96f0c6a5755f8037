"""Fault drill: PostgreSQL restarted under load; the service must recover on its own.

Run: ``.venv/bin/python -m bench.drills.postgres_restart [--terminals 8] [--outage 4]``

It creates a throwaway PostgreSQL cluster in a temporary directory (its own port and
socket: no other server is touched), starts `warehouse serve` against it, and lets
terminals receive returns (parcel scan, two item scans, close) and read the exception
queue while the cluster is twice taken away: first crashed (`pg_ctl stop -m immediate`,
crash recovery at the next start), then stopped cleanly (`-m fast`), each time for
`--outage` seconds. A terminal does what a handheld does with a 503: waits (Retry-After,
capped at a second here) and sends the same request again, with the same `scan_id`.

PASS when: no answer is a 5xx other than 503, every 503 is problem+json, no request hangs
(longer than --hang seconds), the server answers again within --recovery seconds of
PostgreSQL coming back with the same gunicorn master and workers, the last seconds of the
run are free of errors, every return gets received exactly once, and the database
agrees with what the terminals were told (one parcel per return, one unit per item scan,
line counts, no scan_id used twice).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.drills.pg_cluster import throwaway_cluster
from bench.drills.terminals import Terminal, return_body, serve_processes
from bench.harness import percentiles, served

ITEM_GTIN = "6901234567892"


@dataclass
class Record:
    """One request as a terminal saw it."""

    kind: str
    started: float
    status: int | None
    seconds: float
    problem: bool
    error: str | None = None


@dataclass
class Figures:
    records: list[Record] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)  # per finished return: ids and scan ids
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)


def prepare(
    url: str, returns: int, terminals: int, webhook_url: str | None = None
) -> tuple[str, list[str]]:
    """A store (posting its webhooks to `webhook_url`), a receiver per terminal, and
    `returns` open returns; answers the store's API key and the tracking numbers. Runs
    in-process against the served database."""
    from warehouse.app import create_app
    from warehouse.auth.services import create_user
    from warehouse.config import Settings
    from warehouse.context import SYSTEM, Context
    from warehouse.db import transaction
    from warehouse.stores.services import create_store

    data_dir = Path(tempfile.mkdtemp(prefix="wh-drill-"))
    app = create_app(Settings(database_url=url, data_dir=data_dir))
    session = app.extensions["warehouse.sessions"]()
    ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
    with transaction(session):
        created = create_store(session, ctx, name="Drill store", webhook_url=webhook_url)
        for i in range(terminals):
            create_user(session, ctx, username=f"drill{i}", role="receiver", pin="2468")
    session.close()
    client = app.test_client()
    numbers = [f"SF{1_000_000_000_000 + n}" for n in range(returns)]
    for number in numbers:
        response = client.post(
            "/api/v1/returns",
            json=return_body(number),
            headers={"Authorization": f"Bearer {created.api_key}"},
        )
        assert response.status_code == 201, response.json
    app.extensions["warehouse.engine"].dispose()
    shutil.rmtree(data_dir, ignore_errors=True)
    return created.api_key, numbers


class Receiver:
    """One handheld receiving its returns until told to stop; retries each 503 as-is."""

    def __init__(self, address: str, token: str, number: int, figures: Figures, stop) -> None:
        headers = {"Authorization": f"Bearer {token}", "X-Terminal-Id": f"HH-{number:02d}"}
        self.terminal = Terminal(address, headers, timeout_s=60)
        self.figures, self.stop = figures, stop

    def send(self, kind: str, method: str, path: str, body=None, done=(200,)):
        """Sends until an answer in `done` (or 409 to a retried close); answers it."""
        retried = False
        while True:
            started = time.monotonic()
            answer = self.terminal.request(method, path, body)
            self.figures.add(
                Record(
                    kind,
                    started,
                    answer.status,
                    answer.seconds,
                    answer.is_problem,
                    answer.error,
                )
            )
            if answer.status in done or (kind == "close" and retried and answer.status == 409):
                return answer
            if answer.status != 503:
                raise RuntimeError(f"{kind}: {answer.status} {answer.body} {answer.error}")
            retried = True
            time.sleep(min(float(answer.retry_after or 1), 1.0))

    def run(self, tracking_numbers: list[str]) -> None:
        try:
            for number in tracking_numbers:
                if self.stop.is_set():
                    return
                scan = {"scan_id": str(uuid.uuid4()), "code": number}
                parcel = self.send("parcel scan", "POST", "/api/v1/parcels/scan", scan)
                parcel_id = parcel.body["parcel"]["id"]
                items = []
                for _ in range(2):
                    item = {"scan_id": str(uuid.uuid4()), "code": ITEM_GTIN}
                    path = f"/api/v1/parcels/{parcel_id}/items/scan"
                    items.append(self.send("item scan", "POST", path, item).body["unit"]["lpn"])
                self.send("close", "POST", f"/api/v1/parcels/{parcel_id}/close")
                self.send("exception queue", "GET", "/api/v1/exceptions?status=open&limit=5")
                with self.figures.lock:
                    self.figures.received.append(
                        {"tracking": number, "parcel_id": parcel_id, "lpns": items}
                    )
        except RuntimeError as exc:
            self.figures.add(Record("failed", time.monotonic(), None, 0.0, False, str(exc)))
        finally:
            self.terminal.close()


class WebhookReceiver:
    """The store's endpoint on 127.0.0.1: acknowledges every post and notes its event id
    and per-return sequence, in the order they arrive."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, int]] = []  # (event id, return id, sequence)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                receiver.posts.append((body["id"], body["data"]["return_id"], body["sequence"]))
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def await_webhooks(url: str, receiver: WebhookReceiver, timeout_s: float) -> list[str]:
    """Waits until every event in the database reached the store; answers the failures."""
    from sqlalchemy import select

    from warehouse.config import Settings
    from warehouse.db import make_engine, make_session_factory
    from warehouse.events.models import Event

    engine = make_engine(Settings(database_url=url))
    session = make_session_factory(engine)()
    began = time.monotonic()
    while True:
        session.rollback()
        events = {str(e.id): e for e in session.scalars(select(Event))}
        missing = set(events) - {event_id for event_id, _, _ in receiver.posts}
        if not missing or time.monotonic() - began > timeout_s:
            break
        time.sleep(1)
    session.close()
    engine.dispose()
    waited = time.monotonic() - began
    repeated = len(receiver.posts) - len({event_id for event_id, _, _ in receiver.posts})
    print(
        f"webhooks: {len(events)} events, {len(receiver.posts)} posts ({repeated} repeated); "
        + (f"{len(missing)} missing after {waited:.0f} s" if missing else "")
        + (f"all arrived {waited:.1f} s after the load stopped" if not missing else "")
    )
    failures = [f"{len(missing)} events never reached the store"] if missing else []
    # At least once, in order per return: each event's first arrival follows its return's
    # earlier events (a repeat of an earlier event may come later).
    seen: set[str] = set()
    latest: dict[str, int] = {}
    for event_id, return_id, sequence in receiver.posts:
        if event_id in seen:
            continue
        seen.add(event_id)
        if sequence < latest.get(return_id, 0):
            failures.append(f"event {event_id} arrived after a later event of its return")
        latest[return_id] = sequence
    return failures


def sign_in(address: str, username: str) -> str:
    answer = Terminal(address).request(
        "POST", "/api/v1/auth/token", {"username": username, "pin": "2468"}
    )
    assert answer.status == 200, answer.body
    return answer.body["token"]


def check_database(url: str, figures: Figures) -> list[str]:
    """What the database holds against what the terminals were told; answers the failures."""
    from sqlalchemy import func, select

    from warehouse.config import Settings
    from warehouse.db import make_engine, make_session_factory
    from warehouse.receiving.models import Parcel, Scan, Unit
    from warehouse.returns.models import ReturnLine

    engine = make_engine(Settings(database_url=url))
    session = make_session_factory(engine)()
    failures = []
    parcels = dict(session.execute(select(Parcel.code, Parcel.id)).all())
    units = Counter(session.scalars(select(Unit.parcel_id)))
    for done in figures.received:
        if str(parcels.get(done["tracking"])) != done["parcel_id"]:
            failures.append(f"parcel {done['tracking']} is not the one the terminal was told")
        if units[uuid.UUID(done["parcel_id"])] != 2:
            failures.append(f"parcel {done['tracking']} has {units[done['parcel_id']]} units")
    item_scans = session.scalar(
        select(func.count()).select_from(Scan).where(Scan.scan_type == "item")
    )
    if item_scans != sum(units.values()):
        failures.append(f"{item_scans} item scans stored for {sum(units.values())} units")
    received = session.scalar(select(func.sum(ReturnLine.received_quantity)))
    if received != sum(units.values()):
        failures.append(f"lines count {received} received units; there are {sum(units.values())}")
    session.close()
    engine.dispose()
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--terminals", type=int, default=8)
    parser.add_argument("--outage", type=float, default=4.0, help="seconds PostgreSQL is away")
    parser.add_argument("--hang", type=float, default=10.0, help="a request slower than this hangs")
    parser.add_argument("--recovery", type=float, default=10.0)
    parser.add_argument(
        "--webhook-wait",
        type=float,
        default=200.0,
        help="seconds to wait for the events after the load (a claim lost in the outage "
        "is posted again when its 2-minute lease runs out)",
    )
    args = parser.parse_args(argv)

    failures: list[str] = []
    receiver = WebhookReceiver()
    os.environ["WAREHOUSE_WEBHOOK_ALLOW_PRIVATE"] = "1"  # the store's endpoint is on 127.0.0.1
    with throwaway_cluster() as cluster:
        url = cluster.create_database("drill")
        print(f"throwaway PostgreSQL on port {cluster.port} in {cluster.directory}")
        with served(url, workers=2, threads=8) as address:
            port = int(address.rsplit(":", 1)[1])
            _, numbers = prepare(url, args.terminals * 80, args.terminals, receiver.url)
            tokens = [sign_in(address, f"drill{i}") for i in range(args.terminals)]
            processes_before = serve_processes(port)
            figures, stop = Figures(), threading.Event()
            per = len(numbers) // args.terminals
            threads = [
                threading.Thread(
                    target=Receiver(address, token, i, figures, stop).run,
                    args=(numbers[i * per : (i + 1) * per],),
                )
                for i, token in enumerate(tokens)
            ]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            outages = []
            for mode in ("immediate", "fast"):
                time.sleep(3)
                went = time.monotonic()
                cluster.stop(mode)
                time.sleep(args.outage)
                cluster.start()
                back = time.monotonic() - began
                outages.append((mode, went - began, back))
                print(f"PostgreSQL stopped ({mode}) at {went - began:.1f} s, up at {back:.1f} s")
            time.sleep(5)
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
            ended = time.monotonic() - began
            failures += await_webhooks(url, receiver, args.webhook_wait)
            processes_after = serve_processes(port)
        failures += check_database(url, figures)
    receiver.close()

    records = [
        Record(r.kind, r.started - began, r.status, r.seconds, r.problem, r.error)
        for r in figures.records
    ]
    statuses = Counter(r.status for r in records)
    print(f"\n{len(records)} requests in {ended:.1f} s; answers by status: {dict(statuses)}")
    print(f"returns received whole: {len(figures.received)}")
    for mode, went, back in outages:
        during = [r for r in records if went <= r.started < back]
        errors = Counter(r.status for r in during if r.status != 200)
        after_back = [r for r in records if r.started >= back and r.status == 200]
        first_ok = min((r.started + r.seconds for r in after_back), default=float("inf"))
        slowest = max((r.seconds for r in during), default=0.0)
        soon_after = [r for r in records if back <= r.started < back + 3]
        late = Counter(r.status for r in soon_after if r.status != 200)
        print(
            f"outage ({mode}): {len(during)} requests while down, answered {dict(errors)}; "
            f"slowest {slowest:.2f} s; first success {first_ok - back:.2f} s after PostgreSQL "
            f"was back; errors in the 3 s after: {dict(late)}"
        )
        if first_ok - back > args.recovery:
            failures.append(f"not recovered {args.recovery} s after the {mode} restart")
    bad = [r for r in records if r.status is not None and r.status >= 500 and r.status != 503]
    unproblematic = [r for r in records if r.status == 503 and not r.problem]
    no_answer = [r for r in records if r.status is None]
    hung = [r for r in records if r.seconds > args.hang]
    tail = [r for r in records if r.started > ended - 3 and r.status not in (200, 409)]
    ok = [r.seconds for r in records if r.status == 200]
    figures_ms = percentiles(ok)
    print(
        f"successful requests p50 {figures_ms['p50_ms']:.0f} ms, p99 {figures_ms['p99_ms']:.0f} "
        f"ms; slowest of all {max(r.seconds for r in records):.2f} s"
    )
    if bad:
        failures.append(f"{len(bad)} answers 5xx other than 503: {Counter(r.status for r in bad)}")
    if unproblematic:
        failures.append(f"{len(unproblematic)} 503 answers not problem+json")
    if no_answer:
        failures.append(f"{len(no_answer)} requests got no answer: {no_answer[0].error}")
    if hung:
        failures.append(f"{len(hung)} requests took longer than {args.hang} s")
    if tail:
        failures.append(f"{len(tail)} errors in the last 3 s: not recovered")
    if processes_before != processes_after:
        failures.append(f"server processes changed: {processes_before} -> {processes_after}")
    if not figures.received:
        failures.append("no return was received at all")
    for failure in failures:
        print(f"  - {failure}")
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
