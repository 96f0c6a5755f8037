"""What the benchmarks share: a real `warehouse serve` on a free loopback port, a fresh
database for it, HTTP terminals with keep-alive connections, and latency statistics.

Everything stays on 127.0.0.1 and every loop is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
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


@contextlib.contextmanager
def served(
    database_url: str, *, workers: int = 2, threads: int = 8, extra_args: tuple[str, ...] = ()
) -> Iterator[str]:
    """Runs `warehouse serve` against `database_url`; yields host:port once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "WAREHOUSE_DATABASE_URL": database_url,
        "WAREHOUSE_DATA_DIR": tempfile.mkdtemp(prefix="wh-bench-data-"),
    }
    log_path = Path(env["WAREHOUSE_DATA_DIR"]) / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                WAREHOUSE,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                *extra_args,
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"warehouse serve exited; see {log_path}")
            with contextlib.suppress(OSError):
                if Terminal(address).get("/api/v1/openapi.json")[0] == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"warehouse serve did not answer in 60 s; see {log_path}")
        yield address
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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
        return response.status, (json.loads(data) if data else {})

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
