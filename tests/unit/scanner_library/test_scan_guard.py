"""The double-scan guard: the same code from the same terminal within the window is a repeat."""

from __future__ import annotations

import pytest

from scanners import DoubleScanGuard


class FakeClock:
    """Monotonic nanoseconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 5_000_000_000

    def __call__(self) -> int:
        return self.now

    def advance_ms(self, ms: int) -> None:
        self.now += ms * 1_000_000


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def guard(clock):
    return DoubleScanGuard(clock=clock)


def test_the_first_scan_of_a_code_is_not_a_repeat(guard):
    assert not guard.is_repeat("T1", "LPN3Q8ZK1M7TQ")


def test_the_same_code_from_the_same_terminal_within_800_ms_is_a_repeat(guard, clock):
    guard.is_repeat("T1", "LPN3Q8ZK1M7TQ")
    clock.advance_ms(799)
    assert guard.is_repeat("T1", "LPN3Q8ZK1M7TQ")


def test_the_same_code_800_ms_later_is_a_new_scan(guard, clock):
    guard.is_repeat("T1", "LPN3Q8ZK1M7TQ")
    clock.advance_ms(800)
    assert not guard.is_repeat("T1", "LPN3Q8ZK1M7TQ")


def test_the_same_code_from_another_terminal_is_not_a_repeat(guard):
    guard.is_repeat("T1", "LPN3Q8ZK1M7TQ")
    assert not guard.is_repeat("T2", "LPN3Q8ZK1M7TQ")


def test_another_code_from_the_same_terminal_is_not_a_repeat(guard):
    guard.is_repeat("T1", "LPN3Q8ZK1M7TQ")
    assert not guard.is_repeat("T1", "RMA7K2D9QX4W")


def test_the_same_scan_asked_again_within_the_window_is_not_its_own_repeat(guard, clock):
    guard.is_repeat("T1", "LPN3Q8ZK1M7TQ", "scan-1")
    clock.advance_ms(50)
    assert not guard.is_repeat("T1", "LPN3Q8ZK1M7TQ", "scan-1")


def test_another_scan_of_the_same_code_within_the_window_is_a_repeat(guard, clock):
    guard.is_repeat("T1", "LPN3Q8ZK1M7TQ", "scan-1")
    clock.advance_ms(50)
    assert guard.is_repeat("T1", "LPN3Q8ZK1M7TQ", "scan-2")


def test_a_trigger_held_down_keeps_repeating_as_long_as_reads_keep_coming(guard, clock):
    guard.is_repeat("T1", "X")
    for _ in range(5):
        clock.advance_ms(500)
        assert guard.is_repeat("T1", "X")


def test_the_window_can_be_set(clock):
    guard = DoubleScanGuard(window_ms=200, clock=clock)
    guard.is_repeat("T1", "X")
    clock.advance_ms(250)
    assert not guard.is_repeat("T1", "X")


def test_memory_is_bounded(clock):
    guard = DoubleScanGuard(clock=clock, max_entries=100)
    for n in range(1000):
        guard.is_repeat("T1", str(n))
    assert len(guard) == 100
    # The newest are the ones kept.
    assert guard.is_repeat("T1", "999")


def test_codes_past_the_window_are_forgotten(guard, clock):
    for n in range(50):
        guard.is_repeat("T1", str(n))
    clock.advance_ms(1000)
    guard.is_repeat("T1", "new")
    assert len(guard) == 1


def test_nonsense_settings_are_refused():
    with pytest.raises(ValueError):
        DoubleScanGuard(window_ms=-1)
    with pytest.raises(ValueError):
        DoubleScanGuard(max_entries=0)
