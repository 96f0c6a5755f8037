"""`warehouse serve` as a real process group that a fault drill can kill, and a plain HTTP
client that never retries behind the drill's back (so it knows which requests went
unanswered)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


class ServedWarehouse:
    """`warehouse serve` on a free loopback port, in its own session (process group), so one
    `killpg` reaches the gunicorn master, its web workers and the delivery worker."""

    def __init__(
        self, database_url: str, data_dir: Path, *, workers: int = 2, threads: int = 4
    ) -> None:
        self.database_url, self.data_dir = database_url, Path(data_dir)
        self.workers, self.threads = workers, threads
        self.process: subprocess.Popen | None = None
        self.address = ""

    def start(self, timeout_s: float = 60) -> str:
        with socket.create_server(("127.0.0.1", 0)) as probe:
            port = probe.getsockname()[1]
        self.address = f"127.0.0.1:{port}"
        env = {
            **os.environ,
            "WAREHOUSE_DATABASE_URL": self.database_url,
            "WAREHOUSE_DATA_DIR": str(self.data_dir),
        }
        command = [sys.executable, "-c", "from warehouse.cli import main; main()", "serve"]
        log = open(self.data_dir / "serve.log", "ab")  # noqa: SIM115 (the child keeps it)
        with log:
            self.process = subprocess.Popen(
                [
                    *command,
                    "--port",
                    str(port),
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"warehouse serve exited; see {self.data_dir / 'serve.log'}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if Client(self.address, timeout=2).request("GET", "/api/v1/openapi.json")[0] == 200:
                    return self.address
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"warehouse serve did not answer in {timeout_s} s")

    def pids(self) -> set[int]:
        """Every live process of the server's process group (Linux /proc)."""
        if self.process is None:
            return set()
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.process.pid and fields[0] != "Z":
                    found.add(int(entry.name))
        return found

    def kill(self) -> int:
        """SIGKILL to the whole group at once: no worker finishes its request or transaction.
        Answers how many processes were killed."""
        assert self.process is not None
        killed = len(self.pids())
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self.pids(), "a process of the killed server is still alive"
        return killed

    def stop(self) -> None:
        """SIGTERM, as an operator stops it; SIGKILL if it will not go."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


class Client:
    """One keep-alive HTTP connection with fixed headers; a failure is raised, never retried."""

    def __init__(self, address: str, headers: dict | None = None, timeout: float = 30) -> None:
        host, port = address.split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
        self.headers = {"Content-Type": "application/json", **(headers or {})}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, str]:
        """(status, JSON body, content type); ConnectionError when no (whole) answer came."""
        payload = json.dumps(body).encode() if body is not None else None
        try:
            self.connection.request(method, path, body=payload, headers=self.headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            # A cut-off answer (IncompleteRead) is no answer either: one error type for both.
            raise ConnectionError(f"no answer: {exc!r}") from exc
        content_type = response.getheader("Content-Type", "")
        return response.status, (json.loads(data) if data else {}), content_type

    def close(self) -> None:
        self.connection.close()
