"""Printing the harness's figures: per-endpoint tables with ratios to the baselines, and the
issue's targets with met / missed next to each figure.

Throughput ratios divide by the baseline's requests per second in the same mode (flat out or
paced); latency ratios divide by the baseline's p50 and p99 in the same mode. "×ping" is the
bare Flask endpoint, "×ins" the bare endpoint doing one INSERT in a transaction.
"""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.mix import INSPECT, PARCEL_SCAN

MB = 1024 * 1024


@dataclass
class Target:
    """One of the issue's targets, judged on one figure."""

    goal: str
    figure: str
    met: bool

    def line(self) -> str:
        return f"  {'met   ' if self.met else 'MISSED'}  {self.goal:<58} {self.figure}"


@dataclass
class Verdicts:
    targets: list[Target] = field(default_factory=list)

    def judge(self, goal: str, figure: str, met: bool) -> str:
        self.targets.append(Target(goal, figure, met))
        return "met" if met else "MISSED"


def ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}" if base else "–"


def print_phase(
    title: str,
    rows: list[dict],
    baseline: dict[str, dict],
    notes: dict[str, str] | None = None,
    cpu: dict | None = None,
    ran_out: str | None = None,
) -> None:
    """A phase's table: each endpoint's figures, then the same as ratios to the baselines;
    `ran_out` says that the phase used up its returns before its time was up."""
    ping, insert = baseline.get("ping", {}), baseline.get("insert", {})
    print(f"\n  {title}")
    print(
        f"    {'endpoint':<31}{'n':>6}{'req/s':>8}{'×ping':>7}{'×ins':>6} |"
        f"{'p50':>7}{'p95':>7}{'p99 ms':>8} |{'p50×ping':>9}{'×ins':>6} |{'p99×ping':>9}{'×ins':>6}"
    )
    for row in rows:
        note = (notes or {}).get(row["endpoint"], "")
        print(
            f"    {row['endpoint']:<31}{row['count']:>6}{row['per_second']:>8.1f}"
            f"{ratio(row['per_second'], ping.get('per_second')):>7}"
            f"{ratio(row['per_second'], insert.get('per_second')):>6} |"
            f"{row['p50_ms']:>7.1f}{row['p95_ms']:>7.1f}{row['p99_ms']:>8.1f} |"
            f"{ratio(row['p50_ms'], ping.get('p50_ms')):>9}"
            f"{ratio(row['p50_ms'], insert.get('p50_ms')):>6} |"
            f"{ratio(row['p99_ms'], ping.get('p99_ms')):>9}"
            f"{ratio(row['p99_ms'], insert.get('p99_ms')):>6}" + (f"  {note}" if note else "")
        )
    if cpu:
        print(f"    {cpu_line(cpu, rows[-1]['count'])}")
    if ran_out:
        print(f"    note: {ran_out}")


def cpu_line(cpu: dict, requests: int) -> str:
    """Where the CPU went: per request by process group, and how busy the machine was."""
    per = {name: cpu[name] / max(requests, 1) * 1000 for name in ("server", "database", "client")}
    ours = (cpu["server"] + cpu["database"] + cpu["client"]) / cpu["machine_total"]
    busy = cpu["machine_busy"] / cpu["machine_total"]
    database = f" · database {per['database']:.2f}" if cpu["database"] else ""
    return (
        f"CPU ms per request: web workers {per['server']:.2f}{database} · terminals "
        f"{per['client']:.2f} | cores {busy:.0%} busy, {ours:.0%} by this run"
    )


def row_of(rows: list[dict], endpoint: str) -> dict | None:
    return next((row for row in rows if row["endpoint"] == endpoint), None)


def print_database(result: dict, verdicts: Verdicts) -> None:
    """Everything measured on one database: baselines, then each size's phases."""
    kind, terminals = result["database"], result["terminals"]
    server = result["server"]
    print(f"\n=== {kind}: {server} ===")
    base = result["baselines"]
    print(
        "\n  baselines (bench/baseline_app.py under the same gunicorn settings, "
        f"{terminals} terminals)"
    )
    print(f"    {'endpoint':<31}{'n':>6}{'req/s':>8} |{'p50':>7}{'p95':>7}{'p99 ms':>8}")
    for mode in ("flat", "paced"):
        for name in ("ping", "insert"):
            row = base[mode][name]
            print(
                f"    {row['endpoint'] + ', ' + mode:<31}{row['count']:>6}"
                f"{row['per_second']:>8.1f} |"
                f"{row['p50_ms']:>7.1f}{row['p95_ms']:>7.1f}{row['p99_ms']:>8.1f}  "
                + cpu_line(row["cpu"], row["count"])
            )
    base_memory = max(result["baseline_memory_mb"])
    print(f"    memory per web worker (RSS): {_mib(result['baseline_memory_mb'])}")

    for size in result["sizes"]:
        loaded = size["returns"]
        print(
            f"\n  -- {loaded:,} open returns across 20 stores "
            f"(bulk-loaded in {size['load_s']:.0f} s) --"
        )
        scan = row_of(size["scan"]["rows"], PARCEL_SCAN)
        share = scan["per_second"] / base["flat"]["insert"]["per_second"]
        scan_note = verdicts.judge(
            f"{kind} {loaded:,}: parcel scan ≥ 50% of bare-insert throughput",
            f"{share:.0%} ({scan['per_second']:.0f}/s vs "
            f"{base['flat']['insert']['per_second']:.0f}/s)",
            share >= 0.5,
        )
        print_phase(
            f"parcel scans only, {terminals} terminals flat out ({size['scan']['wall_s']:.0f} s)",
            size["scan"]["rows"],
            base["flat"],
            {PARCEL_SCAN: f"target ≥ 0.50 ×ins: {scan_note}"},
            size["scan"]["cpu"],
            size["scan"].get("ran_out"),
        )
        print_phase(
            f"the mix, {terminals} terminals flat out ({size['flat']['wall_s']:.0f} s)",
            size["flat"]["rows"],
            base["flat"],
            cpu=size["flat"]["cpu"],
            ran_out=size["flat"].get("ran_out"),
        )
        paced = size["paced"]["rows"]
        notes = {}
        scan = row_of(paced, PARCEL_SCAN)
        if scan:
            notes[PARCEL_SCAN] = "target p99 < 25 ms (paced): " + verdicts.judge(
                f"{kind} {loaded:,}: parcel scan p99 < 25 ms, {terminals} terminals paced",
                f"{scan['p99_ms']:.1f} ms (n={scan['count']})",
                scan["p99_ms"] < 25,
            )
        inspect = row_of(paced, INSPECT)
        if inspect:
            notes[INSPECT] = "target p99 < 50 ms: " + verdicts.judge(
                f"{kind} {loaded:,}: inspection submit p99 < 50 ms, paced",
                f"{inspect['p99_ms']:.1f} ms (n={inspect['count']})",
                inspect["p99_ms"] < 50,
            )
        print_phase(
            f"the mix, {terminals} terminals paced, one request every 0.5–1.5 s each "
            f"({size['paced']['wall_s']:.0f} s; the parcel scan's p99 < 25 ms target is for "
            "this case)",
            paced,
            base["paced"],
            notes,
            size["paced"]["cpu"],
            size["paced"].get("ran_out"),
        )
        memory = size["memory_mb"]
        note = verdicts.judge(
            f"{kind} {loaded:,}: memory under 150 MB per worker",
            f"{max(memory):.0f} MiB RSS",
            max(memory) * MB < 150 * 1000 * 1000,
        )
        print(
            f"\n    memory per web worker (RSS) after the runs: {_mib(memory)}"
            f" (×{max(memory) / base_memory:.2f} the baseline app's); target < 150 MB: {note}"
        )
        print(
            f"    database size: {size['db_bytes'] / MB:,.1f} MiB with {loaded:,} returns loaded,"
            f" {size['db_bytes'] / MB / loaded * 1000:.2f} MiB per 1,000 returns"
        )
    _compare_sizes(result, verdicts)


def _compare_sizes(result: dict, verdicts: Verdicts) -> None:
    if len(result["sizes"]) < 2:
        return
    small, large = result["sizes"][0], result["sizes"][-1]
    kind = result["database"]
    label = f"{large['returns']:,} vs {small['returns']:,}"
    print(f"\n  -- {label} open returns (large ÷ small; target: within 1.3×) --")
    grown = large["db_bytes"] - small["db_bytes"]
    added = large["returns"] - small["returns"]
    print(f"    database growth: {grown / MB / added * 1000:.2f} MiB per 1,000 returns added")
    for phase, what in (
        ("scan", "scans only, flat out"),
        ("flat", "mix flat out"),
        ("paced", "mix paced"),
    ):
        for row in large[phase]["rows"]:
            base = row_of(small[phase]["rows"], row["endpoint"])
            if not base or row["endpoint"] == "all requests":
                continue
            slower = base["per_second"] / row["per_second"] if phase != "paced" else None
            p50, p99 = row["p50_ms"] / base["p50_ms"], row["p99_ms"] / base["p99_ms"]
            note = ""
            if row["endpoint"] == PARCEL_SCAN and phase == "scan":
                note = "  " + verdicts.judge(
                    f"{kind}: parcel scan throughput at {label} within 1.3×",
                    f"small ÷ large throughput {slower:.2f}",
                    slower <= 1.3,
                )
            if row["endpoint"] == PARCEL_SCAN and phase == "paced":
                note = "  " + verdicts.judge(
                    f"{kind}: parcel scan paced p50 at {label} within 1.3×",
                    f"×{p50:.2f} (p99 ×{p99:.2f})",
                    p50 <= 1.3,
                )
            throughput = f"throughput ÷{slower:.2f}" if slower else "throughput (paced)"
            print(
                f"    {what:<22}{row['endpoint']:<31} p50 ×{p50:.2f}  p99 ×{p99:.2f}  "
                f"{throughput}{note}"
            )


def _mib(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in sorted(values)) + " MiB"


def machine() -> dict:
    """What the figures were taken on."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ram_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=root).stdout

    commit = git("rev-parse", "--short", "HEAD").strip()
    if commit and git("status", "--porcelain", "--untracked-files=no", "warehouse", "bench"):
        commit += " with uncommitted changes"
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(ram_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "commit": commit or "unknown",
    }


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def markdown(results: list[dict]) -> str:
    """The service's figures as Markdown tables (for docs/performance.md)."""
    out = []
    for result in results:
        base = result["baselines"]
        out.append(f"\n#### {result['database']} ({result['server']})\n")
        out.append("| baseline | flat out req/s | flat p50 / p99 ms | paced p50 / p99 ms |")
        out.append("|---|---|---|---|")
        for name in ("ping", "insert"):
            flat, paced = base["flat"][name], base["paced"][name]
            out.append(
                f"| `{flat['endpoint']}` | {flat['per_second']:.0f} | "
                f"{flat['p50_ms']:.1f} / {flat['p99_ms']:.1f} | "
                f"{paced['p50_ms']:.1f} / {paced['p99_ms']:.1f} |"
            )
        out.append(
            "\n| open returns | endpoint | flat out req/s (×insert) | flat p50 / p99 ms "
            "| paced p50 / p95 / p99 ms (p99 ×insert) |"
        )
        out.append("|---|---|---|---|---|")
        for size in result["sizes"]:
            scan = size["scan"]["rows"][0]
            out.append(
                f"| {size['returns']:,} | parcel scans only | {scan['per_second']:.0f} "
                f"({scan['per_second'] / base['flat']['insert']['per_second']:.2f}) | "
                f"{scan['p50_ms']:.0f} / {scan['p99_ms']:.0f} | |"
            )
            for row in size["flat"]["rows"]:
                paced = row_of(size["paced"]["rows"], row["endpoint"]) or {}
                paced_cell = (
                    f"{paced['p50_ms']:.0f} / {paced['p95_ms']:.0f} / {paced['p99_ms']:.0f} "
                    f"({paced['p99_ms'] / base['paced']['insert']['p99_ms']:.1f})"
                    if paced
                    else ""
                )
                out.append(
                    f"| {size['returns']:,} | `{row['endpoint']}` | {row['per_second']:.1f} "
                    f"({row['per_second'] / base['flat']['insert']['per_second']:.2f}) | "
                    f"{row['p50_ms']:.0f} / {row['p99_ms']:.0f} | {paced_cell} |"
                )
        out.append("\nCPU per request and how busy the two cores were, per phase:\n")
        for size in result["sizes"]:
            for phase, label in (
                ("scan", "scans only"),
                ("flat", "mix flat out"),
                ("paced", "mix paced"),
            ):
                requests = size[phase]["rows"][-1]["count"]
                out.append(
                    f"- {size['returns']:,}, {label}: {cpu_line(size[phase]['cpu'], requests)}"
                )
        memory = ", ".join(
            f"{size['returns']:,}: {max(size['memory_mb']):.0f} MiB" for size in result["sizes"]
        )
        sizes = ", ".join(
            f"{size['returns']:,}: {size['db_bytes'] / MB / size['returns'] * 1000:.2f} MiB"
            for size in result["sizes"]
        )
        out.append(
            f"\nLargest web worker RSS after the runs — {memory} (baseline app "
            f"{max(result['baseline_memory_mb']):.0f} MiB). Database size per 1,000 returns "
            f"loaded — {sizes}."
        )
    return "\n".join(out) + "\n"
