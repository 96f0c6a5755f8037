"""Recently verified credentials, so a handheld's stream of scans costs no lookup each.

An entry lives at most `ttl_seconds` (a revoked key or a deactivated user stops working
within that time) and never past the token's own expiry.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from warehouse.context import Actor


class CredentialCache:
    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._entries: dict[str, tuple[Actor, dt.datetime | None, float]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, now: dt.datetime) -> Actor | None:
        """The actor a credential stood for, if verified recently and not expired since."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        actor, expires_at, cached_at = entry
        if self._monotonic() - cached_at > self.ttl_seconds or (
            expires_at is not None and expires_at <= now
        ):
            with self._lock:
                self._entries.pop(digest, None)
            return None
        return actor

    def put(self, digest: str, actor: Actor, expires_at: dt.datetime | None) -> None:
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))  # the oldest entry
            self._entries[digest] = (actor, expires_at, self._monotonic())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
