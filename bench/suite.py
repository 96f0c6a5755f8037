"""`python -m bench all`: the service against its baselines on PostgreSQL and SQLite.

For each database: a fresh database, the staff and 20 stores; the baseline app (bare Flask,
and one INSERT per request) served with the same gunicorn settings as `warehouse serve`;
then, for each size (10,000 then 1,000,000 open returns, bulk-loaded), `warehouse serve`
started afresh and driven by the terminals in three phases:

1. parcel scans only, flat out: the scan's throughput, to set against the bare insert's;
2. the floor's mix, flat out: throughput and latency under saturation;
3. the mix, paced as hand-helds are: the latency people see (the p99 targets).

After the phases: each web worker's memory, and the database's size per 1,000 returns.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass

from bench import baseline_app
from bench.harness import CpuMeter, database_size_bytes, fresh_database, serving
from bench.load import create_stores, load_returns
from bench.mix import (
    PhaseResult,
    ReturnPicker,
    Station,
    baseline_work,
    open_floor,
    prepare_database,
    run_phase,
)

BASELINE_COMMAND = (sys.executable, "-m", "bench.baseline_app")


def serve_defaults() -> tuple[int, int]:
    """`warehouse serve`'s own default workers and threads, read from the command itself."""
    from warehouse.commands import serve

    defaults = {param.name: param.default for param in serve.params}
    return defaults["workers"], defaults["threads"]


@dataclass(frozen=True)
class Plan:
    """How much to measure: sizes, terminals, and how long each phase runs (seconds)."""

    sizes: tuple[int, ...] = (10_000, 1_000_000)
    terminals: int = 32
    warm_s: float = 3
    scan_s: float = 8
    flat_s: float = 15
    paced_s: float = 40
    baseline_flat_s: float = 6
    baseline_paced_s: float = 12
    #: Each terminal's least number of rounds per phase, however long they take.
    min_rounds: int = 0
    workers: int = 0  # 0: `warehouse serve`'s default
    threads: int = 0

    def resolved(self) -> Plan:
        workers, threads = serve_defaults()
        return dataclasses.replace(
            self, workers=self.workers or workers, threads=self.threads or threads
        )


#: `--quick`: every piece once, in seconds, to see that the harness works (not figures).
QUICK = Plan(
    sizes=(300, 1_000),
    terminals=4,
    warm_s=0.5,
    scan_s=1,
    flat_s=1.5,
    paced_s=2,
    baseline_flat_s=1,
    baseline_paced_s=1.5,
    min_rounds=1,  # so that every endpoint is reached even on a busy machine
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure_baselines(url: str, plan: Plan) -> dict:
    """The bare endpoints, flat out and paced, with the terminals the service gets."""
    baseline_app.create_table(url)
    figures: dict = {"flat": {}, "paced": {}}
    with serving(
        url,
        workers=plan.workers,
        threads=plan.threads,
        command=BASELINE_COMMAND,
        ready_path="/ping",
    ) as server:
        meter = CpuMeter(server, url)
        for mode, seconds in (("flat", plan.baseline_flat_s), ("paced", plan.baseline_paced_s)):
            stations = [
                Station(server.address, None, i, paced=mode == "paced")
                for i in range(plan.terminals)
            ]
            for name, work in (
                ("ping", baseline_work("/ping")),
                ("insert", baseline_work("/insert", "POST")),
            ):
                log(f"baseline {name}, {mode}")
                meter.start()
                outcome = run_phase(stations, work, seconds, plan.min_rounds)
                figures[mode][name] = {**outcome.rows[0], "cpu": meter.stop()}
            for station in stations:
                station.close()
        figures["memory_mb"] = server.worker_memory_mb()
    return figures


def ran_out_note(outcome: PhaseResult, share: int, seconds: float) -> str | None:
    """What to say of a phase whose terminals used up its returns before its time was up: its
    figures stand (every request sent was answered and timed), over a shorter run."""
    if not outcome.ran_out:
        return None
    return (
        f"{outcome.ran_out} of {outcome.terminals} terminals used up the phase's {share:,} "
        f"returns before its {seconds:g} s were up; figures cover {outcome.wall_s:.1f} s "
        "(load more returns for a longer run)"
    )


def measure_database(kind: str, plan: Plan) -> dict:
    """Everything for one database kind ("postgresql" or "sqlite")."""
    result: dict = {
        "database": kind,
        "terminals": plan.terminals,
        "server": f"gunicorn gthread, {plan.workers} workers × {plan.threads} threads "
        "(warehouse.serve settings)",
        "sizes": [],
    }
    with fresh_database(kind) as url:
        log(f"{kind}: migrating, staff, 20 stores")
        prepare_database(url)
        stores = create_stores(url)
        baselines = measure_baselines(url, plan)
        result["baselines"] = {"flat": baselines["flat"], "paced": baselines["paced"]}
        result["baseline_memory_mb"] = baselines["memory_mb"]
        picker, floor, loaded = ReturnPicker(), None, 0
        for size in plan.sizes:
            log(f"{kind}: loading {size - loaded:,} returns")
            load_s = load_returns(url, stores, loaded, size - loaded)
            loaded = picker.loaded = size
            db_bytes = database_size_bytes(url)
            with serving(url, workers=plan.workers, threads=plan.threads) as server:
                floor = floor or open_floor(server.address)
                figures = {"returns": size, "load_s": load_s, "db_bytes": db_bytes}
                flat = [Station(server.address, floor, i) for i in range(plan.terminals)]
                paced = [
                    Station(server.address, floor, i, paced=True) for i in range(plan.terminals)
                ]
                log(f"{kind} {size:,}: warming up")
                # Each phase (warm-up included) may use an equal share of the returns left,
                # so a quick machine that receives faster than planned cannot starve the next.
                picker.share_for(4)
                run_phase(flat, lambda s: s.handle_return(picker.next()), plan.warm_s, 1)
                phases = (
                    ("scan", flat, lambda s: s.scan_parcel(picker.next()), plan.scan_s),
                    ("flat", flat, lambda s: s.handle_return(picker.next()), plan.flat_s),
                    ("paced", paced, lambda s: s.handle_return(picker.next()), plan.paced_s),
                )
                for left, (phase, stations, work, seconds) in zip(
                    range(len(phases), 0, -1), phases, strict=True
                ):
                    share = picker.share_for(left)
                    log(f"{kind} {size:,}: {phase} (up to {share:,} returns)")
                    meter = CpuMeter(server, url)
                    meter.start()
                    # A paced round takes eight seconds or so: the paced phase is time only.
                    rounds = 0 if phase == "paced" else plan.min_rounds
                    outcome = run_phase(stations, work, seconds, rounds)
                    figures[phase] = {
                        "rows": outcome.rows,
                        "wall_s": outcome.wall_s,
                        "cpu": meter.stop(),
                        "ran_out": ran_out_note(outcome, share, seconds),
                    }
                    if figures[phase]["ran_out"]:
                        log(f"{kind} {size:,}: {phase}: {figures[phase]['ran_out']}")
                figures["memory_mb"] = server.worker_memory_mb()
                for station in flat + paced:
                    station.close()
            result["sizes"].append(figures)
    return result
