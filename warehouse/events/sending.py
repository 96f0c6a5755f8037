"""Posting a signed webhook: a small interface, the real sender (httpx) and a fake for tests.

The sender knows nothing of events or the database; it posts bytes with headers and says
what happened. It never raises for what a store's endpoint does (an error answer, a timeout,
a refused connection, a malformed URL): those are failed attempts the worker records.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx

#: Seconds to connect, and to wait for each read or write: a store's endpoint that takes
#: longer is counted as failed and retried later, so one slow store cannot stall the worker.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
#: How much of an answer's body is kept in the delivery log (and shown to a supervisor).
EXCERPT_BYTES = 300
#: Answers up to this size are read to their end (keeping the connection for the next post);
#: of a larger one no more than this is read, and its connection is dropped.
MAX_ANSWER_BYTES = 4 * 1024
USER_AGENT = "warehouse-webhooks/1"


@dataclass(frozen=True)
class WebhookRequest:
    """One POST: the store's URL, the exact body bytes that were signed, and the headers."""

    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class SendResult:
    """The store's HTTP status, or why there was none (`error`), plus a short body excerpt."""

    status_code: int | None
    error: str | None = None
    excerpt: str | None = None
    #: The answer's `Retry-After` header, as sent (read by the worker on a 429 or 503).
    retry_after: str | None = None


class Sender(Protocol):
    def send(self, request: WebhookRequest) -> SendResult:
        """Posts the webhook; never raises for anything the remote end does."""


class HttpxSender:
    """The real sender: one pooled httpx client, shared by the worker's threads.

    Redirects are not followed (a signed payload goes only where the store said), and a
    redirect is not a 2xx, so it counts as a failed attempt. Connections are kept alive
    between posts to the same store, so each answer's body is read (up to a limit) to hand
    the connection back to the pool.
    """

    def __init__(
        self,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
        max_connections: int = 32,
    ) -> None:
        self._read_timeout_s = read_timeout_s
        transport = httpx.HTTPTransport(
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            # Headers and body go out in separate writes: without this, Nagle's algorithm
            # and the receiver's delayed ACK add tens of milliseconds to each post.
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s, pool=read_timeout_s),
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
        )

    def send(self, request: WebhookRequest) -> SendResult:
        try:
            with self._client.stream(
                "POST",
                request.url,
                content=request.body,
                # Undecoded bytes only: a compressed answer could inflate far past the limit.
                headers={"accept-encoding": "identity", **request.headers},
            ) as response:
                excerpt = _read_answer(response, self._read_timeout_s)
                return SendResult(
                    response.status_code,
                    excerpt=excerpt,
                    retry_after=response.headers.get("retry-after"),
                )
        except httpx.TimeoutException as exc:
            return SendResult(None, error=f"timeout: {type(exc).__name__}")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return SendResult(None, error=f"{type(exc).__name__}: {exc}"[:500])

    def close(self) -> None:
        self._client.close()


def _read_answer(response: httpx.Response, budget_s: float) -> str | None:
    """The start of the answer's body. The body is read to its end when it is small and
    quick, so the connection can be reused; a larger or slower one is left unread and its
    connection closed (a store's endpoint trickling bytes cannot hold a slot for long)."""
    received = bytearray()
    deadline = time.monotonic() + budget_s
    for part in response.iter_raw(1024):
        received += part
        if len(received) >= MAX_ANSWER_BYTES or time.monotonic() > deadline:
            break
    text = bytes(received[:EXCERPT_BYTES]).decode("utf-8", errors="replace").strip()
    return text or None


@dataclass
class FakeSender:
    """Records every request and answers what the test programs (200 by default).

    `answer` maps a request to a `SendResult`; it is called from the worker's threads, so
    the record is guarded by a lock.
    """

    answer: Callable[[WebhookRequest], SendResult] = field(default=lambda _r: SendResult(200))
    sent: list[WebhookRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, request: WebhookRequest) -> SendResult:
        with self._lock:
            self.sent.append(request)
        return self.answer(request)
