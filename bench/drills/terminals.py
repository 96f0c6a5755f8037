"""What the drills share: a terminal that times every request and never retries on its own,
return bodies as a store sends them, and the process tree of a running `warehouse serve`."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import time
from pathlib import Path

_numbers = itertools.count(1)


class Answer:
    """One request's outcome: status (None when no answer came), body, content type, seconds."""

    def __init__(self, status, body, content_type, seconds, error=None) -> None:
        self.status, self.body, self.content_type = status, body, content_type
        self.seconds, self.error = seconds, error

    @property
    def is_problem(self) -> bool:
        return self.content_type.startswith("application/problem+json")


class Terminal:
    """A keep-alive HTTP connection with fixed headers; a connection that fails is reopened
    for the next request, but the failed request is reported, not repeated."""

    def __init__(self, address: str, headers: dict | None = None, timeout_s: float = 30) -> None:
        host, port = address.split(":")
        self.host, self.port, self.timeout_s = host, int(port), timeout_s
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout_s)

    def request(self, method: str, path: str, body: dict | None = None) -> Answer:
        payload = json.dumps(body).encode() if body is not None else None
        began = time.monotonic()
        try:
            self.connection.request(method, path, body=payload, headers=self.headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            return Answer(None, None, "", time.monotonic() - began, error=repr(exc))
        seconds = time.monotonic() - began
        content_type = response.getheader("Content-Type", "")
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = {"_raw": data[:200].decode(errors="replace")}
        answer = Answer(response.status, parsed, content_type, seconds)
        answer.retry_after = response.getheader("Retry-After")
        return answer

    def close(self) -> None:
        self.connection.close()


def return_body(tracking_number: str, lines: int = 2) -> dict:
    """A valid `POST /returns` body with `lines` lines of one GTIN."""
    n = next(_numbers)
    return {
        "external_id": f"DRILL-{n:06d}-{time.time_ns() % 10**9}",
        "order_id": f"7{n:011d}",
        "reason": "no_reason_7d",
        "buyer": {"id": f"buyer-{n}", "name": "王*", "phone": "139****0000"},
        "tracking_number": tracking_number,
        "currency": "CNY",
        "lines": [
            {
                "line_id": f"L{i}",
                "sku": f"SKU-{n}-{i}",
                "gtin": "6901234567892",
                "title": "纯棉T恤 黑色 M",
                "category": "apparel",
                "quantity": 1,
                "unit_price": 9900,
                "serial_numbers": [],
            }
            for i in range(lines)
        ],
    }


def serve_processes(port: int) -> tuple[int | None, set[int]]:
    """(the gunicorn master of `warehouse serve --port port`, its child processes)."""
    master = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if (
                b"serve" in argv
                and b"--port" in argv
                and argv[argv.index(b"--port") + 1] == (str(port).encode())
            ):
                master = int(entry.name)
                break
    if master is None:
        return None, set()
    children = set()
    for task in Path(f"/proc/{master}/task").iterdir():
        with contextlib.suppress(OSError):
            children |= {int(c) for c in (task / "children").read_text().split()}
    return master, children
