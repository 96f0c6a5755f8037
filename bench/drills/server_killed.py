"""Fault drill: `warehouse serve` SIGKILLed mid-load, again and again, on SQLite and PostgreSQL.

Run: ``.venv/bin/python -m bench.drills.server_killed [--cycles 8] [--db sqlite,postgresql]``

Each cycle is the drill of tests/integration/test_fault_server_killed.py (which runs it once,
and whose checks this reuses rather than copies): receivers scan parcels and items and close
them, inspectors submit inspections, the whole process group (gunicorn master, web workers,
delivery worker) is killed with SIGKILL after a random number of answers, the server is
started again on the same database and data directory, nothing may be half-written, and
every request the terminals sent is sent again, twice: each scan answers its first success
word for word and creates nothing. Many cycles at random moments reach kill points a single
test run would not. PostgreSQL is the server on 127.0.0.1:5432 (a scratch database is
created and dropped; the server itself is never restarted).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import ROOT, fresh_database

# The drill's steps live with its test; tests/ is not a package, so put it on the path.
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

RECEIVERS, INSPECTORS = 4, 2
RETURNS_PER_CYCLE, INSPECTED_RETURNS_PER_CYCLE = 60, 20


def drill(kind: str, cycles: int, rng: random.Random) -> list[str]:
    import test_fault_server_killed as steps
    from served_warehouse import ServedWarehouse

    from warehouse import migrate
    from warehouse.app import create_app
    from warehouse.auth.services import create_user
    from warehouse.config import Settings
    from warehouse.context import SYSTEM, Context
    from warehouse.db import make_engine, read_only_transactions, transaction
    from warehouse.stores.services import create_store

    failures = []
    with fresh_database(kind) as url, tempfile.TemporaryDirectory(prefix="wh-drill-") as data:
        settings = Settings(database_url=url, data_dir=Path(data))
        engine = make_engine(settings)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app(settings)
        client = app.test_client()
        session = app.extensions["warehouse.sessions"]()
        staff = {f"recv{i}": "receiver" for i in range(RECEIVERS + 1)}
        staff |= {f"qc{i}": "inspector" for i in range(INSPECTORS)} | {"boss": "supervisor"}
        with transaction(session):
            ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
            api_key = create_store(session, ctx, name="Drill store").api_key
            for username, role in staff.items():
                create_user(session, ctx, username=username, role=role, pin="2468")
        session.close()

        def token(name: str) -> dict:
            answer = client.post("/api/v1/auth/token", json={"username": name, "pin": "2468"})
            return {"Authorization": f"Bearer {answer.json['token']}"}

        checklist = {"name": "QC", "category": "default", "items": steps.CHECKLIST}
        client.post("/api/v1/checklists", json=checklist, headers=token("boss"))
        numbers = (f"SF{n}" for n in range(1_000_000_000_001, 1_000_000_900_000))
        server = ServedWarehouse(url, Path(data))
        totals = {"killed mid-request": 0, "scans committed without an answer": 0}
        with read_only_transactions():
            db = app.extensions["warehouse.sessions"]()
            for cycle in range(1, cycles + 1):
                to_receive = steps.open_returns(
                    client, api_key, [next(numbers) for _ in range(RETURNS_PER_CYCLE)]
                )
                to_inspect = steps.open_returns(
                    client, api_key, [next(numbers) for _ in range(INSPECTED_RETURNS_PER_CYCLE)]
                )
                lpns = steps.received_units(client, token(f"recv{RECEIVERS}"), to_inspect)
                kill_after = rng.randint(5, 150)
                began = time.monotonic()
                try:
                    server.start()
                    tokens = {n: steps.sign_in(server.address, n) for n in staff if n != "boss"}
                    figures = steps.kill_mid_load_and_replay(
                        server,
                        db,
                        [tokens[f"recv{i}"] for i in range(RECEIVERS)],
                        [tokens[f"qc{i}"] for i in range(INSPECTORS)],
                        to_receive,
                        lpns,
                        kill_after,
                    )
                except AssertionError as failure:
                    failures.append(f"[{kind}] cycle {cycle}: {failure}")
                    print(f"[{kind}] cycle {cycle}: FAILED {failure}")
                    continue
                finally:
                    server.stop()
                totals["killed mid-request"] += figures["unanswered"]
                totals["scans committed without an answer"] += figures[
                    "scans committed without an answer"
                ]
                print(
                    f"[{kind}] cycle {cycle}: killed after {kill_after} answers "
                    f"({figures['sent']} sent, {figures['unanswered']} unanswered, "
                    f"{figures['scans committed without an answer']} of them scans already "
                    f"committed, {figures['inspections committed without an answer']} "
                    f"inspections already committed); restart, checks and two replays "
                    f"{time.monotonic() - began:.1f} s"
                )
            db.close()
        app.extensions["warehouse.engine"].dispose()
        print(f"[{kind}] {cycles} cycles: {totals}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    print(f"seed {seed}")
    rng = random.Random(seed)
    failures = []
    for kind in args.db.split(","):
        failures += drill(kind, args.cycles, rng)
    for failure in failures:
        print(f"  - {failure}")
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
