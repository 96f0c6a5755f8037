"""`python -m bench [command]`: the benchmark harness (`make bench` runs `all`).

  all        the service against its baselines on PostgreSQL and SQLite at 10,000 and
             1,000,000 open returns, then the libraries and webhook delivery; prints every
             figure with its ratio to the baselines and the issue's targets (~10–15 minutes
             on 2 cores; `--quick` for a smoke run of a few seconds per piece)
  mix        the same for one database (`--db`)
  baseline   the bare Flask and bare INSERT endpoints alone
  checkin, inspection, delivery, labels, scanners
             the per-feature scripts, with their own options (`python -m bench checkin -h`)

PostgreSQL is reached at WAREHOUSE_BENCH_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/postgres); each run creates and drops its own database.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from bench import report, suite

DATABASES = ("postgresql", "sqlite")
PASSTHROUGH = ("checkin", "inspection", "delivery", "labels", "scanners")


def _plan(args) -> suite.Plan:
    plan = suite.QUICK if args.quick else suite.Plan()
    changes = {}
    if args.sizes:
        changes["sizes"] = tuple(int(s) for s in args.sizes.split(","))
    for name in ("terminals", "workers", "threads"):
        if getattr(args, name):
            changes[name] = getattr(args, name)
    if args.paced_seconds:
        changes["paced_s"] = args.paced_seconds
    return suite.Plan(**{**plan.__dict__, **changes}).resolved()


def run_service(args, databases: tuple[str, ...], verdicts: report.Verdicts) -> list[dict]:
    plan = _plan(args)
    results = []
    for kind in databases:
        result = suite.measure_database(kind, plan)
        report.print_database(result, verdicts)
        results.append(result)
    return results


def run_libraries(args, verdicts: report.Verdicts) -> dict:
    """Scanners, labels and webhook delivery, each with the issue's goal."""
    from bench import delivery, labels, scanners

    suite.log("scanners, labels, webhook delivery")
    rate, _, _ = scanners.scans_per_second(0.5 if args.quick else 3)
    label_ms = labels.unit_label_ms(10 if args.quick else 50)
    print("\n=== webhook delivery (bench/delivery.py, SQLite) ===")
    events, backlog = (200, 100) if args.quick else (3000, 2000)
    posted = delivery.main([str(events), "--backlog", str(backlog)])
    print("\n=== libraries and delivery ===")
    goals = (
        ("scanners.parse ≥ 100,000 scans/s on one core", f"{rate:,.0f}/s", rate >= 100_000),
        ("unit label PNG < 10 ms (203 dpi)", f"{label_ms['png']:.2f} ms", label_ms["png"] < 10),
        ("unit label ZPL < 0.5 ms (203 dpi)", f"{label_ms['zpl']:.2f} ms", label_ms["zpl"] < 0.5),
        (
            "≥ 500 webhook deliveries/s",
            f"{posted['per_second']:.0f}/s",
            posted["per_second"] >= 500,
        ),
    )
    for goal, figure, met in goals:
        print(f"    {goal:<50} {figure:>12}   {verdicts.judge(goal, figure, met)}")
    return {"scans_per_second": rate, "unit_label_ms": label_ms, "delivery": posted}


def command_all(args) -> int:
    started = time.perf_counter()
    machine = report.machine()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(
        f"bench {args.command}{' --quick' if args.quick else ''} · {when} · commit "
        f"{machine['commit']} · {machine['cpus']} × {machine['cpu']}, {machine['ram_gib']} GiB"
        f" · Python {machine['python']} · load average {report.load_average()}"
    )
    print(report.__doc__.split("\n\n")[1].replace("\n", " "))
    verdicts = report.Verdicts()
    databases = tuple(args.db.split(",")) if args.db else DATABASES
    results = run_service(args, databases, verdicts)
    libraries = {} if args.service_only else run_libraries(args, verdicts)
    wall = time.perf_counter() - started
    print("\n=== targets (goals, not timed tests) ===")
    for target in verdicts.targets:
        print(target.line())
    print(f"\nwall time {wall / 60:.1f} min · load average at the end {report.load_average()}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "machine": machine,
                    "wall_s": wall,
                    "databases": results,
                    "libraries": libraries,
                    "targets": [t.__dict__ for t in verdicts.targets],
                },
                out,
                indent=1,
            )
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(report.markdown(results))
    return 0


def command_baseline(args) -> int:
    plan = _plan(args)
    from bench.harness import fresh_database

    for kind in tuple(args.db.split(",")) if args.db else DATABASES:
        with fresh_database(kind) as url:
            figures = suite.measure_baselines(url, plan)
        print(f"\n{kind}, {plan.terminals} terminals, {plan.workers} workers × {plan.threads}")
        for mode in ("flat", "paced"):
            report.print_phase(mode, list(figures[mode].values()), figures[mode])
    return 0


def _passthrough(module: str):
    def run(args) -> int:
        import importlib

        main = importlib.import_module(f"bench.{module}").main
        if module == "labels":
            main(int(args.rest[0]) if args.rest else 50)
            return 0
        outcome = main(args.rest)
        return outcome if isinstance(outcome, int) else 0

    return run


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    commands = top.add_subparsers(dest="command")
    for name, run, help_ in (
        ("all", command_all, "everything, both databases"),
        ("mix", command_all, "the service against its baselines, one database"),
        ("baseline", command_baseline, "the baseline endpoints alone"),
    ):
        sub = commands.add_parser(name, help=help_)
        sub.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds each")
        sub.add_argument("--db", help="postgresql, sqlite or both (comma-separated)")
        sub.add_argument("--sizes", help="open returns to load, e.g. 10000,1000000")
        sub.add_argument("--terminals", type=int, help="concurrent terminals (default 32)")
        sub.add_argument("--workers", type=int, help="gunicorn workers (default: serve's)")
        sub.add_argument("--threads", type=int, help="threads per worker (default: serve's)")
        sub.add_argument("--paced-seconds", type=float, help="length of the paced phase")
        sub.add_argument("--json", help="also write every figure to this file")
        sub.add_argument("--markdown", help="also write the service's tables to this file")
        sub.set_defaults(run=run, service_only=name == "mix")
    for name in PASSTHROUGH:
        sub = commands.add_parser(name, help=f"bench/{name}.py", add_help=False)
        sub.add_argument("rest", nargs=argparse.REMAINDER)
        sub.set_defaults(run=_passthrough(name))
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in PASSTHROUGH:  # their own options, parsed by their own mains
        return _passthrough(argv[0])(argparse.Namespace(rest=argv[1:]))
    args = parser().parse_args(argv)
    if args.command is None:  # `make bench`
        args = parser().parse_args(["all", *argv])
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
