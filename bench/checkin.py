"""Check-in throughput and latency at the dock, with 10,000 and then 1,000,000 open returns.

Run: ``.venv/bin/python -m bench.checkin [--db postgresql|sqlite] [--sizes 10000,1000000]``.

It makes a fresh database, bulk-loads open returns across 20 stores, starts `warehouse
serve`, and lets 32 terminals (threads with keep-alive connections) each receive returns
the way a receiver does: scan the parcel's tracking label, scan both items, close the
parcel. It prints throughput and p50/p95/p99 per endpoint and for a whole two-line return,
then grows the open returns to the next size and measures again.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
import uuid

from bench.harness import Latencies, Terminal, fresh_database, print_table, served
from bench.load import create_stores, load_returns, sku_for, tracking_for


def prepare(url: str) -> None:
    """Migrates the database and adds the receiver the terminals sign in as."""
    from warehouse import migrate
    from warehouse.auth.services import create_user
    from warehouse.clock import SystemClock
    from warehouse.config import Settings
    from warehouse.context import SYSTEM, Context
    from warehouse.db import make_engine, make_session_factory, transaction

    engine = make_engine(Settings(database_url=url))
    migrate.upgrade(engine)
    session = make_session_factory(engine)()
    with transaction(session):
        create_user(
            session,
            Context(SYSTEM, SystemClock().now()),
            username="bench",
            role="receiver",
            pin="2580",
        )
    session.close()
    engine.dispose()


def receive(address: str, token: str, numbers: list[int], terminal: int, out: Latencies) -> None:
    """One terminal receiving each of its returns: parcel, two items, close."""
    t = Terminal(address, token, terminal_id=f"HH-{terminal:02d}")
    for n in numbers:
        began = time.perf_counter()
        status, body = _timed(
            out,
            "POST /parcels/scan",
            t.post,
            "/api/v1/parcels/scan",
            {"scan_id": str(uuid.uuid4()), "code": tracking_for(n)},
        )
        if status != 200 or body["parcel"]["status"] != "matched":
            raise RuntimeError(f"parcel scan failed: {status} {body}")
        parcel = body["parcel"]["id"]
        for line in range(2):
            status, body = _timed(
                out,
                "POST /parcels/{id}/items/scan",
                t.post,
                f"/api/v1/parcels/{parcel}/items/scan",
                {"scan_id": str(uuid.uuid4()), "code": sku_for(n, line)},
            )
            if status != 200 or body["unit"]["status"] != "received":
                raise RuntimeError(f"item scan failed: {status} {body}")
        status, body = _timed(
            out, "POST /parcels/{id}/close", t.post, f"/api/v1/parcels/{parcel}/close"
        )
        if status != 200:
            raise RuntimeError(f"close failed: {status} {body}")
        out.add("whole two-line return", time.perf_counter() - began)


def _timed(out: Latencies, name: str, call, *args):
    began = time.perf_counter()
    answer = call(*args)
    out.add(name, time.perf_counter() - began)
    return answer


def measure(
    address: str, token: str, loaded: int, used: set[int], terminals: int, returns_per_terminal: int
) -> tuple[list[dict], float]:
    """Receives `terminals × returns_per_terminal` random, not yet received returns."""
    rng = random.Random(loaded)
    picks: list[int] = []
    while len(picks) < terminals * returns_per_terminal:
        n = rng.randrange(loaded)
        if n not in used:
            used.add(n)
            picks.append(n)
    results = [Latencies() for _ in range(terminals)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            receive(address, token, picks[i::terminals], i, results[i])
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(terminals)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    wall = time.perf_counter() - began
    if errors:
        raise errors[0]
    total = Latencies()
    for result in results:
        total.merge(result)
    return total.rows(wall), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--terminals", type=int, default=32)
    parser.add_argument("--returns-per-terminal", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    with fresh_database(args.db) as url:
        prepare(url)
        stores = create_stores(url)
        loaded, used, figures = 0, set(), {}
        for size in sizes:
            seconds = load_returns(url, stores, loaded, size - loaded)
            print(f"loaded {size - loaded:,} open returns in {seconds:.1f} s ({args.db})")
            loaded = size
            with served(url, workers=args.workers) as address:
                status, body = Terminal(address).post(
                    "/api/v1/auth/token", {"username": "bench", "pin": "2580"}
                )
                assert status == 200, body
                measure(address, body["token"], loaded, used, args.terminals, 2)  # warm-up
                rows, wall = measure(
                    address, body["token"], loaded, used, args.terminals, args.returns_per_terminal
                )
            print_table(
                f"{loaded:,} open returns, {args.terminals} terminals, "
                f"{args.workers} workers, {args.db} ({wall:.1f} s)",
                rows,
            )
            figures[size] = {row["endpoint"]: row for row in rows}
        if len(sizes) > 1:
            small, large = figures[sizes[0]], figures[sizes[-1]]
            print(f"\n{sizes[-1]:,} vs {sizes[0]:,} open returns (p99 ratio, throughput ratio):")
            for name, row in large.items():
                base = small[name]
                print(
                    f"  {name:<30} p99 ×{row['p99_ms'] / base['p99_ms']:.2f}   "
                    f"throughput ×{row['per_second'] / base['per_second']:.2f}"
                )


if __name__ == "__main__":
    main()
