"""Statements, commits and time per request on the dock's hot paths, in this process.

Run: ``.venv/bin/python -m bench.profile_hotpaths [--database-url URL] [--returns 200]
[--pyinstrument ENDPOINT]``

The app runs in this process behind Flask's test client (no HTTP, no other terminals), so
the figures are the service's own cost per request: how many SQL statements it sends, how
many transactions it commits, and its median and p95 wall time. Each return is received the
way the dock does it (parcel scan by tracking label, two item scans, close) and each unit is
then inspected. With ``--pyinstrument parcel|item|close|inspect`` that endpoint is profiled
(in-process, wall clock) and the profile printed.

A fresh SQLite file by default; with a PostgreSQL URL the database's schema is dropped and
rebuilt first, so give it a scratch database.
"""

from __future__ import annotations

import argparse
import pstats
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from warehouse import migrate
from warehouse.app import create_app
from warehouse.config import Settings
from warehouse.context import SYSTEM, Context
from warehouse.db import make_engine, transaction

CHECKLIST = [
    {"key": "tags_attached", "label": "Tags", "type": "yes_no", "fail_when": False},
    {"key": "stains", "label": "Stains", "type": "yes_no", "fail_when": True, "grade_cap": "C"},
]
ANSWERS = {"tags_attached": True, "stains": False}


class StatementCounter:
    """Counts the statements and commits an engine runs while it is on."""

    def __init__(self, engine) -> None:
        self.statements = 0
        self.commits = 0
        self.texts: list[str] = []
        self.database_s = 0.0
        self._began = 0.0
        event.listen(engine, "before_cursor_execute", self._on_statement)
        event.listen(engine, "after_cursor_execute", self._after_statement)
        event.listen(engine, "commit", self._on_commit)
        event.listen(Session, "after_commit", self._after_commit)

    def _on_statement(self, _conn, _cursor, statement, _params, _context, _many):
        self.statements += 1
        self.texts.append(statement)
        self._began = time.perf_counter()

    def _after_statement(self, *_args):
        self.database_s += time.perf_counter() - self._began

    def _on_commit(self, _connection):
        # The engine's commit event comes just before the driver's COMMIT, the session's
        # after_commit just after it: the time between is the commit's round trip.
        self.commits += 1
        self._began = time.perf_counter()

    def _after_commit(self, _session):
        self.database_s += time.perf_counter() - self._began

    def reset(self) -> None:
        self.statements, self.commits, self.texts, self.database_s = 0, 0, [], 0.0


def fresh_settings(database_url: str | None, data_dir: Path) -> Settings:
    settings = Settings(data_dir=data_dir, database_url=database_url or "")
    engine = make_engine(settings)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    return settings


def setup(app) -> dict:
    """A store, a receiver and an inspector signed in, and a checklist; answers headers."""
    from warehouse.auth.services import create_user
    from warehouse.stores.services import create_store

    session = app.extensions["warehouse.sessions"]()
    ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
    with transaction(session):
        store = create_store(session, ctx, name="Profile store")
        create_user(session, ctx, username="prof-recv", role="receiver", pin="1234")
        create_user(session, ctx, username="prof-sup", role="supervisor", pin="1234")
        create_user(session, ctx, username="prof-insp", role="inspector", pin="1234")
    session.close()
    client = app.test_client()

    def sign_in(username):
        answer = client.post("/api/v1/auth/token", json={"username": username, "pin": "1234"})
        return {"Authorization": f"Bearer {answer.json['token']}"}

    headers = {
        "store": {"Authorization": f"Bearer {store.api_key}"},
        "receiver": sign_in("prof-recv"),
        "inspector": sign_in("prof-insp"),
    }
    answer = client.post(
        "/api/v1/checklists",
        json={"name": "QC", "category": "apparel", "items": CHECKLIST},
        headers=sign_in("prof-sup"),
    )
    assert answer.status_code == 201, answer.json
    headers["checklist_id"] = answer.json["id"]
    return headers


def create_returns(client, headers, count: int) -> list[dict]:
    made = []
    for n in range(count):
        tracking = f"YT{7_100_000_000_000 + n:013d}"
        body = {
            "external_id": f"PROF-{uuid.uuid4().hex[:12]}",
            "order_id": uuid.uuid4().hex[:16],
            "reason": "no_reason_7d",
            "buyer": {"id": "prof-buyer"},
            "currency": "CNY",
            "carrier": "YTO",
            "tracking_number": tracking,
            "lines": [
                {
                    "line_id": f"L{i}",
                    "sku": f"SKU{n}-{i}",
                    "title": "T恤",
                    "category": "apparel",
                    "quantity": 1,
                    "unit_price": 9900,
                }
                for i in range(2)
            ],
        }
        answer = client.post("/api/v1/returns", json=body, headers=headers["store"])
        assert answer.status_code == 201, answer.json
        made.append({"tracking": tracking, "skus": [f"SKU{n}-{i}" for i in range(2)]})
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--returns", type=int, default=200)
    parser.add_argument("--pyinstrument", choices=["parcel", "item", "close", "inspect"])
    parser.add_argument("--show-sql", choices=["parcel", "item", "close", "inspect"])
    parser.add_argument("--cprofile", metavar="FILE", help="cProfile every measured request")
    parser.add_argument(
        "--count-calls",
        action="store_true",
        help="count Python function calls per request (a CPU measure that load does not skew)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = fresh_settings(args.database_url, Path(tmp))
        app = create_app(settings)
        client = app.test_client()
        headers = setup(app)
        returns = create_returns(client, headers, args.returns)
        counter = StatementCounter(app.extensions["warehouse.engine"])
        stats: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        profiler = None
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
        shown_sql: list[str] = []  # the SQL of the --show-sql request that took the most
        whole = None
        if args.cprofile:
            import cProfile

            whole = cProfile.Profile()

        def call(name, path, body=None, auth="receiver", expect=200):
            counter.reset()
            profiling = profiler is not None and name == args.pyinstrument
            if profiling:
                profiler.start()
            calls = None
            if args.count_calls:
                import cProfile

                calls = cProfile.Profile()
                calls.enable()
            if whole is not None:
                whole.enable()
            began = time.perf_counter()
            cpu_began = time.process_time()
            answer = client.post(path, json=body, headers=headers[auth])
            elapsed = time.perf_counter() - began
            stats[name]["cpu_ms"].append((time.process_time() - cpu_began) * 1000)
            if whole is not None:
                whole.disable()
            if calls is not None:
                calls.disable()
                stats[name]["calls"].append(pstats.Stats(calls).total_calls)
            if profiling:
                profiler.stop()
            assert answer.status_code == expect, (name, answer.status_code, answer.json)
            stats[name]["ms"].append(elapsed * 1000)
            stats[name]["statements"].append(counter.statements)
            stats[name]["commits"].append(counter.commits)
            stats[name]["db_ms"].append(counter.database_s * 1000)
            if args.show_sql == name and len(counter.texts) > len(shown_sql):
                shown_sql[:] = counter.texts
            return answer.json

        for ret in returns:
            parcel = call(
                "parcel",
                "/api/v1/parcels/scan",
                {"scan_id": str(uuid.uuid4()), "code": ret["tracking"]},
            )["parcel"]["id"]
            lpns = [
                call(
                    "item",
                    f"/api/v1/parcels/{parcel}/items/scan",
                    {"scan_id": str(uuid.uuid4()), "code": sku},
                )["unit"]["lpn"]
                for sku in ret["skus"]
            ]
            call("close", f"/api/v1/parcels/{parcel}/close")
            for lpn in lpns:
                call(
                    "inspect",
                    f"/api/v1/units/{lpn}/inspection",
                    {"checklist_id": headers["checklist_id"], "answers": ANSWERS},
                    auth="inspector",
                    expect=201,
                )

        backend = app.extensions["warehouse.engine"].dialect.name
        print(f"{backend}, {args.returns} two-line returns, in-process (Flask test client)")
        print(
            f"{'request':<10} {'statements':>10} {'commits':>8} {'p50 ms':>8} {'p95 ms':>8}"
            f" {'in database, p50 ms':>20} {'CPU p50 ms':>11}"
            + (f" {'Python calls':>13}" if args.count_calls else "")
        )
        for name, figures in stats.items():
            ms = sorted(figures["ms"])
            print(
                f"{name:<10} {statistics.median(figures['statements']):>10.0f} "
                f"{statistics.median(figures['commits']):>8.0f} "
                f"{statistics.median(ms):>8.2f} {ms[int(len(ms) * 0.95)]:>8.2f}"
                f" {statistics.median(figures['db_ms']):>20.2f}"
                f" {statistics.median(figures['cpu_ms']):>11.2f}"
                + (f" {statistics.median(figures['calls']):>13.0f}" if args.count_calls else "")
            )
        if shown_sql:
            print(f"--- SQL of the {args.show_sql} request that took the most statements ---")
            for statement in shown_sql:
                print(" ", " ".join(statement.split())[:200])
        if whole is not None:
            whole.dump_stats(args.cprofile)
        if profiler is not None:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        app.extensions["warehouse.engine"].dispose()


if __name__ == "__main__":
    main()
