"""The refund trigger: the right amount, once, with the evidence; rejections and exchanges."""

from __future__ import annotations

import uuid

import pytest
from factories import bearer, line
from inspection_fixtures import GOOD_APPAREL, Floor
from sqlalchemy import select

from warehouse.refunds.models import RefundUnit

STAINED = {**GOOD_APPAREL, "stains": True}


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    return floor


def get_return(floor, ret):
    return floor.client.get(f"/api/v1/returns/{ret['id']}", headers=floor.store).json


def two_tees(floor, **overrides):
    return floor.create_return(
        [
            line(sku="TEE", gtin=None, quantity=2, unit_price=9900),
            line(sku="MUG", gtin=None, category="apparel", quantity=1, unit_price=3500),
        ],
        **overrides,
    )


def test_after_inspection_the_store_is_asked_to_refund_each_line_less_its_deduction(floor):
    ret = two_tees(floor)
    tee1, tee2, mug = floor.receive(ret, ["TEE", "TEE", "MUG"])
    floor.inspected(tee1)
    floor.inspected(tee2, STAINED, photo_ids=[floor.photo(tee2)])
    floor.inspected(mug)
    [event] = floor.events("return.refund_requested")
    assert event.data["mode"] == "after_inspection"
    assert event.data["currency"] == "CNY"
    assert event.data["lines"] == [
        {
            "line_id": ret["lines"][0]["line_id"],
            "quantity": 2,
            "amount": 9900 + 9900 - 2970,
            "deduction": 2970,
            "deduction_reason": event.data["lines"][0]["deduction_reason"],
        },
        {
            "line_id": ret["lines"][1]["line_id"],
            "quantity": 1,
            "amount": 3500,
            "deduction": 0,
            "deduction_reason": None,
        },
    ]
    assert event.data["lines"][0]["deduction_reason"]
    assert event.data["amount"] == 9900 * 2 - 2970 + 3500
    after = get_return(floor, ret)
    assert after["status"] == "refund_requested"
    assert after["refund"]["status"] == "requested"
    assert after["refund_requests"][0]["amount"] == event.data["amount"]


def test_the_stores_confirmation_closes_the_return_once(floor):
    ret = two_tees(floor)
    for lpn in floor.receive(ret, ["TEE", "TEE", "MUG"]):
        floor.inspected(lpn)
    amount = floor.events("return.refund_requested")[0].data["amount"]
    url = f"/api/v1/returns/{ret['id']}/refund-confirmation"
    too_much = floor.client.post(
        url, json={"refund_id": "RF1", "amount": amount + 1}, headers=floor.store
    )
    assert too_much.status_code == 422
    done = floor.client.post(url, json={"refund_id": "RF1", "amount": amount}, headers=floor.store)
    assert done.status_code == 200
    assert done.json["status"] == "closed"
    assert done.json["refund"] == {
        "status": "confirmed",
        "refund_id": "RF1",
        "amount": amount,
        "confirmed_at": done.json["refund"]["confirmed_at"],
    }
    [closed] = floor.events("return.closed")
    assert closed.data["amount"] == amount
    again = floor.client.post(url, json={"refund_id": "RF1", "amount": amount}, headers=floor.store)
    assert again.status_code == 409


def test_an_express_refund_is_requested_at_the_parcel_scan_and_never_twice(floor, db):
    ret = two_tees(floor, express_refund=True)
    tee1, tee2, mug = floor.receive(ret, ["TEE", "TEE", "MUG"])
    [express] = floor.events("return.refund_requested")
    assert express.data["mode"] == "express"
    assert express.data["amount"] == 9900 * 2 + 3500
    floor.inspected(tee1)
    floor.inspected(tee2, STAINED, photo_ids=[floor.photo(tee2)])
    floor.inspected(mug)
    # Inspection still happened; the stain is an exception for the store, not a second refund.
    assert len(floor.events("return.refund_requested")) == 1
    assert len(floor.events("return.inspected")) == 1
    found = floor.client.get(
        "/api/v1/exceptions?kind=finding_after_refund", headers=floor.supervisor
    ).json["items"]
    assert [(e["kind"], e["details"]["lpn"], e["details"]["deduction"]) for e in found] == [
        ("finding_after_refund", tee2, 2970)
    ]
    assert len(db.scalars(select(RefundUnit)).all()) == 3


def test_an_express_refund_over_the_stores_limit_waits_for_inspection(floor, make_store, client):
    ret = floor.create_return([line(sku="TV", gtin=None, unit_price=60000)], express_refund=True)
    floor.receive(ret, ["TV"])
    assert floor.events("return.refund_requested") == []
    assert get_return(floor, ret)["refund"]["status"] == "none"


def test_a_wrong_item_alone_is_rejected_with_the_findings_once_the_shortage_is_accepted(floor):
    floor.checklist("default")  # a wrong item is on no line, so of no known category
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["4006381333931"])
    floor.inspected(lpn)
    # The tee itself never came: once the supervisor accepts that, the return is decided.
    [short] = floor.client.get("/api/v1/exceptions?kind=short", headers=floor.supervisor).json[
        "items"
    ]
    floor.client.post(
        f"/api/v1/exceptions/{short['id']}/resolve",
        headers=floor.supervisor,
        json={"action": "accept", "note": "买家寄错商品"},
    )
    assert floor.events("return.refund_requested") == []
    [rejected] = floor.events("return.rejected")
    assert rejected.data["findings"][0]["lpn"] == lpn
    assert rejected.data["findings"][0]["reason"] == "wrong_item"
    assert get_return(floor, ret)["status"] == "rejected"


def test_a_supervisor_may_override_a_rejection_with_a_reason(floor):
    ret = floor.create_return([line(sku="EAR", gtin="06901234567892", serial_numbers=["SN1"])])
    [lpn] = floor.receive(ret, ["]C1010690123456789221SN2"])
    floor.inspected(lpn)
    assert get_return(floor, ret)["status"] == "rejected"
    url = f"/api/v1/returns/{ret['id']}/decision"
    body = {"decision": "refund", "reason": "序列号登记错误 / store typo"}
    assert floor.client.post(url, json=body, headers=floor.inspector).status_code == 403
    response = floor.client.post(url, json=body, headers=floor.supervisor)
    assert response.status_code == 200
    assert response.json["status"] == "refund_requested"
    assert floor.events("return.refund_requested")[0].data["amount"] == 9900


def test_an_exchange_return_asks_for_the_exchange_not_a_refund(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)], exchange=True)
    [lpn] = floor.receive(ret, ["TEE"])
    floor.inspected(lpn)
    assert floor.events("return.refund_requested") == []
    [exchange] = floor.events("return.exchange_requested")
    assert exchange.data["lines"][0]["quantity"] == 1
    assert get_return(floor, ret)["status"] == "exchange_requested"


def test_a_partial_receipt_is_refunded_for_what_arrived_once_the_shortage_is_accepted(floor):
    ret = two_tees(floor)
    tee, mug = floor.receive(ret, ["TEE", "MUG"])
    floor.inspected(tee)
    floor.inspected(mug)
    assert floor.events("return.refund_requested") == []  # one tee is still missing
    [short] = floor.client.get("/api/v1/exceptions?kind=short", headers=floor.supervisor).json[
        "items"
    ]
    floor.client.post(
        f"/api/v1/exceptions/{short['id']}/resolve",
        headers=floor.supervisor,
        json={"action": "accept", "note": "买家只寄回一件"},
    )
    [event] = floor.events("return.refund_requested")
    assert [(ln["quantity"], ln["amount"]) for ln in event.data["lines"]] == [(1, 9900), (1, 3500)]


def test_rejecting_an_empty_parcel_rejects_its_return(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    floor.receive(ret, [])
    empty = floor.client.get("/api/v1/exceptions?kind=empty_parcel", headers=floor.supervisor).json[
        "items"
    ][0]
    floor.client.post(
        f"/api/v1/exceptions/{empty['id']}/resolve",
        headers=floor.supervisor,
        json={"action": "reject", "note": "空包, 称重 120 g"},
    )
    [rejected] = floor.events("return.rejected")
    assert rejected.data["findings"][0]["reason"] == "empty_parcel"
    assert get_return(floor, ret)["status"] == "rejected"


def test_a_failed_refund_is_retried_by_a_supervisor(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["TEE"])
    floor.inspected(lpn)
    failed = floor.client.post(
        f"/api/v1/returns/{ret['id']}/refund-failure",
        json={"reason": "payee account closed"},
        headers=floor.store,
    )
    assert failed.json["refund"]["status"] == "failed"
    retry = floor.client.post(f"/api/v1/returns/{ret['id']}/refund-retry", headers=floor.supervisor)
    assert retry.status_code == 200
    events = floor.events("return.refund_requested")
    assert len(events) == 2
    assert events[1].data["retry"] == 1
    assert events[1].data["refund_request_id"] == events[0].data["refund_request_id"]
    assert get_return(floor, ret)["refund"]["status"] == "requested"


def test_returns_near_or_past_their_deadline_are_listed_and_flagged_once(floor, app, clock):
    from warehouse.returns import deadlines

    ret = floor.create_return([line(sku="TEE", gtin=None)])
    floor.receive(ret, ["TEE"])
    due = floor.client.get("/api/v1/returns/deadlines?within_hours=12", headers=floor.store)
    assert due.status_code == 200, due.json
    assert due.json["items"] == []
    clock.advance(hours=40)
    near = floor.client.get("/api/v1/returns/deadlines?within_hours=12", headers=floor.store)
    assert [r["id"] for r in near.json["items"]] == [ret["id"]]
    assert deadlines.sweep(app) == 0
    clock.advance(hours=9)
    assert deadlines.sweep(app) == 1
    assert deadlines.sweep(app) == 0
    [passed] = floor.events("return.deadline_passed")
    assert passed.data["return_id"] == ret["id"]
    assert get_return(floor, ret)["deadline_passed_at"] is not None


def test_one_refund_per_unit_is_enforced_by_the_database(floor, db):
    import sqlalchemy.exc

    from warehouse.refunds.models import Refund

    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["TEE"])
    floor.inspected(lpn)
    existing = db.scalars(select(RefundUnit)).one()
    twin = Refund(
        id=uuid.uuid4(),
        return_id=existing.refund.return_id,
        store_id=floor.store_id,
        kind="refund",
        mode="after_inspection",
        status="requested",
        amount=1,
        currency="CNY",
        lines=[],
        requested_at=existing.refund.requested_at,
        retries=0,
    )
    db.add(twin)
    db.add(RefundUnit(refund_id=twin.id, return_line_id=existing.return_line_id, slot=0))
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db.commit()
    db.rollback()


def test_a_store_sees_its_refund_state_but_not_another_stores(floor, make_store):
    _, other_key = make_store("Other")
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    failure = floor.client.post(
        f"/api/v1/returns/{ret['id']}/refund-failure",
        json={"reason": "x"},
        headers=bearer(other_key),
    )
    assert failure.status_code == 404


def test_a_units_page_shows_its_inspections_and_where_it_stands(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["TEE"])
    floor.inspected(lpn)
    unit = floor.client.get(f"/api/v1/units/{lpn}", headers=floor.store).json
    assert [i["grade"] for i in unit["inspections"]] == ["A"]
    assert unit["disposition"]["state"] == "inspected"
    assert unit["disposition"]["grade"] == "A"
    actions = [h["action"] for h in unit["history"]]
    assert actions[0] == "unit.received"


def test_a_return_shows_its_parcels_units_and_events_so_far(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["TEE"])
    floor.inspected(lpn)
    detail = get_return(floor, ret)
    assert [p["state"] for p in detail["parcels"]] == ["closed"]
    assert [(u["lpn"], u["status"], u["reception_status"]) for u in detail["units"]] == [
        (lpn, "inspected", "received")
    ]
    assert [e["type"] for e in detail["events"]] == [
        "return.received",
        "return.inspected",
        "return.refund_requested",
    ]
    assert [e["sequence"] for e in detail["events"]] == sorted(
        e["sequence"] for e in detail["events"]
    )


def test_a_parcel_the_queue_matches_by_hand_gets_its_express_refund_as_a_scan_would(floor):
    ret = two_tees(floor, express_refund=True)
    scan = {"scan_id": str(uuid.uuid4()), "code": "DPK009988776655"}
    floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver)
    [unmatched] = floor.client.get(
        "/api/v1/exceptions?kind=unmatched_parcel", headers=floor.supervisor
    ).json["items"]
    assert floor.events("return.refund_requested") == []
    resolved = floor.client.post(
        f"/api/v1/exceptions/{unmatched['id']}/resolve",
        headers=floor.supervisor,
        json={"action": "match", "note": "面单破损, 人工核对", "return_id": ret["id"]},
    )
    assert resolved.status_code == 200, resolved.json
    [express] = floor.events("return.refund_requested")
    assert express.data["mode"] == "express"
    assert express.data["amount"] == 9900 * 2 + 3500
