"""What an Idempotency-Key is, whose it is, and what request it is bound to."""

from __future__ import annotations

import uuid

import pytest

from warehouse.context import SYSTEM, Actor
from warehouse.idempotency.rules import (
    fingerprint,
    form_bytes,
    key_problem,
    owner_of,
    should_keep,
)


@pytest.mark.parametrize("key", ["a", "x" * 200, str(uuid.uuid4()), "scan 42/A~!"])
def test_one_to_two_hundred_printable_ascii_characters_make_a_key(key):
    assert key_problem(key) is None


@pytest.mark.parametrize("key", ["", "x" * 201, "键", "tab\there", "nul\x00", "del\x7f"])
def test_anything_else_is_no_key_and_says_why(key):
    assert key_problem(key)


def test_a_stores_keys_are_the_stores_whichever_api_key_sent_them():
    store_id = uuid.uuid4()
    actor = Actor(kind="store", id=store_id, label="A", role="store", store_id=store_id)
    assert owner_of(actor) == ("store", store_id)


def test_a_staff_members_keys_are_theirs_and_the_system_has_none():
    user_id = uuid.uuid4()
    assert owner_of(Actor(kind="staff", id=user_id, label="r", role="receiver")) == (
        "staff",
        user_id,
    )
    assert owner_of(SYSTEM) is None
    assert owner_of(None) is None


def test_a_key_is_bound_to_method_path_and_body():
    first = fingerprint("POST", "/api/v1/parcels/1/close", b"")
    assert first == fingerprint("post", "/api/v1/parcels/1/close", b"")
    assert first != fingerprint("PUT", "/api/v1/parcels/1/close", b"")
    assert first != fingerprint("POST", "/api/v1/parcels/2/close", b"")
    assert first != fingerprint("POST", "/api/v1/parcels/1/close", b"{}")


def test_a_form_is_the_same_whatever_order_or_encoding_its_parts_came_in():
    photo = b"\xff\xd8 jpeg bytes"
    one = form_bytes([("a", "1"), ("b", "2")], [("file", "p.jpg", photo)])
    assert one == form_bytes([("b", "2"), ("a", "1")], [("file", "p.jpg", photo)])
    assert one != form_bytes([("a", "1"), ("b", "3")], [("file", "p.jpg", photo)])
    assert one != form_bytes([("a", "1"), ("b", "2")], [("file", "p.jpg", photo + b"!")])


def test_answers_of_requests_that_went_through_are_kept_and_errors_are_not():
    assert should_keep(200) and should_keep(201) and should_keep(303)
    assert not should_keep(409) and not should_keep(422) and not should_keep(503)


def test_a_page_that_answered_a_refusal_with_an_error_banner_keeps_no_answer():
    assert not should_keep(303, [{"kind": "error", "text": "Not a parcel code."}])
    assert should_keep(303, [{"kind": "ok", "text": "Received."}, "a plain flash"])
