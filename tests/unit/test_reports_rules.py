"""What a supervisor reads beside an undecided return: what must happen before it is decided."""

from __future__ import annotations

from warehouse.reports.rules import Progress, steps_to_decide


def words(progress: Progress) -> list[str]:
    return [str(step) for step in steps_to_decide(progress)]


def test_a_short_return_with_units_on_the_bench_needs_the_shortage_settled_and_inspections():
    progress = Progress("partially_received", "none", 3, 2, 2, {"short": 1})
    assert words(progress) == [
        "Short by 1: accept or reject the shortage.",
        "2 units not inspected yet.",
    ]


def test_one_unit_waiting_for_inspection_is_said_in_the_singular():
    assert words(Progress("received", "none", 1, 1, 1)) == ["1 unit not inspected yet."]


def test_other_open_exceptions_are_named_by_kind_to_resolve():
    progress = Progress("received", "none", 1, 1, 0, {"serial_mismatch": 1, "wrong_item": 2})
    assert words(progress) == [
        "Exception open (serial_mismatch): resolve it.",
        "Exception open (wrong_item): resolve it.",
    ]


def test_an_express_refund_waits_for_the_stores_confirmation_and_a_failed_one_for_a_retry():
    assert words(Progress("received", "requested", 1, 1, 0)) == [
        "Refund requested: waiting for the store to confirm it."
    ]
    assert words(Progress("received", "failed", 1, 1, 0)) == [
        "The store's refund failed: retry the refund request."
    ]


def test_a_partly_received_return_without_a_shortage_waits_for_its_other_parcel():
    assert words(Progress("partially_received", "none", 3, 1, 0)) == [
        "2 units still expected in a parcel."
    ]


def test_an_inspected_return_with_nothing_open_waits_for_a_decision():
    assert words(Progress("inspected", "none", 1, 1, 0)) == [
        "Every unit inspected: decide to refund or reject."
    ]
