"""Inspecting units at the QC bench: answers checked, grades and deductions, re-inspection,
and the store told `return.inspected` once every unit of its return is inspected."""

from __future__ import annotations

import threading
import uuid

import pytest
from factories import bearer, line
from inspection_fixtures import GOOD_APPAREL, Floor

from warehouse.inspection.models import Inspection, UnitStatus


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    return floor


def stained(floor, lpn) -> dict:
    """Answers with a buyer-caused stain, and the photo that evidences it."""
    return {"answers": {**GOOD_APPAREL, "stains": True}, "photo_ids": [floor.photo(lpn)]}


def test_a_unit_with_nothing_wrong_is_grade_a_and_goes_back_to_stock(floor):
    lpn = floor.unit()
    response = floor.inspect(lpn)
    assert response.status_code == 201
    body = response.json
    assert body["grade"] == "A"
    assert body["condition"] == "like_new"
    assert body["buyer_fault"] is False
    assert body["liability"] == "none"
    assert body["recommended_disposition"] == "restock"
    assert body["deduction"] == {
        "amount": 0,
        "currency": "CNY",
        "percent": 0,
        "reason": "No deduction: no damage caused by the buyer.",
    }
    assert body["reject"] is False
    assert body["unit_state"] == "inspected"
    assert floor.where(lpn)["state"] == "inspected"


def test_empty_notes_on_an_inspection_mean_no_notes(floor):
    lpn = floor.unit()
    response = floor.inspect(lpn, notes="")
    assert response.status_code == 201, response.json
    assert response.json["notes"] is None
    assert floor.where(lpn)["state"] == "inspected"


def test_missing_wrong_and_out_of_range_answers_are_each_named_and_nothing_is_written(floor):
    lpn = floor.unit()
    response = floor.inspect(
        lpn, {"tags_attached": "yes", "signs_of_wear": "shredded", "chest_cm": 9, "size": "M"}
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert set(response.json["errors"]) == {
        "answers.tags_attached",
        "answers.signs_of_wear",
        "answers.chest_cm",
        "answers.size",
        "answers.stains",
        "answers.packaging_intact",
    }
    assert floor.count(Inspection) == 0
    assert floor.where(lpn)["state"] == "received"


def test_answers_that_are_not_an_object_are_a_422(floor):
    lpn = floor.unit()
    response = floor.client.post(
        f"/api/v1/units/{lpn}/inspection", json={"answers": [1, 2]}, headers=floor.inspector
    )
    assert response.status_code == 422
    assert "answers" in response.json["errors"]


def test_a_receiver_may_not_inspect(floor):
    lpn = floor.unit()
    assert floor.inspect(lpn, headers=floor.receiver).status_code == 403
    assert floor.count(Inspection) == 0


def test_an_unknown_lpn_is_not_found(floor):
    assert floor.inspect("LPNB2SYBVAT6E").status_code == 404


# --- deductions and liability -----------------------------------------------------------------


def test_buyer_damage_on_a_7_day_return_is_deducted_in_the_returns_currency(floor):
    lpn = floor.unit(reason="no_reason_7d", unit_price=12900, currency="HKD")
    body = floor.inspected(lpn, **stained(floor, lpn))
    assert body["grade"] == "C"
    assert body["buyer_fault"] is True
    assert body["liability"] == "buyer"
    assert body["recommended_disposition"] == "refurbish"
    assert body["deduction"]["amount"] == 3870
    assert body["deduction"]["currency"] == "HKD"
    assert "stains" in body["deduction"]["reason"]
    assert [f["key"] for f in body["findings"]] == ["stains"]


def test_a_deduction_without_a_photo_as_evidence_is_refused(floor):
    lpn = floor.unit()
    response = floor.inspect(lpn, {**GOOD_APPAREL, "stains": True})
    assert response.status_code == 422
    assert "photo_ids" in response.json["errors"]
    assert floor.count(Inspection) == 0


@pytest.mark.parametrize(
    "reason", ["quality_issue", "not_as_described", "wrong_item_sent", "damaged_in_transit"]
)
def test_a_return_for_the_stores_or_carriers_fault_is_never_deducted(floor, reason):
    lpn = floor.unit(reason=reason)
    body = floor.inspected(lpn, **stained(floor, lpn))
    assert body["deduction"]["amount"] == 0
    assert body["grade"] == "C"


def test_a_unit_that_arrived_damaged_in_transit_is_the_carriers(floor):
    lpn = floor.unit(damaged=True)
    body = floor.inspected(lpn, **stained(floor, lpn))
    assert (body["liability"], body["buyer_fault"]) == ("carrier", False)
    assert body["deduction"]["amount"] == 0


def test_the_stores_policy_caps_deductions(floor, store, make_store, staff_token):
    store_id, _ = store
    policy = f"/api/v1/stores/{store_id}/deduction-policy"
    assert floor.client.get(policy, headers=floor.store).json["max_percent"] == 100
    changed = floor.client.put(policy, json={"max_percent": 10}, headers=floor.store)
    assert changed.status_code == 200
    lpn = floor.unit(unit_price=9900)
    assert floor.inspected(lpn, **stained(floor, lpn))["deduction"]["amount"] == 990


def test_only_the_store_itself_or_an_admin_sets_its_policy(floor, store, make_store, staff_token):
    store_id, _ = store
    policy = f"/api/v1/stores/{store_id}/deduction-policy"
    _, other_key = make_store("店铺乙")
    assert floor.client.get(policy, headers=bearer(other_key)).status_code == 404
    assert (
        floor.client.put(policy, json={"max_percent": 0}, headers=bearer(other_key)).status_code
        == 404
    )
    assert (
        floor.client.put(policy, json={"max_percent": 0}, headers=floor.supervisor).status_code
        == 403
    )
    admin = bearer(staff_token("admin"))
    assert floor.client.put(policy, json={"max_percent": 0}, headers=admin).status_code == 200
    assert floor.client.put(policy, json={"max_percent": 101}, headers=admin).status_code == 422


# --- rejection --------------------------------------------------------------------------------


def test_a_serial_number_swap_is_flagged_for_rejection(floor):
    ret = floor.create_return(
        [
            line(
                sku="EARBUDS",
                gtin="06901234567892",
                category="apparel",
                serial_numbers=["SN8842A1X"],
            )
        ]
    )
    [lpn] = floor.receive(ret, ["]C1010690123456789221SNFAKE0001"])
    body = floor.inspected(lpn, **stained(floor, lpn))
    assert (body["reject"], body["reject_reason"]) == (True, "serial_mismatch")
    assert body["recommended_disposition"] == "return_to_buyer"
    assert body["deduction"]["amount"] == 0


def test_not_the_item_at_all_is_inspected_on_the_default_checklist_and_flagged(floor):
    floor.checklist(
        "default", items=[{"key": "notes", "label": "Notes", "type": "text", "required": False}]
    )
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["4006381333931"], close=False)
    body = floor.inspected(lpn, {})
    assert body["checklist"]["category"] == "default"
    assert (body["reject"], body["reject_reason"]) == (True, "wrong_item")


def test_a_category_without_a_checklist_falls_back_to_the_default_one(floor):
    floor.checklist("default", items=[{"key": "ok", "label": "OK", "type": "yes_no"}])
    lpn = floor.unit(category="toys")
    assert floor.inspected(lpn, {"ok": True})["checklist"]["category"] == "default"


def test_with_no_checklist_for_the_category_and_no_default_the_inspection_waits(floor):
    lpn = floor.unit(category="toys")
    response = floor.inspect(lpn, {})
    assert response.status_code == 409
    assert "POST /checklists" in response.json["detail"]


def test_an_unknown_checklist_or_another_units_photo_is_a_422(floor):
    lpn, other = floor.unit(), floor.unit()
    unknown = floor.inspect(lpn, checklist_id=str(uuid.uuid4()))
    assert unknown.status_code == 422
    assert "checklist_id" in unknown.json["errors"]
    foreign = floor.photo(other)
    response = floor.inspect(lpn, {**GOOD_APPAREL, "photo_front": [foreign]}, photo_ids=[foreign])
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"answers.photo_front", "photo_ids"}


# --- re-inspection ----------------------------------------------------------------------------


def test_only_a_supervisor_re_inspects_and_the_first_inspection_is_kept(floor):
    lpn = floor.unit()
    first = floor.inspected(lpn)
    refused = floor.inspect(lpn)
    assert refused.status_code == 409
    assert "inspected already" in refused.json["detail"]
    assert refused.json["unit_state"] == "inspected"
    again = floor.inspect(
        lpn, {**GOOD_APPAREL, "packaging_intact": False}, headers=floor.supervisor
    )
    assert again.status_code == 201
    assert (again.json["sequence"], again.json["grade"]) == (2, "B")
    history = floor.client.get(f"/api/v1/units/{lpn}/inspections", headers=floor.inspector).json
    assert [(i["id"], i["grade"], i["current"]) for i in history["items"]] == [
        (first["id"], "A", False),
        (again.json["id"], "B", True),
    ]
    assert floor.where(lpn)["grade"] == "B"
    actions = [
        h["action"]
        for h in floor.client.get(f"/api/v1/units/{lpn}", headers=floor.inspector).json["history"]
    ]
    assert actions == ["unit.received", "unit.inspected", "unit.reinspected"]


def test_a_disposed_unit_can_no_longer_be_inspected(floor):
    lpn = floor.unit()
    floor.inspected(lpn)
    floor.dispose(lpn, "restock", bin=floor.bin())
    response = floor.inspect(lpn, headers=floor.supervisor)
    assert response.status_code == 409
    assert response.json["unit_state"] == "restocked"
    assert "restocked" in response.json["detail"]


# --- the return and its store -----------------------------------------------------------------


def two_unit_return(floor):
    ret = floor.create_return([line(sku="TEE-A", gtin=None), line(sku="TEE-B", gtin=None)])
    return ret, floor.receive(ret, ["TEE-A", "TEE-B"])


def test_the_return_is_inspected_and_the_store_told_when_its_last_unit_is(floor):
    ret, (first, second) = two_unit_return(floor)
    floor.inspected(first)
    status = floor.client.get(f"/api/v1/returns/{ret['id']}", headers=floor.store).json["status"]
    assert status == "received"
    assert floor.events("return.inspected") == []

    floor.inspected(second, **stained(floor, second))
    after = floor.client.get(f"/api/v1/returns/{ret['id']}", headers=floor.store).json
    # Inspected, and in the same transaction decided: the refund is requested.
    assert after["status"] == "refund_requested"
    [event] = floor.events("return.inspected")
    assert event.data["return_id"] == ret["id"]
    assert event.data["external_id"] == ret["external_id"]
    assert event.data["status"] == "inspected"
    units = {u["lpn"]: u for u in event.data["units"]}
    assert (units[first]["grade"], units[second]["grade"]) == ("A", "C")
    assert units[second]["liability"] == "buyer"
    assert units[second]["findings"][0]["key"] == "stains"
    assert units[second]["photos"][0]["url"].startswith("/api/v1/photos/")
    assert event.data["deduction_total"] == 2970


def test_a_supervisors_re_inspection_tells_the_store_the_corrected_grades(floor):
    _, (first, second) = two_unit_return(floor)
    floor.inspected(first)
    floor.inspected(second)
    floor.inspect(second, {**GOOD_APPAREL, "packaging_intact": False}, headers=floor.supervisor)
    events = floor.events("return.inspected")
    assert [{u["lpn"]: u["grade"] for u in e.data["units"]}[second] for e in events] == ["A", "B"]
    assert [e.data["correction"] for e in events] == [False, True]


def test_a_partly_received_return_waits_for_its_missing_units(floor):
    ret = floor.create_return([line(sku="TEE-A", gtin=None, quantity=2)])
    [lpn] = floor.receive(ret, ["TEE-A"])
    floor.inspected(lpn)
    status = floor.client.get(f"/api/v1/returns/{ret['id']}", headers=floor.store).json["status"]
    assert status == "partially_received"
    assert floor.events("return.inspected") == []


def test_two_inspectors_finishing_a_return_at_once_tell_the_store_once(floor, app):
    _, lpns = two_unit_return(floor)
    answers: list[int] = []

    def inspect(lpn):
        with app.test_client() as client:
            response = client.post(
                f"/api/v1/units/{lpn}/inspection",
                json={"answers": GOOD_APPAREL},
                headers=floor.inspector,
            )
            answers.append(response.status_code)

    threads = [threading.Thread(target=inspect, args=(lpn,)) for lpn in lpns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [201, 201]
    assert len(floor.events("return.inspected")) == 1
    assert floor.count(UnitStatus) == 2


# --- tenancy ----------------------------------------------------------------------------------


def test_a_store_reads_its_own_inspections_and_never_another_stores(floor, make_store):
    lpn = floor.unit()
    inspection = floor.inspected(lpn)
    mine = floor.client.get(f"/api/v1/inspections/{inspection['id']}", headers=floor.store)
    assert mine.status_code == 200
    assert (
        floor.client.get(f"/api/v1/units/{lpn}/inspections", headers=floor.store).status_code == 200
    )
    _, other_key = make_store("店铺乙")
    other = bearer(other_key)
    assert (
        floor.client.get(f"/api/v1/inspections/{inspection['id']}", headers=other).status_code
        == 404
    )
    assert floor.client.get(f"/api/v1/units/{lpn}/inspections", headers=other).status_code == 404
    assert floor.client.get(f"/api/v1/units/{lpn}/disposition", headers=other).status_code == 404
