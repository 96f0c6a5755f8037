"""Check-in's rules, without a database: which codes name a parcel, whose returns one parcel
holds, and what the exception queue may do with each kind of exception."""

from __future__ import annotations

import uuid

import pytest

import scanners
from scanners import codes
from warehouse.queue.rules import (
    QUEUE_ACTIONS,
    Effect,
    ExceptionKind,
    legal_actions,
    resolution_refusal,
)
from warehouse.receiving.rules import (
    NOT_A_PARCEL_CODE,
    Sender,
    parcel_code_refusal,
    sender_conflict,
)


def at_the_dock(code: str) -> str | None:
    return parcel_code_refusal(scanners.parse(code, context="parcel"))


# --- parcel codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "SF1234567890123",  # SF Express
        "JT0001234567890",  # J&T
        "1Z999AA10123456784",  # UPS, check digit verified
        "75123456789012",  # 14 digits in ZTO's format (no check digit to fail)
        "9505512345678",  # 13 digits that pass the EAN check but fit China Post's format
    ],
)
def test_a_carriers_tracking_number_is_a_parcel_code(code):
    assert at_the_dock(code) is None


@pytest.mark.parametrize("code", ["DPK364837293", "1234567890", "88012345678901234"])
def test_a_tracking_number_of_a_carrier_with_no_known_format_is_still_a_parcel_code(code):
    # A real parcel is shelved as unmatched, never turned away for want of a format.
    assert at_the_dock(code) is None


def test_an_sscc_shipping_label_is_a_parcel_code():
    assert at_the_dock("]C100106141411234567897") is None


def test_our_rma_slip_is_a_parcel_code():
    assert at_the_dock(codes.new_rma_number()) is None


@pytest.mark.parametrize("code", ["HELLO123", "hello world", "12345", "ZZ00998877"])
def test_junk_is_not_a_parcel_code(code):
    assert at_the_dock(code) == NOT_A_PARCEL_CODE


def test_an_ean_with_a_wrong_check_digit_is_refused_for_its_check_digit():
    assert "wrong check digit (expected 2)" in at_the_dock("6901234567891")


def test_a_product_code_is_refused_as_an_item_at_the_parcel_step():
    assert at_the_dock("6901234567892") == "This is an item: scan the parcel label."
    assert at_the_dock("]C1010690123456789221SN8842A1X") == (
        "This is an item: scan the parcel label."
    )


def test_an_lpn_or_a_badge_is_refused_at_the_parcel_step():
    assert "LPN" in at_the_dock(codes.new_lpn())
    assert "badge" in at_the_dock(codes.new_badge_code())


def test_a_code_that_fails_its_own_check_is_refused_with_what_failed():
    assert "check digit" in at_the_dock("1Z999AA10123456785")


# --- one buyer's returns per parcel -----------------------------------------------------------

STORE_A, STORE_B = uuid.uuid4(), uuid.uuid4()


def test_an_empty_parcel_takes_any_return():
    assert sender_conflict(set(), Sender(STORE_A, "buyer-1")) is None


def test_a_parcel_takes_another_return_of_the_same_buyer():
    assert sender_conflict({Sender(STORE_A, "buyer-1")}, Sender(STORE_A, "buyer-1")) is None


def test_a_parcel_refuses_another_buyers_return():
    refusal = sender_conflict({Sender(STORE_A, "buyer-1")}, Sender(STORE_A, "buyer-2"))
    assert refusal == "the parcel holds another buyer's return"


def test_a_parcel_refuses_another_stores_return_even_of_a_buyer_with_the_same_id():
    refusal = sender_conflict({Sender(STORE_A, "buyer-1")}, Sender(STORE_B, "buyer-1"))
    assert refusal == "the parcel holds another store's return"


# --- the exception queue ----------------------------------------------------------------------


def test_every_kind_of_exception_has_at_least_one_way_out():
    assert set(QUEUE_ACTIONS) == set(ExceptionKind)
    assert all(QUEUE_ACTIONS[kind] for kind in ExceptionKind)


def test_only_parcels_waiting_for_their_return_may_be_matched():
    matchable = {kind for kind in ExceptionKind if "match" in legal_actions(kind)}
    assert matchable == {"unmatched_parcel", "ambiguous_parcel", "return_not_open"}


def test_a_shortage_may_be_accepted_or_rejected_and_an_empty_parcel_rejected_or_sent_back():
    assert legal_actions("short") == ("accept", "reject")
    assert legal_actions("empty_parcel") == ("reject", "return_to_buyer")
    assert QUEUE_ACTIONS[ExceptionKind.EMPTY_PARCEL]["return_to_buyer"] == Effect.REJECT_RETURN


def test_a_short_cannot_be_matched_to_a_return():
    refusal = resolution_refusal("short", "match", return_statuses=["partially_received"])
    assert refusal == "A short exception is resolved by accept or reject, not match."


def test_an_empty_parcel_cannot_be_accepted():
    assert "not accept" in resolution_refusal("empty_parcel", "accept")


@pytest.mark.parametrize("status", ["rejected", "closed", "cancelled"])
@pytest.mark.parametrize(("kind", "action"), [("short", "accept"), ("empty_parcel", "reject")])
def test_nothing_is_decided_again_on_a_return_already_decided(kind, action, status):
    refusal = resolution_refusal(kind, action, return_statuses=[status], units_received=1)
    assert refusal == f"The return is {status} already: nothing is left to decide."


def test_a_shortage_of_a_return_of_which_nothing_arrived_is_rejected_not_accepted():
    refusal = resolution_refusal(
        "short", "accept", return_statuses=["partially_received"], units_received=0
    )
    assert refusal == "Nothing of the return arrived: reject it instead."
    assert (
        resolution_refusal(
            "short", "reject", return_statuses=["partially_received"], units_received=0
        )
        is None
    )


def test_a_shortage_of_a_partially_received_return_with_units_may_be_accepted():
    assert (
        resolution_refusal(
            "short", "accept", return_statuses=["partially_received"], units_received=1
        )
        is None
    )


def test_an_unknown_action_is_refused_not_an_error():
    assert resolution_refusal("short", "shrug") is not None
