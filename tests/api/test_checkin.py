"""Check-in at the dock: parcel scans, item scans, closing, and the exception queue."""

from __future__ import annotations

import uuid

import pytest
from factories import bearer, line, return_body
from sqlalchemy import select

from scanners import codes
from warehouse.events.models import Event


@pytest.fixture
def receiver(staff_token):
    return bearer(staff_token("receiver"))


@pytest.fixture
def supervisor(staff_token):
    return bearer(staff_token("supervisor"))


@pytest.fixture
def create_return(client, store):
    _, key = store

    def _create(**overrides):
        response = client.post(
            "/api/v1/returns", json=return_body(**overrides), headers=bearer(key)
        )
        assert response.status_code == 201, response.json
        return response.json

    return _create


def scan_parcel(client, headers, code, scan_id=None, **extra):
    body = {"scan_id": str(scan_id or uuid.uuid4()), "code": code, **extra}
    return client.post("/api/v1/parcels/scan", json=body, headers=headers)


def scan_item(client, headers, parcel_id, code, scan_id=None, **extra):
    body = {"scan_id": str(scan_id or uuid.uuid4()), "code": code, **extra}
    return client.post(f"/api/v1/parcels/{parcel_id}/items/scan", json=body, headers=headers)


def close(client, headers, parcel_id):
    return client.post(f"/api/v1/parcels/{parcel_id}/close", headers=headers)


def open_exceptions(client, headers, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return client.get(f"/api/v1/exceptions?{query}", headers=headers).json["items"]


# --- matching paths --------------------------------------------------------------------


def test_the_rma_barcode_on_the_slip_matches_its_return(client, receiver, create_return):
    ret = create_return()
    response = scan_parcel(client, receiver, "]C1" + ret["rma_number"])
    assert response.status_code == 200
    parcel = response.json["parcel"]
    assert parcel["status"] == "matched"
    assert parcel["return_id"] == ret["id"]
    assert parcel["rma_number"] == ret["rma_number"]
    assert [e["sku"] for e in parcel["expected"]] == [ln["sku"] for ln in ret["lines"]]
    assert parcel["expected"][0]["remaining"] == 1
    assert response.json["replayed"] is False


@pytest.mark.parametrize(
    ("registered", "scanned"),
    [
        ("SF1234567890123", "SF1234567890123"),
        ("SF1234567890123", "1234567890123"),
        ("1234567890123", "]C1SF1234567890123"),
        ("yt 7512-3456-7890-1", "YT7512345678901"),
    ],
)
def test_a_tracking_number_matches_with_or_without_its_carrier_prefix(
    client, receiver, create_return, registered, scanned
):
    ret = create_return(carrier="SF", tracking_number=registered)
    parcel = scan_parcel(client, receiver, scanned).json["parcel"]
    assert parcel["status"] == "matched"
    assert parcel["return_id"] == ret["id"]


def test_a_tracking_number_registered_after_creation_matches(
    client, store, receiver, create_return
):
    _, key = store
    ret = create_return()
    client.put(
        f"/api/v1/returns/{ret['id']}/tracking",
        headers=bearer(key),
        json={"carrier": "YTO", "tracking_number": "YT7512345678901"},
    )
    assert scan_parcel(client, receiver, "YT7512345678901").json["parcel"]["return_id"] == ret["id"]


@pytest.mark.parametrize("field", ["order_id", "external_id"])
def test_an_order_id_or_the_stores_external_id_matches(client, receiver, create_return, field):
    ret = create_return()
    parcel = scan_parcel(client, receiver, ret[field]).json["parcel"]
    assert parcel["return_id"] == ret["id"]


def test_one_parcel_can_carry_two_returns_of_the_same_buyer(client, receiver, create_return):
    buyer = {"id": "buyer-same", "name": "李*", "phone": "138****0000"}
    first = create_return(tracking_number="SF1234567890123", buyer=buyer)
    second = create_return(tracking_number="SF1234567890123", buyer=buyer)
    parcel = scan_parcel(client, receiver, "SF1234567890123").json["parcel"]
    assert {r["id"] for r in parcel["returns"]} == {first["id"], second["id"]}
    assert len(parcel["expected"]) == 4


def test_a_cancelled_return_answers_a_clear_status_and_its_parcel_is_quarantined(
    client, store, receiver, supervisor, create_return
):
    _, key = store
    ret = create_return()
    client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=bearer(key))
    response = scan_parcel(client, receiver, ret["rma_number"]).json
    assert response["parcel"]["status"] == "unmatched"
    assert "cancelled" in response["warning"]
    assert response["exception"]["kind"] == "return_not_open"
    kinds = [e["kind"] for e in open_exceptions(client, supervisor)]
    assert kinds == ["return_not_open"]


# --- unmatched, queue, manual match ------------------------------------------------------


def test_an_unknown_parcel_is_quarantined_then_matched_by_a_supervisor(
    client, receiver, supervisor, create_return
):
    ret = create_return()
    response = scan_parcel(client, receiver, "JT0001234567890", weight_grams=730)
    assert response.status_code == 200
    parcel = response.json["parcel"]
    assert parcel["status"] == "unmatched"
    queued = open_exceptions(client, supervisor)
    assert [(e["kind"], e["parcel_id"]) for e in queued] == [("unmatched_parcel", parcel["id"])]
    assert queued[0]["details"]["weight_grams"] == 730
    # Receivers may not match; a supervisor may.
    refused = client.post(
        f"/api/v1/parcels/{parcel['id']}/match", json={"return_id": ret["id"]}, headers=receiver
    )
    assert refused.status_code == 403
    matched = client.post(
        f"/api/v1/parcels/{parcel['id']}/match", json={"return_id": ret["id"]}, headers=supervisor
    )
    assert matched.status_code == 200
    assert matched.json["parcel"]["status"] == "matched"
    assert open_exceptions(client, supervisor) == []
    resolved = open_exceptions(client, supervisor, status="resolved")
    assert resolved[0]["resolution"] == "matched"
    # Now its items can be received.
    sku = ret["lines"][0]["sku"]
    assert scan_item(client, receiver, parcel["id"], sku).json["unit"]["status"] == "received"


def test_an_exception_is_claimed_then_resolved_with_a_note(
    client, receiver, supervisor, staff_token
):
    scan_parcel(client, receiver, "JT0001234567890")
    exception = open_exceptions(client, supervisor)[0]
    claimed = client.post(f"/api/v1/exceptions/{exception['id']}/claim", headers=supervisor)
    assert claimed.json["status"] == "claimed"
    other = bearer(staff_token("supervisor"))
    assert (
        client.post(f"/api/v1/exceptions/{exception['id']}/claim", headers=other).status_code == 409
    )
    resolved = client.post(
        f"/api/v1/exceptions/{exception['id']}/resolve",
        headers=supervisor,
        json={"action": "return_to_buyer", "note": "无退货单, 拒收"},
    )
    assert resolved.status_code == 200
    assert resolved.json["resolution"] == "returned_to_buyer"
    assert resolved.json["note"] == "无退货单, 拒收"
    assert open_exceptions(client, supervisor) == []


# --- idempotency ----------------------------------------------------------------------------


def test_a_replayed_scan_id_answers_the_same_and_changes_nothing(client, receiver, create_return):
    ret = create_return()
    scan_id = uuid.uuid4()
    first = scan_parcel(client, receiver, ret["rma_number"], scan_id=scan_id).json
    parcel_id = first["parcel"]["id"]
    item_scan = uuid.uuid4()
    unit = scan_item(client, receiver, parcel_id, ret["lines"][0]["sku"], scan_id=item_scan).json
    again = scan_item(client, receiver, parcel_id, ret["lines"][0]["sku"], scan_id=item_scan).json
    assert again["replayed"] is True
    assert again["unit"] == unit["unit"]
    replay = scan_parcel(client, receiver, ret["rma_number"], scan_id=scan_id).json
    assert replay["replayed"] is True
    assert replay["parcel"] == first["parcel"]
    parcel = client.get(f"/api/v1/parcels/{parcel_id}", headers=receiver).json["parcel"]
    assert parcel["expected"][0]["received"] == 1


def test_a_scan_id_reused_for_another_code_is_a_conflict(client, receiver, create_return):
    ret = create_return()
    scan_id = uuid.uuid4()
    scan_parcel(client, receiver, ret["rma_number"], scan_id=scan_id)
    assert scan_parcel(client, receiver, ret["order_id"], scan_id=scan_id).status_code == 409


def test_scanning_the_same_parcel_again_opens_the_same_parcel(client, receiver, create_return):
    ret = create_return()
    first = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]
    close(client, receiver, first["id"])
    again = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]
    assert again["id"] == first["id"]
    assert again["state"] == "open"


def test_an_offline_terminal_keeps_its_own_scan_time(client, receiver, create_return, db):
    from warehouse.receiving.models import Scan

    ret = create_return()
    scan_id = uuid.uuid4()
    scan_parcel(
        client, receiver, ret["rma_number"], scan_id=scan_id, scanned_at="2026-11-02T07:30:00+08:00"
    )
    row = db.get(Scan, scan_id)
    assert row.scanned_at.isoformat() == "2026-11-01T23:30:00+00:00"
    assert row.received_at.isoformat() == "2026-11-02T08:00:00+00:00"


# --- items -----------------------------------------------------------------------------------


def test_each_item_becomes_a_unit_with_its_own_valid_lpn(client, receiver, create_return):
    ret = create_return(lines=[line(sku="TEE-M", gtin="6901234567892", quantity=2)])
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    first = scan_item(client, receiver, parcel_id, "6901234567892").json["unit"]
    second = scan_item(client, receiver, parcel_id, "tee-m").json["unit"]
    assert first["lpn"] != second["lpn"]
    assert codes.kind_of_own_code(first["lpn"]) == "lpn"
    assert first["remaining_on_line"] == 1
    assert second["remaining_on_line"] == 0
    assert first["status"] == second["status"] == "received"
    unit = client.get(f"/api/v1/units/{first['lpn']}", headers=receiver).json
    assert unit["sku"] == "TEE-M"
    assert [h["action"] for h in unit["history"]] == ["unit.received"]


def test_a_gs1_scan_with_the_expected_serial_is_received(client, receiver, create_return):
    ret = create_return(
        lines=[line(sku="EARBUDS", gtin="06901234567892", serial_numbers=["SN8842A1X"])]
    )
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    answer = scan_item(client, receiver, parcel_id, "]C1010690123456789221SN8842A1X").json
    assert answer["unit"]["status"] == "received"
    assert answer["exception"] is None
    again = scan_item(client, receiver, parcel_id, "]C1010690123456789221SN8842A1X")
    assert again.status_code == 409
    assert again.json["lpn"] == answer["unit"]["lpn"]


def test_another_serial_than_expected_is_a_serial_mismatch_in_the_queue(
    client, receiver, supervisor, create_return
):
    ret = create_return(
        lines=[line(sku="EARBUDS", gtin="06901234567892", serial_numbers=["SN8842A1X"])]
    )
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    answer = scan_item(client, receiver, parcel_id, "]C1010690123456789221SNFAKE0001").json
    assert (answer["unit"]["status"], answer["unit"]["reception_status"]) == (
        "received",
        "serial_mismatch",
    )
    assert answer["exception"]["kind"] == "serial_mismatch"
    assert answer["exception"]["details"]["expected_serials"] == ["SN8842A1X"]
    assert answer["exception"]["details"]["scanned"] == "SNFAKE0001"
    assert [e["kind"] for e in open_exceptions(client, supervisor)] == ["serial_mismatch"]


def test_an_item_on_no_line_is_a_wrong_item(client, receiver, supervisor, create_return):
    ret = create_return()
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    answer = scan_item(client, receiver, parcel_id, "4006381333931").json
    assert (answer["unit"]["status"], answer["unit"]["reception_status"]) == (
        "received",
        "wrong_item",
    )
    assert answer["unit"]["return_line_id"] is None
    assert answer["exception"]["kind"] == "wrong_item"
    assert [e["kind"] for e in open_exceptions(client, supervisor)] == ["wrong_item"]


def test_one_more_than_expected_is_extra(client, receiver, create_return):
    ret = create_return(lines=[line(sku="MUG", quantity=1)])
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    scan_item(client, receiver, parcel_id, "MUG")
    answer = scan_item(client, receiver, parcel_id, "MUG").json
    assert (answer["unit"]["status"], answer["unit"]["reception_status"]) == (
        "received",
        "extra",
    )
    assert answer["exception"]["kind"] == "extra"
    summary = close(client, receiver, parcel_id).json
    assert summary["returns"][0]["lines"][0]["extra"] == 1
    assert summary["returns"][0]["lines"][0]["received"] == 1


def test_an_item_damaged_in_transit_is_counted_and_queued(client, receiver, create_return):
    ret = create_return(lines=[line(sku="VASE", quantity=1)])
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    answer = scan_item(client, receiver, parcel_id, "VASE", damaged=True).json
    assert (answer["unit"]["status"], answer["unit"]["reception_status"]) == (
        "received",
        "damaged_in_transit",
    )
    assert answer["exception"]["kind"] == "transit_damage"
    lines = close(client, receiver, parcel_id).json["returns"][0]["lines"]
    assert (lines[0]["received"], lines[0]["damaged"]) == (1, 1)


@pytest.fixture
def guard_clock(monkeypatch):
    """The process's double-scan guard on a clock the test moves (nanoseconds)."""
    from scanners.guard import DoubleScanGuard
    from warehouse import flow

    now = [0]
    monkeypatch.setattr(flow, "ITEM_GUARD", DoubleScanGuard(800, clock=lambda: now[0]))
    return now


def test_a_terminal_s_trigger_held_too_long_counts_one_item_on_the_api_too(
    client, receiver, create_return, guard_clock
):
    def received():
        parcel = client.get(f"/api/v1/parcels/{parcel_id}", headers=receiver).json["parcel"]
        return parcel["expected"][0]["received"]

    ret = create_return(lines=[line(sku="MUG", quantity=3)])
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    terminal = {**receiver, "X-Terminal-Id": "HH-07"}
    first_id = uuid.uuid4()
    first = scan_item(client, terminal, parcel_id, "MUG", scan_id=first_id)
    assert first.status_code == 200
    guard_clock[0] += 300_000_000  # 0.3 s later: the same label read again
    repeat_id = uuid.uuid4()
    repeat = scan_item(client, terminal, parcel_id, "MUG", scan_id=repeat_id)
    assert repeat.status_code == 409 and repeat.json["repeat"] is True
    assert "MUG was just scanned" in repeat.json["detail"]
    assert received() == 1
    # A retry of the first scan gets its answer; another terminal's scan is its own.
    again = scan_item(client, terminal, parcel_id, "MUG", scan_id=first_id)
    assert again.status_code == 200 and again.json["replayed"] is True
    assert again.json["unit"] == first.json["unit"]
    other = scan_item(client, {**receiver, "X-Terminal-Id": "HH-08"}, parcel_id, "MUG")
    assert other.status_code == 200
    guard_clock[0] += 900_000_000  # a second item of the same kind, scanned on purpose
    assert scan_item(client, terminal, parcel_id, "MUG", scan_id=repeat_id).status_code == 200
    assert received() == 3


def test_item_scans_a_terminal_s_queue_replays_or_naming_no_terminal_are_not_guarded(
    client, receiver, create_return, guard_clock
):
    ret = create_return(lines=[line(sku="MUG", quantity=4)])
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    replaying = {**receiver, "X-Terminal-Id": "HH-07", "X-Scan-Replay": "1"}
    for headers in (replaying, replaying, receiver, receiver):
        assert scan_item(client, headers, parcel_id, "MUG").status_code == 200


# --- closing -----------------------------------------------------------------------------------


def test_closing_with_everything_received_marks_the_return_received_and_tells_the_store(
    client, store, receiver, create_return, db
):
    _, key = store
    ret = create_return()
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    for ln in ret["lines"]:
        scan_item(client, receiver, parcel_id, ln["sku"])
    summary = close(client, receiver, parcel_id)
    assert summary.status_code == 200
    assert summary.json["exceptions"] == []
    after = client.get(f"/api/v1/returns/{ret['id']}", headers=bearer(key)).json
    assert after["status"] == "received"
    assert after["received_at"] is not None
    assert after["due_at"] == "2026-11-04T08:00:00+00:00"  # 48 h after the fake clock's now
    events = db.scalars(select(Event).where(Event.type == "return.received")).all()
    assert len(events) == 1
    assert events[0].data["return_id"] == ret["id"]
    assert events[0].data["external_id"] == ret["external_id"]
    assert events[0].data["reception_status"] == "received"


def test_missing_items_become_short_exceptions_and_the_return_is_partially_received(
    client, store, receiver, supervisor, create_return
):
    _, key = store
    ret = create_return(lines=[line(sku="A", quantity=3), line(sku="B", quantity=1)])
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    scan_item(client, receiver, parcel_id, "A")
    summary = close(client, receiver, parcel_id).json
    shorts = {e["details"]["sku"]: e["details"]["missing"] for e in summary["exceptions"]}
    assert shorts == {"A": 2, "B": 1}
    after = client.get(f"/api/v1/returns/{ret['id']}", headers=bearer(key)).json
    assert after["status"] == "partially_received"
    assert sorted(e["kind"] for e in open_exceptions(client, supervisor)) == ["short", "short"]


def test_partial_receipts_across_two_parcels_add_up(
    client, store, receiver, supervisor, create_return
):
    _, key = store
    ret = create_return(lines=[line(sku="A", quantity=2)], tracking_number="SF1111111111111")
    first = scan_parcel(client, receiver, "SF1111111111111").json["parcel"]["id"]
    scan_item(client, receiver, first, "A")
    close(client, receiver, first)
    assert [e["kind"] for e in open_exceptions(client, supervisor)] == ["short"]
    # The second box comes by the slip's RMA barcode.
    second = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]
    assert second["id"] != first
    assert second["expected"][0]["remaining"] == 1
    scan_item(client, receiver, second["id"], "A")
    close(client, receiver, second["id"])
    after = client.get(f"/api/v1/returns/{ret['id']}", headers=bearer(key)).json
    assert after["status"] == "received"
    assert open_exceptions(client, supervisor) == []
    short = open_exceptions(client, supervisor, status="resolved")[0]
    assert short["resolution"] == "received_later"


def test_a_parcel_closed_with_nothing_in_it_is_one_empty_parcel_exception_and_nothing_told(
    client, store, receiver, supervisor, create_return, db
):
    _, key = store
    ret = create_return()
    parcel_id = scan_parcel(client, receiver, ret["rma_number"], weight_grams=120).json["parcel"][
        "id"
    ]
    summary = close(client, receiver, parcel_id).json
    [empty] = summary["exceptions"]
    assert empty["kind"] == "empty_parcel"
    assert empty["details"]["weight_grams"] == 120
    assert empty["store_id"] is not None
    assert [e["kind"] for e in open_exceptions(client, supervisor)] == ["empty_parcel"]
    # The store hears one outcome, once a supervisor decides: not "received, partially".
    assert db.scalars(select(Event).where(Event.type == "return.received")).all() == []
    after = client.get(f"/api/v1/returns/{ret['id']}", headers=bearer(key)).json
    assert after["status"] == ret["status"]


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", "   ", "\x00\x01"])
def test_an_empty_or_garbage_parcel_code_is_a_422(client, receiver, code):
    response = scan_parcel(client, receiver, code)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_a_code_with_a_wrong_check_character_is_refused_never_matched(
    client, receiver, create_return
):
    ret = create_return()
    rma = ret["rma_number"]
    wrong = rma[:-1] + ("A" if rma[-1] != "A" else "B")
    response = scan_parcel(client, receiver, wrong)
    assert response.status_code == 422
    assert "check" in response.json["detail"]


def test_a_scan_id_that_is_not_a_uuid_is_a_422(client, receiver):
    response = client.post(
        "/api/v1/parcels/scan", json={"scan_id": "abc", "code": "X"}, headers=receiver
    )
    assert response.status_code == 422
    assert "scan_id" in response.json["errors"]


def test_item_scans_on_a_closed_parcel_are_a_409_with_its_state(client, receiver, create_return):
    ret = create_return()
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    close(client, receiver, parcel_id)
    response = scan_item(client, receiver, parcel_id, ret["lines"][0]["sku"])
    assert response.status_code == 409
    assert response.json["parcel_state"] == "closed"


def test_an_lpn_or_a_parcel_label_is_not_an_item(client, receiver, create_return):
    ret = create_return()
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    assert scan_item(client, receiver, parcel_id, codes.new_lpn()).status_code == 422
    assert scan_item(client, receiver, parcel_id, ret["rma_number"]).status_code == 422


def test_a_store_cannot_scan_and_sees_only_its_own_units(
    client, store, make_store, receiver, create_return
):
    _, key_a = store
    _, key_b = make_store("Store B")
    ret = create_return()
    assert scan_parcel(client, bearer(key_a), ret["rma_number"]).status_code == 403
    parcel_id = scan_parcel(client, receiver, ret["rma_number"]).json["parcel"]["id"]
    lpn = scan_item(client, receiver, parcel_id, ret["lines"][0]["sku"]).json["unit"]["lpn"]
    assert client.get(f"/api/v1/units/{lpn}", headers=bearer(key_a)).status_code == 200
    assert client.get(f"/api/v1/units/{lpn}", headers=bearer(key_b)).status_code == 404


# --- junk at the parcel step (issue 14) ------------------------------------------------------


def written(db) -> tuple[int, int, int]:
    """Parcels, exceptions and stored scans: what a refused parcel scan must not add to."""
    from sqlalchemy import func

    from warehouse.receiving.models import Parcel, ReceivingException, Scan

    return tuple(
        db.scalar(select(func.count()).select_from(m)) for m in (Parcel, ReceivingException, Scan)
    )


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("HELLO123", "Not a parcel code: scan the carrier's label or the RMA slip."),
        ("6901234567891", "wrong check digit (expected 2)"),
        ("6901234567892", "This is an item: scan the parcel label."),
    ],
)
def test_junk_a_failed_check_digit_or_an_item_at_the_parcel_step_is_refused_and_nothing_written(
    client, receiver, supervisor, db, code, says
):
    response = scan_parcel(client, receiver, code)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert says in response.json["detail"]
    assert says in response.json["errors"]["code"][0]
    assert written(db) == (0, 0, 0)
    assert open_exceptions(client, supervisor) == []


def test_an_order_number_that_looks_like_junk_still_matches_its_return(
    client, receiver, create_return
):
    ret = create_return(order_id="HELLO123")
    parcel = scan_parcel(client, receiver, "hello123").json["parcel"]
    assert (parcel["status"], parcel["return_id"]) == ("matched", ret["id"])


# --- one parcel, one buyer of one store (issue 14) -------------------------------------------


@pytest.fixture
def other_store(client, make_store):
    """Store B's create call; `.key` is its API key."""
    _, key = make_store("店铺乙 Store B")

    def _create(**overrides):
        response = client.post(
            "/api/v1/returns", json=return_body(**overrides), headers=bearer(key)
        )
        assert response.status_code == 201, response.json
        return response.json

    _create.key = key
    return _create


def match(client, headers, parcel_id, return_id):
    return client.post(
        f"/api/v1/parcels/{parcel_id}/match", json={"return_id": return_id}, headers=headers
    )


def test_a_supervisor_cannot_attach_a_stores_parcel_to_another_stores_return(
    client, receiver, supervisor, create_return, other_store
):
    ret_a = create_return(lines=[line(sku="TEE")])
    parcel_id = scan_parcel(client, receiver, ret_a["rma_number"]).json["parcel"]["id"]
    scan_item(client, receiver, parcel_id, "TEE")
    ret_b = other_store()
    while_open = match(client, supervisor, parcel_id, ret_b["id"])
    assert while_open.status_code == 409
    assert "another store's return" in while_open.json["detail"]
    close(client, receiver, parcel_id)
    once_closed = match(client, supervisor, parcel_id, ret_b["id"])
    assert once_closed.status_code == 409
    seen_by_b = client.get(f"/api/v1/returns/{ret_b['id']}", headers=bearer(other_store.key)).json
    assert seen_by_b["parcels"] == []
    assert seen_by_b["status"] == ret_b["status"]
    parcel = client.get(f"/api/v1/parcels/{parcel_id}", headers=supervisor).json["parcel"]
    assert [r["id"] for r in parcel["returns"]] == [ret_a["id"]]


def test_a_supervisor_cannot_add_another_buyers_return_to_a_parcel(
    client, receiver, supervisor, create_return
):
    first = create_return()
    second = create_return()  # another buyer of the same store
    parcel_id = scan_parcel(client, receiver, first["rma_number"]).json["parcel"]["id"]
    refused = match(client, supervisor, parcel_id, second["id"])
    assert refused.status_code == 409
    assert "another buyer's return" in refused.json["detail"]


def test_a_rescanned_parcel_never_takes_in_another_stores_return_with_the_same_number(
    client, receiver, create_return, other_store
):
    ret_a = create_return(tracking_number="SF1234567890123", lines=[line(sku="TEE")])
    first = scan_parcel(client, receiver, "SF1234567890123").json["parcel"]
    scan_item(client, receiver, first["id"], "TEE")
    close(client, receiver, first["id"])
    ret_b = other_store(tracking_number="SF1234567890123")  # store B cannot know of A's
    again = scan_parcel(client, receiver, "SF1234567890123").json["parcel"]
    assert again["id"] == first["id"]
    assert [r["id"] for r in again["returns"]] == [ret_a["id"]]
    seen_by_b = client.get(f"/api/v1/returns/{ret_b['id']}", headers=bearer(other_store.key)).json
    assert seen_by_b["parcels"] == []


def test_a_tracking_number_on_another_buyers_open_return_is_refused_naming_that_return(
    client, store, create_return, db
):
    from sqlalchemy import func

    from warehouse.returns.models import Return

    _, key = store
    first = create_return(carrier="SF", tracking_number="SF1234567890123")
    response = client.post(
        "/api/v1/returns",
        json=return_body(carrier="SF", tracking_number="1234567890123"),  # without the prefix
        headers=bearer(key),
    )
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert first["rma_number"] in response.json["detail"]
    assert response.json["return_id"] == first["id"]
    assert db.scalar(select(func.count()).select_from(Return)) == 1


def test_registering_a_tracking_number_of_another_buyers_open_return_is_refused(
    client, store, create_return
):
    _, key = store
    first = create_return(tracking_number="YT7512345678901")
    second = create_return()
    response = client.put(
        f"/api/v1/returns/{second['id']}/tracking",
        headers=bearer(key),
        json={"carrier": "YTO", "tracking_number": "YT7512345678901"},
    )
    assert response.status_code == 409
    assert first["rma_number"] in response.json["detail"]
    after = client.get(f"/api/v1/returns/{second['id']}", headers=bearer(key)).json
    assert (after["status"], after["tracking_number"]) == ("awaiting_parcel", None)


def test_a_parcel_code_naming_returns_of_two_stores_makes_a_supervisor_choose(
    client, receiver, supervisor, create_return, other_store, db
):
    ret_a = create_return(tracking_number="SF1234567890123", lines=[line(sku="TEE")])
    ret_b = other_store(tracking_number="SF1234567890123", lines=[line(sku="MUG")])
    answer = scan_parcel(client, receiver, "SF1234567890123").json
    assert answer["parcel"]["status"] == "unmatched"
    assert answer["parcel"]["returns"] == []
    assert answer["exception"]["kind"] == "ambiguous_parcel"
    named = {r["id"] for r in answer["exception"]["details"]["returns"]}
    assert named == {ret_a["id"], ret_b["id"]}
    [queued] = open_exceptions(client, supervisor)
    assert queued["actions"] == ["match", "return_to_buyer"]
    chosen = client.post(
        f"/api/v1/exceptions/{queued['id']}/resolve",
        headers=supervisor,
        json={"action": "match", "return_id": ret_a["id"], "note": "箱内退货单"},
    )
    assert chosen.status_code == 200, chosen.json
    parcel_id = answer["parcel"]["id"]
    scan_item(client, receiver, parcel_id, "TEE")
    summary = close(client, receiver, parcel_id).json
    assert [r["return_id"] for r in summary["returns"]] == [ret_a["id"]]
    assert summary["exceptions"] == []
    received = db.scalars(select(Event).where(Event.type == "return.received")).all()
    assert [e.data["return_id"] for e in received] == [ret_a["id"]]


def test_a_parcel_with_no_return_yet_cannot_be_closed(client, receiver, supervisor):
    parcel_id = scan_parcel(client, receiver, "JT0001234567890").json["parcel"]["id"]
    response = close(client, receiver, parcel_id)
    assert response.status_code == 409
    assert [e["kind"] for e in open_exceptions(client, supervisor)] == ["unmatched_parcel"]


def test_an_unmatched_parcel_scanned_again_after_its_number_was_registered_leaves_the_queue(
    client, store, receiver, supervisor, create_return
):
    _, key = store
    first = scan_parcel(client, receiver, "YT7512345678901").json["parcel"]
    ret = create_return()
    client.put(
        f"/api/v1/returns/{ret['id']}/tracking",
        headers=bearer(key),
        json={"carrier": "YTO", "tracking_number": "YT7512345678901"},
    )
    again = scan_parcel(client, receiver, "YT7512345678901").json["parcel"]
    assert (again["id"], again["status"], again["return_id"]) == (first["id"], "matched", ret["id"])
    assert open_exceptions(client, supervisor) == []


def test_a_parcel_of_a_closed_return_scanned_again_stays_closed_and_takes_no_item(
    app, client, store, staff_token
):
    from inspection_fixtures import Floor

    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["TEE"])
    floor.inspected(lpn)
    amount = floor.events("return.refund_requested")[0].data["amount"]
    confirmed = client.post(
        f"/api/v1/returns/{ret['id']}/refund-confirmation",
        json={"refund_id": "RF1", "amount": amount},
        headers=floor.store,
    )
    assert confirmed.json["status"] == "closed"
    answer = scan_parcel(client, floor.receiver, ret["rma_number"]).json
    assert answer["parcel"]["state"] == "closed"
    assert "closed" in answer["warning"]
    assert scan_item(client, floor.receiver, answer["parcel"]["id"], "TEE").status_code == 409
    assert len(floor.events("return.received")) == 1
