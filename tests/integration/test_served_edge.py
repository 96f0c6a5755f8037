"""What the real server (`warehouse serve`: gunicorn) answers to requests that never reach a
view, sent over raw sockets: under /api/v1 every answer is problem+json, whether the app or
gunicorn itself refused the request; the floor UI's pages keep their HTML error page."""

from __future__ import annotations

import contextlib
import json
import socket

import pytest
from served_warehouse import ServedWarehouse

API = "/api/v1"
PROBLEM = "application/problem+json"


def exchange(address: str, raw: bytes, timeout: float = 10) -> tuple[int, dict, bytes]:
    """Sends `raw` as it is and reads the answer until the server closes the connection."""
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # it may answer and close before reading it all
            sock.sendall(raw)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
                head, sep, body = data.partition(b"\r\n\r\n")
                if sep and b"content-length:" in head.lower():
                    length = int(
                        next(
                            line.split(b":", 1)[1]
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        )
                    )
                    if len(body) >= length:
                        break
        except (ConnectionResetError, TimeoutError):
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return status, headers, body


def get(path: str, *extra_headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: localhost", *extra_headers, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture
def served(database_url, settings):
    server = ServedWarehouse(database_url, settings.data_dir, workers=1, threads=2)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        yield server.start()
    finally:
        server.stop()


TOKEN = f"{API}/auth/token"
API_CASES = {
    # name: (raw request, status)
    "a cursor of 10,000 characters (over gunicorn's limit)": (
        get(f"{API}/returns?cursor=" + "A" * 10_000),
        414,
    ),
    "a cursor of 5,000 characters (over the app's limit)": (
        get(f"{API}/returns?cursor=" + "A" * 5_000),
        414,
    ),
    "a request line that is no request line": (b"GARBAGE\r\n\r\n", 400),
    "a method in lower case": (f"get {API}/returns HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 400),
    "an HTTP version that is none": (
        f"GET {API}/returns HTTP/9.z\r\nHost: x\r\n\r\n".encode(),
        400,
    ),
    "a header of 9,000 bytes": (get(f"{API}/returns", "X-Big: " + "b" * 9000), 431),
    "a hundred and one headers": (
        get(f"{API}/returns", *(f"X-H{i}: v" for i in range(101))),
        431,
    ),
    "a header name with a space": (get(f"{API}/returns", "Bad Name: v"), 400),
    "a malformed Content-Length": (
        f"POST {TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".encode(),
        400,
    ),
    "Content-Length and chunked at once": (
        f"POST {TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n".encode(),
        400,
    ),
    "a chunk size that is no number": (
        f"POST {TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".encode(),
        400,
    ),
    "a body over the size limit": (
        f"POST {TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\nConnection: close\r\n\r\n{{".encode(),
        413,
    ),
    "a method the path does not serve": (
        f"DELETE {API}/returns HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
        405,
    ),
    "a path under /api/v1 that does not exist": (get(f"{API}/nowhere"), 404),
}


def test_what_the_server_refuses_on_its_own_is_a_problem_under_the_api_and_a_page_elsewhere(
    served,
):
    wrong = []
    for name, (raw, expected) in API_CASES.items():
        status, headers, body = exchange(served, raw)
        problem = json.loads(body) if headers.get("content-type") == PROBLEM else {}
        if (
            status != expected
            or problem.get("status") != expected
            or not {"type", "title", "detail"} <= problem.keys()
            or (expected == 414 and "4096" not in problem["detail"])
            or (expected == 405 and "POST" not in headers.get("allow", ""))
        ):
            wrong.append((name, status, headers.get("content-type"), body[:200]))
    # A floor page keeps its HTML error page (when the app sees the request at all).
    status, headers, _ = exchange(served, get("/ui/receive?q=" + "A" * 5_000))
    if (status, headers.get("content-type", "").split(";")[0]) != (414, "text/html"):
        wrong.append(("a floor page's long URL", status, headers.get("content-type"), b""))
    assert wrong == []
