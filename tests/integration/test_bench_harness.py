"""The benchmark harness (`python -m bench`) still runs end to end, so it cannot rot unseen.

`python -m bench mix --quick --db sqlite` serves the real app and the baseline app with
gunicorn, loads returns in bulk, drives terminals through every endpoint of the mix, and
prints the tables; the figures are meaningless at these sizes, their shape is not.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

# bench/ is the repository's scripts, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import baseline_app
from bench.__main__ import main
from bench.harness import fresh_database, serving
from bench.mix import (
    ENDPOINTS,
    PARCEL_SCAN,
    ReturnPicker,
    ReturnsUsedUp,
    Station,
    baseline_work,
    run_phase,
)
from bench.suite import serve_defaults


def test_quick_run_measures_every_endpoint_against_both_baselines(tmp_path, capsys):
    figures_path, tables_path = tmp_path / "figures.json", tmp_path / "tables.md"

    argv = ["mix", "--quick", "--db", "sqlite", "--json", str(figures_path)]
    assert main([*argv, "--markdown", str(tables_path)]) == 0

    printed = capsys.readouterr().out
    figures = json.loads(figures_path.read_text())
    (sqlite,) = figures["databases"]
    workers, _ = serve_defaults()
    assert sqlite["database"] == "sqlite"
    for mode in ("flat", "paced"):
        for name in ("ping", "insert"):
            assert sqlite["baselines"][mode][name]["count"] > 0
    # The baseline app ran under serve's settings: as many web workers as `warehouse serve`.
    assert len(sqlite["baseline_memory_mb"]) == workers
    small, large = sqlite["sizes"]
    assert (small["returns"], large["returns"]) == (300, 1_000)
    assert large["db_bytes"] > small["db_bytes"] > 0
    for size in (small, large):
        flat = {row["endpoint"]: row for row in size["flat"]["rows"]}
        assert set(ENDPOINTS) <= set(flat), "every endpoint of the mix was measured flat out"
        for row in flat.values():
            assert row["count"] > 0 and row["per_second"] > 0
            assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
        assert [row["endpoint"] for row in size["scan"]["rows"]] == [PARCEL_SCAN]
        assert size["paced"]["rows"], "the paced terminals sent requests"
        assert len(size["memory_mb"]) == workers and min(size["memory_mb"]) > 10
    assert "target p99 < 25 ms (paced)" in printed
    assert "×ins" in printed and "×ping" in printed
    assert "CPU ms per request: web workers" in printed
    tables = tables_path.read_text()
    assert "| 1,000 | `POST /units/{lpn}/inspection` |" in tables
    goals = {target["goal"] for target in figures["targets"]}
    assert "sqlite 1,000: parcel scan ≥ 50% of bare-insert throughput" in goals
    assert "sqlite: parcel scan throughput at 1,000 vs 300 within 1.3×" in goals


def test_an_unexpected_answer_fails_the_run_instead_of_being_timed():
    with fresh_database("sqlite") as url:
        baseline_app.create_table(url)
        command = (sys.executable, "-m", "bench.baseline_app")
        with serving(url, workers=1, threads=2, command=command, ready_path="/ping") as server:
            stations = [Station(server.address, None, i) for i in range(2)]
            assert run_phase(stations, baseline_work("/insert", "POST"), 0.3).rows[0]["count"]
            with pytest.raises(RuntimeError, match="404"):
                run_phase(stations, baseline_work("/no-such-page"), 0.3)


def test_returns_are_handed_out_once_each_until_none_is_left():
    picker = ReturnPicker()
    picker.loaded = 50

    handed = [picker.next() for _ in range(50)]

    assert sorted(handed) == list(range(50))
    with pytest.raises(ReturnsUsedUp, match="all 50 loaded returns"):
        picker.next()


def test_each_phase_may_take_only_its_share_of_the_returns_left():
    picker = ReturnPicker()
    picker.loaded = 90

    assert picker.share_for(3) == 30
    first = [picker.next() for _ in range(30)]
    with pytest.raises(ReturnsUsedUp, match="phase's share"):
        picker.next()
    assert picker.share_for(2) == 30
    assert picker.share_for(1) == 60, "the last phase takes whatever is left"
    rest = [picker.next() for _ in range(60)]

    assert sorted(first + rest) == list(range(90))


def test_terminals_that_use_up_the_returns_stop_cleanly_and_the_phase_says_so():
    picker = ReturnPicker()
    picker.loaded = 12
    # A terminal that never talks to a server: the phase is quicker than any machine's floor.
    stations = [Station("127.0.0.1:9", None, i) for i in range(3)]

    def work(station: Station) -> None:
        picker.next()
        station.latencies.add("POST /parcels/scan", 0.001)

    outcome = run_phase(stations, work, seconds=30, min_rounds=1)

    assert outcome.ran_out == 3
    assert outcome.wall_s < 5, "the phase ended when the returns did, not at its 30 s"
    assert outcome.rows[0]["count"] == 12
