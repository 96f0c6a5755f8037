"""Check-in throughput and latency at the dock, with 10,000 and then 1,000,000 open returns.

Run: ``.venv/bin/python -m bench.checkin [--db postgresql|sqlite] [--sizes 10000,1000000]``.

It makes a fresh database, bulk-loads open returns across 20 stores, starts `warehouse
serve`, and lets 32 terminals (threads with keep-alive connections) each receive returns
the way a receiver does: scan the parcel's tracking label, scan both items, close the
parcel. Two runs per size: terminals flat out (throughput, and latency under saturation),
then terminals pausing before each scan as a person does (latency at a realistic load).
It prints throughput and p50/p95/p99 per endpoint, and the ratios between the sizes.
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
        ctx = Context(SYSTEM, SystemClock().now())
        create_user(session, ctx, username="bench", role="receiver", pin="2580")
    session.close()
    engine.dispose()


class Receiver:
    """One terminal receiving returns: parcel, two items, close.

    With `think_s`, it pauses about that long before each scan (a person picking up the next
    item); without, it fires as fast as the server answers.
    """

    def __init__(self, address: str, token: str, number: int, think_s: float) -> None:
        self.terminal = Terminal(address, token, terminal_id=f"HH-{number:02d}")
        self.think_s = think_s
        self.rng = random.Random(number)
        self.latencies = Latencies()

    def post(self, name: str, path: str, body: dict | None = None) -> dict:
        if self.think_s:
            time.sleep(self.think_s * self.rng.uniform(0.5, 1.5))
        began = time.perf_counter()
        status, answer = self.terminal.post(path, body)
        self.latencies.add(name, time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"{name}: {status} {answer}")
        return answer

    def receive(self, n: int) -> None:
        began = time.perf_counter()
        answer = self.post(
            "POST /parcels/scan",
            "/api/v1/parcels/scan",
            {"scan_id": str(uuid.uuid4()), "code": tracking_for(n)},
        )
        if answer["parcel"]["status"] != "matched":
            raise RuntimeError(f"parcel {tracking_for(n)} did not match: {answer}")
        parcel = answer["parcel"]["id"]
        for line in range(2):
            answer = self.post(
                "POST /parcels/{id}/items/scan",
                f"/api/v1/parcels/{parcel}/items/scan",
                {"scan_id": str(uuid.uuid4()), "code": sku_for(n, line)},
            )
            if answer["unit"]["status"] != "received":
                raise RuntimeError(f"item {sku_for(n, line)} not received: {answer}")
        self.post("POST /parcels/{id}/close", f"/api/v1/parcels/{parcel}/close")
        if not self.think_s:
            self.latencies.add("whole two-line return", time.perf_counter() - began)


def measure(
    address: str, token: str, picks: list[int], terminals: int, think_s: float = 0.0
) -> tuple[list[dict], float]:
    """Receives every return in `picks`, spread over `terminals` concurrent terminals."""
    receivers = [Receiver(address, token, i, think_s) for i in range(terminals)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            for n in picks[i::terminals]:
                receivers[i].receive(n)
        except BaseException as exc:  # re-raised below: a failed scan fails the benchmark
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(terminals)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    wall = time.perf_counter() - began
    if errors:
        raise errors[0]
    total = Latencies()
    for receiver in receivers:
        total.merge(receiver.latencies)
    return total.rows(wall), wall


class Picker:
    """Random, never repeated return numbers out of those loaded so far."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.rng = random.Random(7)

    def pick(self, loaded: int, count: int) -> list[int]:
        picks: list[int] = []
        while len(picks) < count:
            n = self.rng.randrange(loaded)
            if n not in self.used:
                self.used.add(n)
                picks.append(n)
        return picks


def compare(figures: dict, small: str, large: str, label: str) -> None:
    if small not in figures or large not in figures:
        return
    print(f"\n{label} (ratios large / small: p50, p99, throughput):")
    for name, row in figures[large].items():
        base = figures[small].get(name)
        if base:
            print(
                f"  {name:<30} p50 ×{row['p50_ms'] / base['p50_ms']:.2f}   "
                f"p99 ×{row['p99_ms'] / base['p99_ms']:.2f}   "
                f"throughput ×{row['per_second'] / base['per_second']:.2f}"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--terminals", type=int, default=32)
    parser.add_argument("--returns-per-terminal", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=250,
        help="the paced run's pause before each scan; 0 skips that run",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    count = args.terminals * args.returns_per_terminal

    with fresh_database(args.db) as url:
        prepare(url)
        stores = create_stores(url)
        loaded, picker, figures = 0, Picker(), {}
        for size in sizes:
            seconds = load_returns(url, stores, loaded, size - loaded)
            print(f"\nloaded {size - loaded:,} open returns in {seconds:.1f} s ({args.db})")
            loaded = size
            with served(url, workers=args.workers) as address:
                status, body = Terminal(address).post(
                    "/api/v1/auth/token", {"username": "bench", "pin": "2580"}
                )
                if status != 200:
                    raise RuntimeError(f"sign-in failed: {status} {body}")
                token = body["token"]
                measure(address, token, picker.pick(loaded, args.terminals * 2), args.terminals)
                rows, wall = measure(address, token, picker.pick(loaded, count), args.terminals)
                print_table(
                    f"{loaded:,} open returns, {args.terminals} terminals flat out, "
                    f"{args.workers} workers, {args.db} ({wall:.1f} s)",
                    rows,
                )
                figures[f"{size}"] = {row["endpoint"]: row for row in rows}
                if args.think_ms:
                    think = args.think_ms / 1000
                    rows, wall = measure(
                        address, token, picker.pick(loaded, count // 2), args.terminals, think
                    )
                    print_table(
                        f"{loaded:,} open returns, {args.terminals} terminals pausing "
                        f"~{args.think_ms:.0f} ms before each scan ({wall:.1f} s)",
                        rows,
                    )
                    figures[f"{size}-paced"] = {row["endpoint"]: row for row in rows}
        if len(sizes) > 1:
            small, large = str(sizes[0]), str(sizes[-1])
            compare(figures, small, large, f"{sizes[-1]:,} vs {sizes[0]:,}, flat out")
            compare(
                figures, small + "-paced", large + "-paced", f"{sizes[-1]:,} vs {sizes[0]:,}, paced"
            )


if __name__ == "__main__":
    main()
