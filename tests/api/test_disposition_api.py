"""Bins, dispositions with overrides, moving units between bins, and refurbishment orders."""

from __future__ import annotations

import pytest
from factories import bearer
from inspection_fixtures import GOOD_APPAREL, Floor
from sqlalchemy import select

from scanners import codes
from warehouse.disposition.models import Bin, Disposition, Refurbishment
from warehouse.printing.services import unit_label_for
from warehouse.receiving.models import Unit


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    return floor


def inspected_unit(floor, answers=None, **unit) -> str:
    lpn = floor.unit(**unit)
    body = {}
    if answers and (answers.get("stains") or answers.get("signs_of_wear") == "worn"):
        body["photo_ids"] = [floor.photo(lpn)]
    floor.inspected(lpn, answers, **body)
    return lpn


WORN = {**GOOD_APPAREL, "signs_of_wear": "worn"}  # grade C: refurbish


def nothing_happened(floor, lpn, response=None):
    """The refusal was a problem, and the unit is where it was: no disposition, no event."""
    if response is not None:
        assert response.content_type == "application/problem+json"
    assert floor.where(lpn)["state"] == "inspected"
    assert floor.count(Disposition) == 0
    assert floor.events("unit.disposed") == []


# --- bins --------------------------------------------------------------------------------------


def test_a_supervisor_registers_a_bin_and_gets_its_full_code_for_the_label(floor):
    response = floor.client.post(
        "/api/v1/bins",
        json={"code": "a0103", "description": "A区1排3层"},
        headers=floor.supervisor,
    )
    assert response.status_code == 201
    assert response.json["code"] == codes.bin_code("A0103")
    assert response.json["name"] == "A0103"
    again = floor.client.post("/api/v1/bins", json={"code": "A0103"}, headers=floor.supervisor)
    assert again.status_code == 409


@pytest.mark.parametrize("name", ["A", "A-01", "货架1", "X" * 21])
def test_a_bin_name_that_cannot_be_a_code_is_a_422(floor, name):
    response = floor.client.post("/api/v1/bins", json={"code": name}, headers=floor.supervisor)
    assert response.status_code == 422
    assert "code" in response.json["errors"]
    assert floor.count(Bin) == 0


def test_an_inspector_may_not_register_a_bin(floor):
    response = floor.client.post("/api/v1/bins", json={"code": "A0103"}, headers=floor.inspector)
    assert response.status_code == 403
    assert floor.count(Bin) == 0


def test_a_bin_is_found_by_its_scanned_code_and_a_misread_one_is_refused(floor):
    code = floor.bin("A0103")
    found = floor.client.get(f"/api/v1/bins/]C1{code.lower()}", headers=floor.inspector)
    assert found.status_code == 200
    assert (found.json["code"], found.json["unit_count"], found.json["units"]) == (code, 0, [])
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    misread = floor.client.get(f"/api/v1/bins/{wrong}", headers=floor.inspector)
    assert misread.status_code == 422
    assert misread.content_type == "application/problem+json"
    unknown = floor.client.get(f"/api/v1/bins/{codes.bin_code('Z9999')}", headers=floor.inspector)
    assert unknown.status_code == 404


def test_bins_are_listed_by_code_with_what_they_hold(floor):
    first, second = floor.bin("B0101"), floor.bin("A0101")
    lpn = inspected_unit(floor)
    floor.dispose(lpn, "restock", bin=first)
    page = floor.client.get("/api/v1/bins?limit=1", headers=floor.inspector).json
    assert [(b["code"], b["unit_count"]) for b in page["items"]] == [(second, 0)]
    rest = floor.client.get(
        f"/api/v1/bins?limit=1&cursor={page['next_cursor']}", headers=floor.inspector
    ).json
    assert [(b["code"], b["unit_count"]) for b in rest["items"]] == [(first, 1)]


# --- the recommended route ---------------------------------------------------------------------


def test_the_recommended_restock_is_one_scan_of_the_bin(floor):
    code = floor.bin()
    lpn = inspected_unit(floor)
    response = floor.dispose(lpn, "restock", bin="]C1" + code.lower())
    assert response.status_code == 201
    body = response.json
    assert (body["state"], body["bin"], body["grade"]) == ("restocked", code, "A")
    assert body["disposition"]["override"] is False
    held = floor.client.get(f"/api/v1/bins/{code}", headers=floor.inspector).json
    assert [u["lpn"] for u in held["units"]] == [lpn]
    [event] = floor.events("unit.disposed")
    assert (event.data["lpn"], event.data["decision"], event.data["grade"]) == (lpn, "restock", "A")
    assert event.data["override"] is False
    assert event.data["condition"] == "like_new"


def test_a_restocked_unit_reads_restocked_in_every_view_of_it(floor):
    code = floor.bin()
    lpn = inspected_unit(floor)
    assert floor.dispose(lpn, "restock", bin=code).status_code == 201
    unit = floor.client.get(f"/api/v1/units/{lpn}", headers=floor.inspector).json
    assert (unit["status"], unit["reception_status"]) == ("restocked", "received")
    assert unit["disposition"]["state"] == "restocked"
    assert unit["disposition"]["disposition"]["decision"] == "restock"
    ret = floor.client.get(f"/api/v1/returns/{unit['return_id']}", headers=floor.store).json
    assert [(u["lpn"], u["status"], u["reception_status"]) for u in ret["units"]] == [
        (lpn, "restocked", "received")
    ]


def test_a_unit_reads_received_until_inspected_and_inspected_until_disposed(floor):
    lpn = floor.unit()

    def status():
        return floor.client.get(f"/api/v1/units/{lpn}", headers=floor.inspector).json

    assert status()["status"] == "received"
    floor.inspected(lpn)
    assert status()["status"] == "inspected"
    floor.dispose(lpn, "refurbish", headers=floor.supervisor, reason="屏幕划痕, 先翻新")
    assert status()["status"] == "refurbishing"


def test_restocking_without_a_bin_is_a_422_and_nothing_happens(floor):
    lpn = inspected_unit(floor)
    response = floor.dispose(lpn, "restock")
    assert response.status_code == 422
    assert "bin" in response.json["errors"]
    nothing_happened(floor, lpn, response)


def test_an_unregistered_bin_or_one_with_a_wrong_check_character_is_a_422(floor):
    code = floor.bin()
    lpn = inspected_unit(floor)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    for scanned in (wrong, codes.bin_code("Z9999"), "SF1234567890123"):
        response = floor.dispose(lpn, "restock", bin=scanned)
        assert response.status_code == 422, scanned
        assert response.content_type == "application/problem+json"
        assert "bin" in response.json["errors"]
    nothing_happened(floor, lpn)


def test_disposing_an_uninspected_unit_is_a_409_naming_its_state(floor):
    lpn = floor.unit()
    response = floor.dispose(lpn, "scrap", reason="hygiene", headers=floor.supervisor)
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.json["unit_state"] == "received"
    assert "inspect it first" in response.json["detail"]
    assert floor.count(Disposition) == 0


def test_disposing_a_unit_twice_is_a_409(floor):
    code = floor.bin()
    lpn = inspected_unit(floor)
    floor.dispose(lpn, "restock", bin=code)
    again = floor.dispose(lpn, "scrap", reason="hygiene", headers=floor.supervisor)
    assert again.status_code == 409
    assert "restocked already" in again.json["detail"]
    assert len(floor.events("unit.disposed")) == 1


def test_a_unit_flagged_for_rejection_goes_back_to_the_buyer(floor):
    from factories import line

    ret = floor.create_return(
        [line(sku="EARBUDS", gtin="06901234567892", category="apparel", serial_numbers=["SN1"])]
    )
    [lpn] = floor.receive(ret, ["]C1010690123456789221SNOTHER"])
    floor.inspected(lpn)
    response = floor.dispose(lpn, "return_to_buyer")
    assert response.status_code == 201
    assert response.json["state"] == "returned_to_buyer"


# --- overrides ---------------------------------------------------------------------------------


def test_another_route_than_the_recommended_one_needs_a_supervisor(floor):
    lpn = inspected_unit(floor)
    response = floor.dispose(lpn, "refurbish", reason="seam looks loose")
    assert response.status_code == 403
    assert "recommended route is restock" in response.json["detail"]
    nothing_happened(floor, lpn, response)


def test_a_supervisors_override_needs_a_reason(floor):
    lpn = inspected_unit(floor)
    response = floor.dispose(lpn, "refurbish", headers=floor.supervisor)
    assert response.status_code == 422
    assert "reason" in response.json["errors"]
    nothing_happened(floor, lpn, response)


def test_a_supervisors_override_with_a_reason_is_audited_and_told(floor):
    lpn = inspected_unit(floor)
    response = floor.dispose(lpn, "liquidate", reason="end of season lot", headers=floor.supervisor)
    assert response.status_code == 201
    assert response.json["state"] == "liquidated"
    assert response.json["disposition"]["override"] is True
    assert response.json["disposition"]["recommended"] == "restock"
    history = floor.client.get(f"/api/v1/units/{lpn}", headers=floor.supervisor).json["history"]
    disposed = next(h for h in history if h["action"] == "unit.disposed")
    assert disposed["after"]["override"] is True
    assert disposed["after"]["reason"] == "end of season lot"
    [event] = floor.events("unit.disposed")
    assert (event.data["override"], event.data["reason"]) == (True, "end of season lot")


def test_scrapping_needs_a_reason_from_the_list(floor):
    lpn = inspected_unit(floor)
    response = floor.dispose(lpn, "scrap", reason="ugly", headers=floor.supervisor)
    assert response.status_code == 422
    assert "damaged_beyond_repair" in response.json["errors"]["reason"][0]
    nothing_happened(floor, lpn, response)
    scrapped = floor.dispose(lpn, "scrap", reason="missing_parts", headers=floor.supervisor)
    assert scrapped.status_code == 201
    assert scrapped.json["state"] == "scrapped"


def test_an_opened_cosmetic_never_goes_back_to_stock_even_for_a_supervisor(floor):
    floor.checklist(
        "cosmetics",
        items=[
            {
                "key": "seal_intact",
                "label": {"zh-CN": "封口完好", "en": "Seal intact"},
                "type": "yes_no",
                "fail_when": False,
                "no_resale": True,
                "liability": "buyer",
            }
        ],
    )
    lpn = floor.unit(category="cosmetics")
    assert floor.inspected(lpn, {"seal_intact": False})["recommended_disposition"] == "scrap"
    code = floor.bin()
    for decision in ("restock", "refurbish", "liquidate"):
        body = {"bin": code} if decision == "restock" else {}
        response = floor.dispose(
            lpn, decision, headers=floor.supervisor, reason="looks fine", **body
        )
        assert response.status_code == 409, decision
        assert "never be resold" in response.json["detail"]
    nothing_happened(floor, lpn)
    assert floor.dispose(lpn, "scrap", reason="hygiene").status_code == 201


# --- moving between bins -----------------------------------------------------------------------


def test_a_restocked_unit_moves_to_another_bin(floor):
    first, second = floor.bin("A0101"), floor.bin("A0102")
    lpn = inspected_unit(floor)
    floor.dispose(lpn, "restock", bin=first)
    moved = floor.client.post(
        f"/api/v1/units/{lpn}/move", json={"bin": second}, headers=floor.inspector
    )
    assert moved.status_code == 200
    assert moved.json["bin"] == second
    contents = {
        b["code"]: b["unit_count"]
        for b in floor.client.get("/api/v1/bins", headers=floor.inspector).json["items"]
    }
    assert contents == {first: 0, second: 1}
    history = floor.client.get(f"/api/v1/units/{lpn}", headers=floor.inspector).json["history"]
    assert history[-1]["action"] == "unit.moved"


def test_only_a_restocked_unit_can_be_moved(floor):
    code = floor.bin()
    lpn = inspected_unit(floor)
    response = floor.client.post(
        f"/api/v1/units/{lpn}/move", json={"bin": code}, headers=floor.inspector
    )
    assert response.status_code == 409
    assert response.json["unit_state"] == "inspected"


# --- refurbishment -----------------------------------------------------------------------------


def queue(floor, status="open"):
    return floor.client.get(f"/api/v1/refurbishments?status={status}", headers=floor.inspector).json


def test_a_refurbishment_round_trip_ends_in_stock_as_open_box(floor):
    code = floor.bin()
    lpn = inspected_unit(floor, WORN)
    opened = floor.dispose(lpn, "refurbish")
    assert opened.status_code == 201
    order = opened.json["refurbishment"]
    assert (opened.json["state"], order["status"]) == ("refurbishing", "open")
    assert [o["lpn"] for o in queue(floor)["items"]] == [lpn]

    noted = floor.client.post(
        f"/api/v1/refurbishments/{order['id']}/notes",
        json={"text": "清洗, 熨烫"},
        headers=floor.inspector,
    )
    assert noted.status_code == 201
    assert [n["text"] for n in noted.json["notes"]] == ["清洗, 熨烫"]

    done = floor.client.post(
        f"/api/v1/units/{lpn}/refurbish/complete",
        json={"outcome": "restock", "notes": "可作开箱品", "bin": code},
        headers=floor.inspector,
    )
    assert done.status_code == 200
    assert (done.json["status"], done.json["unit_state"], done.json["grade"]) == (
        "done",
        "restocked",
        "B",
    )
    order = floor.client.get(f"/api/v1/refurbishments/{order['id']}", headers=floor.inspector)
    assert (order.json["outcome"], order.json["bin"]) == ("restock", code)
    assert [n["text"] for n in done.json["notes"]] == ["清洗, 熨烫", "可作开箱品"]
    assert queue(floor)["items"] == []
    assert [o["lpn"] for o in queue(floor, "done")["items"]] == [lpn]
    where = floor.where(lpn)
    assert (where["state"], where["grade"], where["condition"], where["bin"]) == (
        "restocked",
        "B",
        "open_box",
        code,
    )
    events = floor.events("unit.disposed")
    assert [(e.data["decision"], e.data["via"], e.data["grade"]) for e in events] == [
        ("refurbish", "inspection", "C"),
        ("restock", "refurbishment", "B"),
    ]


def test_a_refurbished_unit_is_disposed_of_finally_once(floor):
    code = floor.bin()
    lpn = inspected_unit(floor, WORN)
    floor.dispose(lpn, "refurbish")
    floor.client.post(
        f"/api/v1/units/{lpn}/refurbish/complete",
        json={"outcome": "restock", "bin": code},
        headers=floor.inspector,
    )
    restocked = inspected_unit(floor)
    floor.dispose(restocked, "restock", bin=code)
    events = floor.events("unit.disposed")
    assert [(e.data["lpn"], e.data["state"], e.data["final"]) for e in events] == [
        (lpn, "refurbishing", False),
        (lpn, "restocked", True),
        (restocked, "restocked", True),
    ]
    finally_disposed = [e.data["lpn"] for e in events if e.data["final"]]
    assert sorted(finally_disposed) == sorted({lpn, restocked})


def test_a_failed_refurbishment_is_scrapped_and_closes_its_order(floor):
    lpn = inspected_unit(floor, WORN)
    floor.dispose(lpn, "refurbish")
    done = floor.client.post(
        f"/api/v1/units/{lpn}/refurbish/complete",
        json={"outcome": "scrap", "notes": "面料破损"},
        headers=floor.inspector,
    )
    assert done.status_code == 200
    assert (done.json["unit_state"], done.json["scrap_reason"]) == (
        "scrapped",
        "refurbishment_failed",
    )
    order_id = done.json["id"]
    late_note = floor.client.post(
        f"/api/v1/refurbishments/{order_id}/notes", json={"text": "?"}, headers=floor.inspector
    )
    assert late_note.status_code == 409
    again = floor.client.post(
        f"/api/v1/units/{lpn}/refurbish/complete",
        json={"outcome": "scrap"},
        headers=floor.inspector,
    )
    assert again.status_code == 409


def test_completing_a_refurbishment_needs_the_unit_in_one_and_a_bin_to_restock_into(floor):
    code = floor.bin()
    lpn = inspected_unit(floor, WORN)
    not_yet = floor.client.post(
        f"/api/v1/units/{lpn}/refurbish/complete",
        json={"outcome": "restock", "bin": code},
        headers=floor.inspector,
    )
    assert not_yet.status_code == 409
    assert not_yet.json["unit_state"] == "inspected"
    floor.dispose(lpn, "refurbish")
    no_bin = floor.client.post(
        f"/api/v1/units/{lpn}/refurbish/complete",
        json={"outcome": "restock"},
        headers=floor.inspector,
    )
    assert no_bin.status_code == 422
    assert floor.where(lpn)["state"] == "refurbishing"
    assert floor.count(Refurbishment) == 1


# --- who sees what -----------------------------------------------------------------------------


def test_a_store_sees_where_its_unit_went_and_another_store_does_not(floor, make_store):
    code = floor.bin()
    lpn = inspected_unit(floor)
    floor.dispose(lpn, "restock", bin=code)
    assert floor.where(lpn, headers=floor.store)["state"] == "restocked"
    _, other_key = make_store("店铺乙")
    other = floor.client.get(f"/api/v1/units/{lpn}/disposition", headers=bearer(other_key))
    assert other.status_code == 404


def test_stores_may_not_touch_bins_or_the_refurbishment_queue(floor):
    assert floor.client.get("/api/v1/bins", headers=floor.store).status_code == 403
    assert floor.client.get("/api/v1/refurbishments", headers=floor.store).status_code == 403


def test_a_units_label_carries_its_grade_and_route_once_inspected(floor):
    def printed(lpn):
        session = floor.app.extensions["warehouse.sessions"]()
        try:
            unit = session.scalar(select(Unit).where(Unit.lpn == lpn))
            label = unit_label_for(session, unit)
            return label.grade, label.route
        finally:
            session.close()

    lpn = floor.unit()
    assert printed(lpn) == (None, None)
    floor.inspected(lpn)
    assert printed(lpn) == ("A", "restock")
    worn = inspected_unit(floor, WORN)
    floor.dispose(worn, "scrap", headers=floor.supervisor, reason="damaged_beyond_repair")
    assert printed(worn) == ("C", "scrap")
    zpl = floor.client.get(f"/api/v1/labels/units/{lpn}.zpl", headers=floor.inspector)
    assert zpl.data.count(b"^FO") > floor.client.get(
        f"/api/v1/labels/units/{floor.unit()}.zpl", headers=floor.inspector
    ).data.count(b"^FO")
