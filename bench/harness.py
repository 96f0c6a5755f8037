"""What the benchmarks share: a real `warehouse serve` on a free loopback port, a fresh
database for it, HTTP terminals with keep-alive connections, and latency statistics.

Everything stays on 127.0.0.1 and every loop is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE = str(Path(sys.executable).with_name("warehouse"))
POSTGRES_ADMIN_URL = os.environ.get(
    "WAREHOUSE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A new, empty database URL of `kind` (sqlite or postgresql), dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="wh-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    import psycopg

    name = f"wh_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass(frozen=True)
class Server:
    """A server the bench started: where it answers, and its gunicorn master's process id."""

    address: str
    pid: int
    log_path: Path

    def worker_pids(self) -> list[int]:
        """The gunicorn web workers: the master's child processes, less the webhook delivery
        worker (`python -m warehouse.events`) that `warehouse serve` runs beside them."""
        return [pid for pid in child_pids(self.pid) if not _is_delivery_worker(pid)]

    def worker_memory_mb(self) -> list[float]:
        """Resident memory (RSS) of each gunicorn web worker, in MiB."""
        return [rss_mb(pid) for pid in self.worker_pids()]


@contextlib.contextmanager
def serving(
    database_url: str,
    *,
    workers: int = 2,
    threads: int = 8,
    extra_args: tuple[str, ...] = (),
    command: tuple[str, ...] | None = None,
    ready_path: str = "/api/v1/openapi.json",
) -> Iterator[Server]:
    """Runs `warehouse serve` (or `command`, given the same options) against `database_url`;
    yields the server once `ready_path` answers 200, and stops it afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "WAREHOUSE_DATABASE_URL": database_url,
        "WAREHOUSE_DATA_DIR": tempfile.mkdtemp(prefix="wh-bench-data-"),
    }
    log_path = Path(env["WAREHOUSE_DATA_DIR"]) / "serve.log"
    options = ["--host", "127.0.0.1", "--port", str(port)]
    options += ["--workers", str(workers), "--threads", str(threads)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*(command or (WAREHOUSE, "serve")), *options, *extra_args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
    address = f"127.0.0.1:{port}"
    succeeded = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{command or 'warehouse serve'} exited; see {log_path}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                probe = Terminal(address)
                try:
                    if probe.get(ready_path)[0] == 200:
                        break
                finally:
                    probe.close()
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not answer in 60 s; see {log_path}")
        yield Server(address, process.pid, log_path)
        succeeded = True
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if succeeded:  # else the log stays, for the failure message's "see …"
            shutil.rmtree(env["WAREHOUSE_DATA_DIR"], ignore_errors=True)


@contextlib.contextmanager
def served(
    database_url: str, *, workers: int = 2, threads: int = 8, extra_args: tuple[str, ...] = ()
) -> Iterator[str]:
    """Runs `warehouse serve` against `database_url`; yields host:port once it answers."""
    with serving(database_url, workers=workers, threads=threads, extra_args=extra_args) as server:
        yield server.address


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is `parent` (read from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # The command name in parentheses may hold spaces: fields count from its end.
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            children.append(int(entry.name))
    return children


def rss_mb(pid: int) -> float:
    """A process's resident set size in MiB (VmRSS from /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _is_delivery_worker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"warehouse.events" in command


def database_size_bytes(url: str) -> int:
    """The database's size on disk: pg_database_size, or the SQLite file with its WAL."""
    if url.startswith("postgresql"):
        import psycopg

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as connection:
            return connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


class Terminal:
    """One handheld: a keep-alive HTTP connection and its bearer token."""

    def __init__(self, address: str, token: str | None = None, terminal_id: str = "BENCH") -> None:
        host, port = address.split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {"Content-Type": "application/json", "X-Terminal-Id": terminal_id}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        payload = json.dumps(body).encode() if body is not None else None
        try:
            self.connection.request(method, path, body=payload, headers=self.headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # the server closed a kept-alive connection: reconnect once
            self.connection.request(method, path, body=payload, headers=self.headers)
            response = self.connection.getresponse()
        data = response.read()
        if not data:
            return response.status, {}
        if "json" not in (response.getheader("Content-Type") or ""):
            # An error page (HTML from gunicorn or Flask): kept as text for the failure message.
            return response.status, {"body": data.decode(errors="replace")[:500]}
        return response.status, json.loads(data)

    def close(self) -> None:
        """Hangs up, so that a stopping server has no kept-alive connection to wait out."""
        self.connection.close()

    def get(self, path: str) -> tuple[int, dict]:
        return self.request("GET", path)

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        return self.request("POST", path, body)


@dataclass
class Latencies:
    """Per-endpoint latencies in seconds."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.samples.setdefault(name, []).append(seconds)

    def merge(self, other: Latencies) -> None:
        for name, values in other.samples.items():
            self.samples.setdefault(name, []).extend(values)

    def rows(self, wall_seconds: float) -> list[dict]:
        out = []
        for name, values in self.samples.items():
            out.append(
                {
                    "endpoint": name,
                    "count": len(values),
                    "per_second": len(values) / wall_seconds,
                    **percentiles(values),
                }
            )
        return out


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(values)
    if len(ordered) == 1:
        ordered = ordered * 2
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000, "p99_ms": cuts[98] * 1000}


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"  {'endpoint':<28}{'count':>8}{'per s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for row in rows:
        print(
            f"  {row['endpoint']:<28}{row['count']:>8}{row['per_second']:>10.1f}"
            f"{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}"
        )


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU time (user + system) each process has used so far; exited ones are left out."""
    used = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        used[pid] = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return used


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])
    return (total - idle) / _TICKS, total / _TICKS


def database_backend_pids(url: str) -> list[int]:
    """PostgreSQL's server processes serving connections to this database (none for SQLite,
    whose work happens inside the web workers)."""
    if not url.startswith("postgresql"):
        return []
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


class CpuMeter:
    """Where the CPU went during a phase: the server's web workers, the database's server
    processes, this process (the terminals), and the whole machine (other people's work
    included), as seconds used between `start()` and `stop()`."""

    def __init__(self, server: Server, database_url: str) -> None:
        self.server, self.url = server, database_url

    def _groups(self) -> dict[str, list[int]]:
        return {"server": self.server.worker_pids(), "database": database_backend_pids(self.url)}

    def start(self) -> None:
        self._before = {name: cpu_seconds(pids) for name, pids in self._groups().items()}
        self._client = time.process_time()
        self._machine = machine_busy_seconds()
        self._wall = time.perf_counter()

    def stop(self) -> dict[str, float]:
        after = {name: cpu_seconds(pids) for name, pids in self._groups().items()}
        used = {
            name: sum(t - self._before[name].get(pid, 0.0) for pid, t in times.items())
            for name, times in after.items()
        }
        used["client"] = time.process_time() - self._client
        busy, total = machine_busy_seconds()
        used["machine_busy"] = busy - self._machine[0]
        used["machine_total"] = total - self._machine[1]
        used["wall"] = time.perf_counter() - self._wall
        return used
