"""Two people doing the same thing to one object at once: the loser's answer is the same 409
on SQLite and PostgreSQL (a conflict with the winner's state), and the work is done once."""

from __future__ import annotations

import threading
import uuid

import pytest
from factories import bearer, line
from inspection_fixtures import GOOD_APPAREL, Floor
from sqlalchemy import func, select

from warehouse.disposition.models import Disposition
from warehouse.events.models import Event
from warehouse.inspection.models import Inspection


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    return floor


def race(app, requests):
    """Sends every (url, body, headers) at once, each from its own thread and test client."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def send(i, url, body, headers):
        client = app.test_client()
        barrier.wait()
        answers[i] = client.post(url, json=body, headers=headers)

    threads = [
        threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def statuses(answers) -> list[int]:
    """The answers' statuses; the loser's problem must be the winner's state, not the
    generic "retry it" of a constraint the database enforced."""
    for answer in answers:
        if answer.status_code == 409:
            assert "concurrent change" not in answer.json["detail"], answer.json
    return sorted(a.status_code for a in answers)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_two_inspectors_inspecting_one_unit_at_once_make_one_inspection_and_one_conflict(
    floor, app, staff_token, db
):
    lpn = floor.unit()
    other = bearer(staff_token("inspector"))
    url = f"/api/v1/units/{lpn}/inspection"
    body = {"answers": GOOD_APPAREL}
    answers = race(app, [(url, body, floor.inspector), (url, body, other)])
    assert statuses(answers) == [201, 409], [a.json for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json["unit_state"] == "inspected"
    assert count(db, Inspection) == 1


def test_two_terminals_disposing_one_unit_at_once_dispose_it_once(floor, app, staff_token, db):
    lpn = floor.unit()
    floor.inspected(lpn)
    code = floor.bin()
    other = bearer(staff_token("inspector"))
    url = f"/api/v1/units/{lpn}/disposition"
    body = {"decision": "restock", "bin": code}
    answers = race(app, [(url, body, floor.inspector), (url, body, other)])
    assert statuses(answers) == [201, 409], [a.json for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json["unit_state"] == "restocked"
    assert count(db, Disposition) == 1


def test_closing_one_parcel_twice_at_once_closes_it_once(floor, app, staff_token, db):
    ret = floor.create_return([line(sku="TEE", gtin=None, quantity=2)])
    scan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
    parcel = floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver)
    parcel_id = parcel.json["parcel"]["id"]
    other = bearer(staff_token("receiver"))
    url = f"/api/v1/parcels/{parcel_id}/close"
    answers = race(app, [(url, None, floor.receiver), (url, None, other)])
    assert statuses(answers) == [200, 409], [a.json for a in answers]


def test_two_supervisors_claiming_one_exception_at_once_leave_one_claim(floor, app, staff_token):
    scan = {"scan_id": str(uuid.uuid4()), "code": "DPK009988776655"}
    floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver)
    [exception] = floor.client.get("/api/v1/exceptions", headers=floor.supervisor).json["items"]
    other = bearer(staff_token("supervisor"))
    url = f"/api/v1/exceptions/{exception['id']}/claim"
    answers = race(app, [(url, None, floor.supervisor), (url, None, other)])
    assert statuses(answers) == [200, 409], [a.json for a in answers]


def test_a_refund_confirmed_twice_at_once_closes_the_return_once(floor, app, db):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["TEE"])
    floor.inspected(lpn)
    amount = floor.events("return.refund_requested")[0].data["amount"]
    url = f"/api/v1/returns/{ret['id']}/refund-confirmation"
    body = {"refund_id": "RF1", "amount": amount}
    answers = race(app, [(url, body, floor.store), (url, body, floor.store)])
    assert statuses(answers) == [200, 409], [a.json for a in answers]
    assert db.scalar(select(func.count()).where(Event.type == "return.closed")) == 1


def test_two_supervisors_resolving_one_exception_at_once_resolve_it_once(floor, app, staff_token):
    scan = {"scan_id": str(uuid.uuid4()), "code": "DPK009988776655"}
    floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver)
    [exception] = floor.client.get("/api/v1/exceptions", headers=floor.supervisor).json["items"]
    other = bearer(staff_token("supervisor"))
    url = f"/api/v1/exceptions/{exception['id']}/resolve"
    body = {"action": "return_to_buyer", "note": "无退货单"}
    answers = race(app, [(url, body, floor.supervisor), (url, body, other)])
    assert statuses(answers) == [200, 409], [a.json for a in answers]


def test_a_refurbishment_completed_twice_at_once_is_completed_once(floor, app, staff_token, db):
    lpn = floor.unit()
    photo = floor.photo(lpn)
    floor.inspected(lpn, {**GOOD_APPAREL, "signs_of_wear": "worn"}, photo_ids=[photo])
    assert floor.dispose(lpn, "refurbish").status_code == 201
    other = bearer(staff_token("inspector"))
    url = f"/api/v1/units/{lpn}/refurbish/complete"
    body = {"outcome": "scrap", "notes": "面料破损"}
    answers = race(app, [(url, body, floor.inspector), (url, body, other)])
    assert statuses(answers) == [200, 409], [a.json for a in answers]


def test_two_supervisors_matching_one_parcel_at_once_match_it_once(floor, app, staff_token):
    scan = {"scan_id": str(uuid.uuid4()), "code": "DPK009988776655"}
    floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver)
    [exception] = floor.client.get("/api/v1/exceptions", headers=floor.supervisor).json["items"]
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    other = bearer(staff_token("supervisor"))
    url = f"/api/v1/parcels/{exception['parcel_id']}/match"
    body = {"return_id": ret["id"]}
    answers = race(app, [(url, body, floor.supervisor), (url, body, other)])
    assert statuses(answers) == [200, 409], [a.json for a in answers]


def test_two_supervisors_registering_one_bin_at_once_register_it_once(floor, app, staff_token):
    other = bearer(staff_token("supervisor"))
    body = {"code": "C0301"}
    answers = race(app, [("/api/v1/bins", body, floor.supervisor), ("/api/v1/bins", body, other)])
    assert statuses(answers) == [201, 409], [a.json for a in answers]
