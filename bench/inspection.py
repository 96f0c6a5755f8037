"""Inspection-submit latency and throughput: N sequential submits, then 16 inspectors at once.

Run: .venv/bin/python bench/inspection.py [--units 400] [--concurrency 16]
         [--database-url postgresql+psycopg://postgres@127.0.0.1/wh_bench]
         [--serve [--workers 4 --threads 4]]

Without --serve the app runs in this process, driven by Flask's test client (one per
inspector thread): every request shares this one interpreter, so the concurrent figures
measure one process's saturation. With --serve the bench starts `warehouse serve` (gunicorn,
as deployed) and its inspectors talk HTTP to it, which is what 16 handhelds would see.

The database is a fresh SQLite file by default, or the PostgreSQL database given (its schema
is dropped and rebuilt first). Units are received the way the dock does it; one in five
inspections finds buyer damage and attaches a photo; each inspector works on returns of its
own, and the last unit of each return moves it to `inspected` and writes `return.inspected`.
Three runs: one inspector submitting back to back; 16 inspectors each pausing a random
0–2×`--think` seconds per unit (a real one spends half a minute on a checklist, so 0.5 s is
already some 60 times the real load); 16 inspectors back to back (the saturation point: on
a small machine their latency is mostly queueing). Goal: p99 under 50 ms with 16 concurrent
inspectors.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image
from sqlalchemy import text

from warehouse import migrate
from warehouse.app import create_app
from warehouse.config import Settings
from warehouse.context import SYSTEM, Context
from warehouse.db import make_engine, transaction

UNITS_PER_RETURN = 4
CLEAN = {"tags_attached": True, "signs_of_wear": "none", "stains": False, "packaging_intact": True}
DAMAGED = {**CLEAN, "signs_of_wear": "worn", "stains": True}
CHECKLIST = [
    {
        "key": "tags_attached",
        "label": {"zh-CN": "吊牌完好", "en": "Tags attached"},
        "type": "yes_no",
        "fail_when": False,
        "grade_cap": "B",
        "liability": "buyer",
        "deduction_percent": 20,
    },
    {
        "key": "signs_of_wear",
        "label": {"zh-CN": "穿着痕迹", "en": "Signs of wear"},
        "type": "choice",
        "choices": ["none", "tried_on", "worn"],
        "outcomes": {
            "tried_on": {"grade_cap": "B"},
            "worn": {"grade_cap": "C", "buyer_fault": True, "deduction_percent": 30},
        },
    },
    {
        "key": "stains",
        "label": {"zh-CN": "污渍", "en": "Stains"},
        "type": "yes_no",
        "fail_when": True,
        "grade_cap": "C",
        "buyer_fault": True,
        "deduction_percent": 30,
    },
    {
        "key": "packaging_intact",
        "label": {"zh-CN": "包装完好", "en": "Packaging intact"},
        "type": "yes_no",
        "fail_when": False,
    },
    {"key": "photo_front", "label": "Front", "type": "photo", "required": False},
    {"key": "notes", "label": "Notes", "type": "text", "required": False},
]


# --- transports: the test client in this process, or HTTP to `warehouse serve` --------------


class TestClientTransport:
    """Requests through Flask's test client; one per thread."""

    def __init__(self, app) -> None:
        self.client = app.test_client()

    def get(self, path: str, headers: dict):
        response = self.client.get(path, headers=headers)
        return response.status_code, response.json

    def post(self, path: str, body: dict | None = None, headers: dict | None = None):
        response = self.client.post(path, json=body, headers=headers)
        return response.status_code, response.json

    def upload(self, path: str, data: bytes, headers: dict):
        response = self.client.post(
            path,
            data={"file": (io.BytesIO(data), "front.jpg")},
            headers=headers,
            content_type="multipart/form-data",
        )
        return response.status_code, response.json


class HttpTransport:
    """Requests over one keep-alive HTTP connection; one per thread."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, headers: dict):
        return self._send(path, None, headers, "GET")

    def _send(self, path: str, payload: bytes | None, headers: dict, method: str = "POST"):
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None

    def post(self, path: str, body: dict | None = None, headers: dict | None = None):
        payload = json.dumps(body).encode() if body is not None else b""
        return self._send(path, payload, {"Content-Type": "application/json", **(headers or {})})

    def upload(self, path: str, data: bytes, headers: dict):
        boundary = uuid.uuid4().hex
        payload = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="front.jpg"'
                f"\r\nContent-Type: image/jpeg\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        content_type = f"multipart/form-data; boundary={boundary}"
        return self._send(path, payload, {"Content-Type": content_type, **headers})


# --- setting up --------------------------------------------------------------------------------


def fresh_database(database_url: str | None, data_dir: Path) -> Settings:
    settings = Settings(data_dir=data_dir, database_url=database_url or "")
    engine = make_engine(settings)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    return settings


def create_people(app, inspectors: int) -> str:
    """A store and staff, written directly; answers the store's API key."""
    from warehouse.auth.services import create_user
    from warehouse.stores.services import create_store

    session = app.extensions["warehouse.sessions"]()
    ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
    with transaction(session):
        store = create_store(session, ctx, name="Bench store")
        for username, role in (("bench-recv", "receiver"), ("bench-sup", "supervisor")):
            create_user(session, ctx, username=username, role=role, pin="1234")
        for n in range(inspectors):
            create_user(session, ctx, username=f"bench-insp{n}", role="inspector", pin="1234")
    session.close()
    return store.api_key


def sign_in_and_checklist(transport, api_key: str, inspectors: int) -> dict:
    def sign_in(username: str) -> dict:
        status, body = transport.post("/api/v1/auth/token", {"username": username, "pin": "1234"})
        assert status == 200, body
        return {"Authorization": f"Bearer {body['token']}"}

    headers = {
        "store": {"Authorization": f"Bearer {api_key}"},
        "receiver": sign_in("bench-recv"),
        "supervisor": sign_in("bench-sup"),
        "inspectors": [sign_in(f"bench-insp{n}") for n in range(inspectors)],
    }
    status, body = transport.post(
        "/api/v1/checklists",
        {"name": "Apparel QC", "category": "apparel", "items": CHECKLIST},
        headers["supervisor"],
    )
    assert status == 201, body
    return headers


def receive_units(transport, headers: dict, count: int) -> list[list[tuple[str, dict]]]:
    """`count` units in returns of UNITS_PER_RETURN, grouped by return, each with its body."""
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(out, "JPEG", quality=85)
    photo = out.getvalue()
    groups, made = [], 0
    while made < count:
        skus = [f"SKU-{uuid.uuid4().hex[:10].upper()}" for _ in range(UNITS_PER_RETURN)]
        body = {
            "external_id": f"BENCH-{uuid.uuid4().hex[:12]}",
            "order_id": uuid.uuid4().hex[:16],
            "reason": "no_reason_7d",
            "buyer": {"id": "bench-buyer"},
            "currency": "CNY",
            "lines": [
                {
                    "line_id": f"L{i}",
                    "sku": sku,
                    "title": "T恤",
                    "category": "apparel",
                    "quantity": 1,
                    "unit_price": 9900,
                }
                for i, sku in enumerate(skus)
            ],
        }
        _, ret = transport.post("/api/v1/returns", body, headers["store"])
        scan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
        _, parcel = transport.post("/api/v1/parcels/scan", scan, headers["receiver"])
        parcel_id = parcel["parcel"]["id"]
        group = []
        for sku in skus:
            item = {"scan_id": str(uuid.uuid4()), "code": sku}
            _, scanned = transport.post(
                f"/api/v1/parcels/{parcel_id}/items/scan", item, headers["receiver"]
            )
            lpn = scanned["unit"]["lpn"]
            if (made + len(group)) % 5 == 4:
                status, uploaded = transport.upload(
                    f"/api/v1/units/{lpn}/photos", photo, headers["supervisor"]
                )
                assert status == 201, uploaded
                answers = {**DAMAGED, "photo_front": [uploaded["id"]]}
            else:
                answers = CLEAN
            group.append((lpn, {"answers": answers}))
        transport.post(f"/api/v1/parcels/{parcel_id}/close", None, headers["receiver"])
        groups.append(group)
        made += UNITS_PER_RETURN
    return groups


# --- measuring ---------------------------------------------------------------------------------


def submit(transport, lpn: str, body: dict, headers: dict) -> float:
    start = time.perf_counter()
    status, answer = transport.post(f"/api/v1/units/{lpn}/inspection", body, headers)
    elapsed = time.perf_counter() - start
    if status != 201:
        raise RuntimeError(f"{lpn}: {status} {answer}")
    return elapsed


def run_sequential(make_transport, groups, headers) -> tuple[list[float], float]:
    transport = make_transport()
    timings = []
    start = time.perf_counter()
    for group in groups:
        for lpn, body in group:
            timings.append(submit(transport, lpn, body, headers["inspectors"][0]))
    return timings, time.perf_counter() - start


def run_concurrent(make_transport, groups, headers, concurrency: int, think: float = 0.0):
    """Each inspector submits its units one after another, pausing a random 0–2×`think`
    seconds between them (0: back to back, the server's saturation)."""
    shares = [groups[i::concurrency] for i in range(concurrency)]
    timings: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency)
    failures: list[BaseException] = []

    def inspector(n: int) -> None:
        transport = make_transport()
        # A server that has been up a while has its connections open: open this one's first.
        transport.get("/api/v1/checklists?category=apparel", headers["inspectors"][n])
        mine = []
        pause = random.Random(n)
        barrier.wait()
        try:
            for group in shares[n]:
                for lpn, body in group:
                    if think:
                        time.sleep(pause.uniform(0, 2 * think))
                    mine.append(submit(transport, lpn, body, headers["inspectors"][n]))
        except BaseException as exc:  # re-raised after the run, not swallowed
            failures.append(exc)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=inspector, args=(n,)) for n in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return timings, time.perf_counter() - start


def report(label: str, timings: list[float], wall: float) -> None:
    ms = sorted(t * 1000 for t in timings)
    p = statistics.quantiles(ms, n=100, method="inclusive")
    print(
        f"{label:<22}{len(ms):>6}{len(ms) / wall:>9.0f}/s"
        f"{p[49]:>9.1f}{p[94]:>9.1f}{p[98]:>9.1f}{ms[-1]:>9.1f}",
        flush=True,
    )


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings: Settings, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "WAREHOUSE_DATA_DIR": str(settings.data_dir),
        "WAREHOUSE_DATABASE_URL": settings.resolved_database_url,
    }
    command = [
        str(Path(sys.executable).with_name("warehouse")),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--no-worker",
    ]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("warehouse serve did not start listening within 30 s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=400, help="units per run (default 400)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--serve", action="store_true", help="measure `warehouse serve` over HTTP")
    parser.add_argument("--workers", type=int, default=4, help="with --serve (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="with --serve (default 4)")
    parser.add_argument(
        "--think",
        type=float,
        default=0.5,
        help="mean seconds an inspector spends on a unit in the paced run (default 0.5)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 64:
        parser.error("--concurrency is 1 to 64")

    with tempfile.TemporaryDirectory() as tmp:
        settings = fresh_database(args.database_url, Path(tmp))
        app = create_app(settings)
        backend = app.extensions["warehouse.engine"].dialect.name
        api_key = create_people(app, args.concurrency)
        server = None
        if args.serve:
            app.extensions["warehouse.engine"].dispose()
            server, port = start_server(settings, args.workers, args.threads)

            def make_transport():
                return HttpTransport(port)

            where = f"warehouse serve, {args.workers} workers × {args.threads} threads"
        else:

            def make_transport():
                return TestClientTransport(app)

            where = "in-process test client"
        try:
            setup = make_transport()
            headers = sign_in_and_checklist(setup, api_key, args.concurrency)
            print(f"{backend}, {where}: receiving {3 * args.units} units …", flush=True)
            sequential_units = receive_units(setup, headers, args.units)
            paced_units = receive_units(setup, headers, args.units)
            concurrent_units = receive_units(setup, headers, args.units)
            warm_up = sequential_units[0].pop(0)
            submit(setup, *warm_up, headers["inspectors"][0])
            print(
                f"{'inspection submit':<22}{'n':>6}{'rate':>11}{'p50 ms':>9}{'p95':>9}"
                f"{'p99':>9}{'max':>9}"
            )
            report("sequential", *run_sequential(make_transport, sequential_units, headers))
            report(
                f"{args.concurrency} paced ({args.think:g} s)",
                *run_concurrent(make_transport, paced_units, headers, args.concurrency, args.think),
            )
            report(
                f"{args.concurrency} back to back",
                *run_concurrent(make_transport, concurrent_units, headers, args.concurrency),
            )
        finally:
            if server is not None:
                server.terminate()
                server.wait(30)
            app.extensions["warehouse.engine"].dispose()


if __name__ == "__main__":
    main()
