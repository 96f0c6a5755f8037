"""The exception queue's rules (`queue.rules.QUEUE_ACTIONS`): each kind of exception has
its own actions, anything else is refused and changes nothing, and no resolution leaves a
return without a way forward."""

from __future__ import annotations

import uuid

import pytest
from factories import line
from inspection_fixtures import Floor


@pytest.fixture
def floor(app, client, store, staff_token):
    return Floor(app, client, store, staff_token)


def queue(floor, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in {"status": "open", **filters}.items())
    return floor.client.get(f"/api/v1/exceptions?{query}", headers=floor.supervisor).json["items"]


def resolve(floor, exception, action, note="已核实", **body):
    return floor.client.post(
        f"/api/v1/exceptions/{exception['id']}/resolve",
        headers=floor.supervisor,
        json={"action": action, "note": note, **body},
    )


def seen_by_store(floor, ret) -> dict:
    return floor.client.get(f"/api/v1/returns/{ret['id']}", headers=floor.store).json


def test_a_shortage_cannot_be_matched_to_an_unrelated_return_and_nothing_changes(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None, quantity=2)])
    floor.receive(ret, ["TEE"])
    unrelated = floor.create_return([line(sku="MUG", gtin=None)])
    [short] = queue(floor, kind="short")
    response = resolve(floor, short, "match", return_id=unrelated["id"])
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.json["actions"] == ["accept", "reject"]
    assert queue(floor, kind="short")[0]["status"] == "open"
    [parcel] = seen_by_store(floor, ret)["parcels"]
    in_parcel = floor.client.get(f"/api/v1/parcels/{parcel['id']}", headers=floor.supervisor)
    assert [r["id"] for r in in_parcel.json["parcel"]["returns"]] == [ret["id"]]
    assert seen_by_store(floor, unrelated)["parcels"] == []
    assert seen_by_store(floor, ret)["status"] == "partially_received"


def test_each_open_exception_offers_only_its_own_actions(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None, quantity=2)])
    floor.receive(ret, ["TEE", "4006381333931"])
    unknown = {"scan_id": str(uuid.uuid4()), "code": "JT0001234567890"}
    floor.client.post("/api/v1/parcels/scan", json=unknown, headers=floor.receiver)
    offered = {e["kind"]: e["actions"] for e in queue(floor)}
    assert offered == {
        "wrong_item": ["accept"],
        "short": ["accept", "reject"],
        "unmatched_parcel": ["match", "return_to_buyer"],
    }


def test_rejecting_a_shortage_rejects_the_return_and_tells_the_store(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None, quantity=2)])
    floor.receive(ret, ["TEE"])
    [short] = queue(floor, kind="short")
    assert resolve(floor, short, "reject", note="买家拒绝补寄").status_code == 200
    [rejected] = floor.events("return.rejected")
    assert rejected.data["findings"][0]["reason"] == "short"
    assert seen_by_store(floor, ret)["status"] == "rejected"
    assert queue(floor) == []


def test_an_empty_parcel_sent_back_to_the_buyer_rejects_its_return_once_and_ends_there(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    floor.receive(ret, [])
    [empty] = queue(floor)
    assert (empty["kind"], empty["actions"]) == ("empty_parcel", ["reject", "return_to_buyer"])
    assert floor.events("return.received") == []
    assert resolve(floor, empty, "return_to_buyer", note="空包, 原件退回").status_code == 200
    [rejected] = floor.events("return.rejected")
    assert rejected.data["findings"][0]["reason"] == "empty_parcel"
    assert rejected.data["findings"][0]["action"] == "return_to_buyer"
    assert seen_by_store(floor, ret)["status"] == "rejected"
    assert queue(floor) == []
    assert floor.events("return.refund_requested") == []
    again = resolve(floor, empty, "reject")
    assert again.status_code == 409
    assert len(floor.events("return.rejected")) == 1


def test_rejecting_a_return_settles_its_other_open_exceptions_so_none_is_resolved_after(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None, quantity=2)])
    floor.receive(ret, ["TEE"])  # by the slip: one tee, one short
    floor.client.put(
        f"/api/v1/returns/{ret['id']}/tracking",
        headers=floor.store,
        json={"carrier": "SF", "tracking_number": "SF1234567890123"},
    )
    second = floor.client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "SF1234567890123"},
        headers=floor.receiver,
    ).json["parcel"]
    floor.client.post(f"/api/v1/parcels/{second['id']}/close", headers=floor.receiver)
    by_kind = {e["kind"]: e for e in queue(floor)}
    assert set(by_kind) == {"short", "empty_parcel"}
    assert resolve(floor, by_kind["empty_parcel"], "reject").status_code == 200
    assert queue(floor) == []
    late = resolve(floor, by_kind["short"], "accept")
    assert late.status_code == 409
    assert seen_by_store(floor, ret)["status"] == "rejected"
    assert len(floor.events("return.rejected")) == 1


def test_the_shortage_of_a_return_of_which_nothing_arrived_is_rejected_not_accepted(floor):
    buyer = {"id": "buyer-two-returns", "name": "王*", "phone": "139****0000"}
    tee = floor.create_return(
        [line(sku="TEE", gtin=None)], buyer=buyer, tracking_number="SF1234567890123"
    )
    mug = floor.create_return(
        [line(sku="MUG", gtin=None)], buyer=buyer, tracking_number="SF1234567890123"
    )
    parcel = floor.client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "SF1234567890123"},
        headers=floor.receiver,
    ).json["parcel"]
    floor.client.post(
        f"/api/v1/parcels/{parcel['id']}/items/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "TEE"},
        headers=floor.receiver,
    )
    floor.client.post(f"/api/v1/parcels/{parcel['id']}/close", headers=floor.receiver)
    [short] = queue(floor, kind="short")
    assert short["return_id"] == mug["id"]
    refused = resolve(floor, short, "accept")
    assert refused.status_code == 409
    assert refused.json["detail"] == "Nothing of the return arrived: reject it instead."
    assert seen_by_store(floor, mug)["status"] == "partially_received"
    assert resolve(floor, short, "reject").status_code == 200
    assert seen_by_store(floor, mug)["status"] == "rejected"
    assert seen_by_store(floor, tee)["status"] == "received"


def test_items_arriving_for_a_rejected_return_leave_no_shortage_that_nothing_could_resolve(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None, quantity=2)])
    floor.receive(ret, [])
    [empty] = queue(floor)
    resolve(floor, empty, "reject", note="空包")
    floor.client.put(
        f"/api/v1/returns/{ret['id']}/tracking",
        headers=floor.store,
        json={"carrier": "SF", "tracking_number": "SF1234567890123"},
    )
    late = floor.client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "SF1234567890123"},
        headers=floor.receiver,
    ).json["parcel"]
    floor.client.post(
        f"/api/v1/parcels/{late['id']}/items/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "TEE"},
        headers=floor.receiver,
    )
    closed = floor.client.post(f"/api/v1/parcels/{late['id']}/close", headers=floor.receiver)
    assert closed.json["exceptions"] == []
    assert queue(floor) == []
    assert seen_by_store(floor, ret)["status"] == "rejected"
