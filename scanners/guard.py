"""Double-scan guard: tells a trigger held a moment too long from a real second scan.

A handheld fires again while the operator still aims at the same label; the second read
arrives a few hundred milliseconds after the first and must not count as a second item.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

DEFAULT_WINDOW_MS = 800
DEFAULT_MAX_ENTRIES = 10_000


class DoubleScanGuard:
    """Remembers the last time each terminal scanned each code, for a short window.

    The window slides: a trigger held down on one label keeps producing repeats for as long
    as reads keep coming less than `window_ms` apart. Memory is bounded by `max_entries`;
    the entries seen longest ago go first. Safe to share between threads. One guard per
    process: a second process has its own memory, and the service's `scan_id` idempotency
    still stands behind it.
    """

    def __init__(
        self,
        window_ms: int = DEFAULT_WINDOW_MS,
        *,
        clock: Callable[[], int] = time.monotonic_ns,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        """`clock` returns monotonic nanoseconds (integers, so a window's edge is exact);
        tests pass a fake one."""
        if window_ms < 0:
            raise ValueError("window_ms cannot be negative")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._window = window_ms * 1_000_000
        self._clock = clock
        self._max_entries = max_entries
        # Ordered by last seen, oldest first, so expiry and eviction work from the front.
        # Each (terminal, code) maps to when it was last read and that read's scan id.
        self._seen: OrderedDict[tuple[Hashable, str], tuple[int, Hashable | None]] = OrderedDict()
        self._lock = threading.Lock()

    def is_repeat(self, terminal_id: Hashable, code: str, scan_id: Hashable | None = None) -> bool:
        """Whether `code` from `terminal_id` repeats a scan less than the window ago.

        Pass the normalised value (`Scan.value`), so that two reads of one label compare
        equal whatever noise the scanner added. A read that carries the `scan_id` of the
        scan remembered is that same scan asked again (a retried request, or its
        transaction re-run after a race), never its own repeat.
        """
        key = (terminal_id, code)
        with self._lock:
            now = self._clock()
            last = self._seen.pop(key, None)
            self._seen[key] = (now, scan_id)
            self._forget_before(now - self._window)
            if last is None:
                return False
            seen_at, seen_scan = last
            if scan_id is not None and scan_id == seen_scan:
                return False
            return now - seen_at < self._window

    def __len__(self) -> int:
        """How many (terminal, code) pairs the guard remembers."""
        return len(self._seen)

    def _forget_before(self, cutoff: int) -> None:
        seen = self._seen
        while len(seen) > self._max_entries:
            seen.popitem(last=False)
        while seen:
            oldest_key, (oldest, _) = next(iter(seen.items()))
            if oldest >= cutoff:
                break
            del seen[oldest_key]
