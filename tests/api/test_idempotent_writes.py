"""Every floor write is safe to retry: sent again with the same `Idempotency-Key` after its
answer was lost, it gets the first answer back and writes nothing twice."""

from __future__ import annotations

import io
import threading
import uuid

import pytest
from factories import bearer, line, return_body
from inspection_fixtures import GOOD_APPAREL, Floor, apparel_items, image_bytes
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from warehouse.auth.models import StaffUser
from warehouse.db import transaction
from warehouse.idempotency.models import KeptAnswer
from warehouse.models import Base

WORN = {**GOOD_APPAREL, "signs_of_wear": "worn"}  # grade C: refurbish


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    floor.admin = bearer(staff_token("admin"))
    return floor


def rows(app) -> dict[str, int]:
    """How many rows each table holds (but the kept answers): a retry must change none."""
    session = app.extensions["warehouse.sessions"]()
    try:
        return {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name != KeptAnswer.__tablename__
        }
    finally:
        session.close()


def send(floor, request, key: str | None, headers: dict | None = None):
    method, url, who, body = request
    headers = {**who, **(headers or {}), **({"Idempotency-Key": key} if key else {})}
    if isinstance(body, bytes):  # a photo, as a fresh multipart body each time
        return floor.client.open(
            url,
            method=method,
            data={"file": (io.BytesIO(body), "photo.jpg")},
            headers=headers,
            content_type="multipart/form-data",
        )
    return floor.client.open(url, method=method, json=body, headers=headers)


# --- each floor write, ready to be sent: (method, url, credential, body) ---------------------


def _parcel(floor, ret=None):
    ret = ret or floor.create_return([line(sku="TEE", gtin=None, quantity=2)])
    scan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
    parcel = floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver).json
    return ret, parcel["parcel"]["id"]


def _unmatched_parcel(floor):
    scan = {"scan_id": str(uuid.uuid4()), "code": "DPK009988776655"}
    floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver)
    [exception] = floor.client.get("/api/v1/exceptions", headers=floor.supervisor).json["items"]
    return exception


def _inspected(floor, answers=None):
    lpn = floor.unit()
    body = {"photo_ids": [floor.photo(lpn)]} if answers is WORN else {}
    floor.inspected(lpn, answers, **body)
    return lpn


def _refund_requested(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    [lpn] = floor.receive(ret, ["TEE"])
    floor.inspected(lpn)
    return ret, floor.events("return.refund_requested")[0].data["amount"]


def parcel_scan(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    body = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
    return "POST", "/api/v1/parcels/scan", floor.receiver, body


def item_scan(floor):
    _, parcel_id = _parcel(floor)
    body = {"scan_id": str(uuid.uuid4()), "code": "TEE"}
    return "POST", f"/api/v1/parcels/{parcel_id}/items/scan", floor.receiver, body


def close(floor):
    _, parcel_id = _parcel(floor)
    return "POST", f"/api/v1/parcels/{parcel_id}/close", floor.receiver, None


def match(floor):
    exception = _unmatched_parcel(floor)
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    url = f"/api/v1/parcels/{exception['parcel_id']}/match"
    return "POST", url, floor.supervisor, {"return_id": ret["id"]}


def inspection(floor):
    lpn = floor.unit()
    return "POST", f"/api/v1/units/{lpn}/inspection", floor.inspector, {"answers": GOOD_APPAREL}


def photo_upload(floor):
    lpn = floor.unit()
    return "POST", f"/api/v1/units/{lpn}/photos", floor.inspector, image_bytes()


def disposition(floor):
    lpn = _inspected(floor)
    body = {"decision": "restock", "bin": floor.bin()}
    return "POST", f"/api/v1/units/{lpn}/disposition", floor.inspector, body


def move(floor):
    lpn = _inspected(floor)
    floor.dispose(lpn, "restock", bin=floor.bin("A0103"))
    return "POST", f"/api/v1/units/{lpn}/move", floor.inspector, {"bin": floor.bin("A0104")}


def refurbish_complete(floor):
    lpn = _inspected(floor, WORN)
    floor.dispose(lpn, "refurbish")
    body = {"outcome": "scrap", "notes": "面料破损"}
    return "POST", f"/api/v1/units/{lpn}/refurbish/complete", floor.inspector, body


def refurbishment_note(floor):
    lpn = _inspected(floor, WORN)
    order = floor.dispose(lpn, "refurbish").json["refurbishment"]
    url = f"/api/v1/refurbishments/{order['id']}/notes"
    return "POST", url, floor.inspector, {"text": "清洗, 熨烫"}


def exception_claim(floor):
    exception = _unmatched_parcel(floor)
    return "POST", f"/api/v1/exceptions/{exception['id']}/claim", floor.supervisor, None


def exception_resolve(floor):
    exception = _unmatched_parcel(floor)
    url = f"/api/v1/exceptions/{exception['id']}/resolve"
    return "POST", url, floor.supervisor, {"action": "return_to_buyer", "note": "无退货单"}


def refund_confirmation(floor):
    ret, amount = _refund_requested(floor)
    url = f"/api/v1/returns/{ret['id']}/refund-confirmation"
    return "POST", url, floor.store, {"refund_id": "RF1", "amount": amount}


def refund_failure(floor):
    ret, _ = _refund_requested(floor)
    url = f"/api/v1/returns/{ret['id']}/refund-failure"
    return "POST", url, floor.store, {"reason": "payee account closed"}


def refund_retry(floor):
    ret, _ = _refund_requested(floor)
    floor.client.post(
        f"/api/v1/returns/{ret['id']}/refund-failure",
        json={"reason": "payee account closed"},
        headers=floor.store,
    )
    return "POST", f"/api/v1/returns/{ret['id']}/refund-retry", floor.supervisor, None


def decision_override(floor):
    ret = floor.create_return([line(sku="EAR", gtin="06901234567892", serial_numbers=["SN1"])])
    [lpn] = floor.receive(ret, ["]C1010690123456789221SN2"])
    floor.inspected(lpn)
    body = {"decision": "refund", "reason": "序列号登记错误 / store typo"}
    return "POST", f"/api/v1/returns/{ret['id']}/decision", floor.supervisor, body


def cancel(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    return "POST", f"/api/v1/returns/{ret['id']}/cancel", floor.store, None


def tracking(floor):
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    body = {"carrier": "YTO", "tracking_number": "YT7512345678901"}
    return "PUT", f"/api/v1/returns/{ret['id']}/tracking", floor.store, body


def checklist_create(floor):
    body = {"name": "shoes QC", "category": "shoes", "items": apparel_items()}
    return "POST", "/api/v1/checklists", floor.supervisor, body


def checklist_edit(floor):
    current = floor.client.get("/api/v1/checklists", headers=floor.supervisor).json["items"][0]
    body = {"name": "apparel QC v2", "category": "apparel", "items": current["items"]}
    body["version"] = current["version"]
    return "PUT", f"/api/v1/checklists/{current['id']}", floor.supervisor, body


def bin_registration(floor):
    return "POST", "/api/v1/bins", floor.supervisor, {"code": "B0201"}


def deduction_policy(floor):
    url = f"/api/v1/stores/{floor.store_id}/deduction-policy"
    return "PUT", url, floor.store, {"max_percent": 20}


def webhook_secret_rotation(floor):
    url = f"/api/v1/stores/{floor.store_id}/webhook-secret/rotate"
    return "POST", url, floor.store, {"grace_hours": 1}


def webhook_url(floor):
    url = f"/api/v1/stores/{floor.store_id}/webhook-url"
    return "PUT", url, floor.store, {"webhook_url": None}


FLOOR_WRITES = [
    parcel_scan,
    item_scan,
    close,
    match,
    inspection,
    photo_upload,
    disposition,
    move,
    refurbish_complete,
    refurbishment_note,
    exception_claim,
    exception_resolve,
    refund_confirmation,
    refund_failure,
    refund_retry,
    decision_override,
    cancel,
    tracking,
    checklist_create,
    checklist_edit,
    bin_registration,
    deduction_policy,
    webhook_url,
]


@pytest.mark.parametrize("write", FLOOR_WRITES, ids=lambda w: w.__name__)
def test_a_floor_write_retried_after_its_answer_was_lost_gets_the_first_answer(floor, app, write):
    request = write(floor)
    key = str(uuid.uuid4())
    first = send(floor, request, key)
    assert first.status_code < 400, first.json
    assert "Idempotency-Replayed" not in first.headers
    written = rows(app)

    # The answer never reached the handheld; it sends the same request again.
    again = send(floor, request, key)

    assert again.status_code == first.status_code
    assert again.get_data() == first.get_data()
    assert again.content_type == first.content_type
    assert again.headers.get("Location") == first.headers.get("Location")
    assert again.headers["Idempotency-Replayed"] == "true"
    assert rows(app) == written


def test_the_same_key_on_another_body_is_a_conflict_and_writes_nothing(floor, app):
    method, url, who, body = item_scan(floor)
    key = "scan-42"
    assert send(floor, (method, url, who, body), key).status_code == 200
    written = rows(app)
    other = {**body, "scan_id": str(uuid.uuid4())}
    refused = send(floor, (method, url, who, other), key)
    assert refused.status_code == 409
    assert refused.content_type == "application/problem+json"
    assert "Idempotency-Key" in refused.json["detail"]
    assert rows(app) == written


def test_the_same_key_on_another_path_is_a_conflict(floor):
    key = "one-key"
    assert send(floor, close(floor), key).status_code == 200
    refused = send(floor, close(floor), key)
    assert refused.status_code == 409
    assert "Idempotency-Key" in refused.json["detail"]


def test_the_same_key_on_another_query_string_is_a_conflict(floor):
    method, url, who, body = close(floor)
    assert send(floor, (method, f"{url}?note=?", who, body), "q-key").status_code == 200
    refused = send(floor, (method, f"{url}?note=", who, body), "q-key")
    assert refused.status_code == 409, "?note=? and ?note= are two requests"


def test_without_a_key_a_write_behaves_as_before(floor):
    request = close(floor)
    assert send(floor, request, None).status_code == 200
    again = send(floor, request, None)
    assert again.status_code == 409
    assert "Idempotency-Replayed" not in again.headers


def test_a_key_answers_only_its_own_credential(floor, app, make_store):
    _, other_key = make_store("店铺乙 Store B")
    ret = floor.create_return([line(sku="TEE", gtin=None)])
    key = "cancel-1"
    url = f"/api/v1/returns/{ret['id']}/cancel"
    assert send(floor, ("POST", url, floor.store, None), key).status_code == 200
    # Store B sends the same key to the same URL: it is not answered from store A's call.
    other = send(floor, ("POST", url, bearer(other_key), None), key)
    assert other.status_code == 404
    assert "Idempotency-Replayed" not in other.headers


def test_a_staff_members_key_replays_across_their_sign_ins(floor, app, client, make_user):
    make_user("recv-idem", "receiver", "2468")
    tokens = [
        client.post("/api/v1/auth/token", json={"username": "recv-idem", "pin": "2468"}).json[
            "token"
        ]
        for _ in range(2)
    ]
    method, url, _, body = item_scan(floor)
    first = send(floor, (method, url, bearer(tokens[0]), body), "k-1")
    again = send(floor, (method, url, bearer(tokens[1]), body), "k-1")
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.get_data() == first.get_data()
    # Another receiver's same key is their own.
    other = send(floor, (method, url, floor.receiver, body), "k-1")
    assert "Idempotency-Replayed" not in other.headers


@pytest.mark.parametrize("key", ["", "x" * 201, "naïve", "tab\there"])
def test_a_key_that_is_no_key_is_refused_and_writes_nothing(floor, app, key):
    request = close(floor)
    written = rows(app)
    refused = send(floor, request, None, {"Idempotency-Key": key})
    assert refused.status_code == 422
    assert refused.content_type == "application/problem+json"
    assert "Idempotency-Key" in refused.json["errors"]
    assert rows(app) == written


def test_a_failed_write_keeps_no_answer_so_its_retry_runs_again(floor, app):
    lpn = floor.unit()
    request = ("POST", f"/api/v1/units/{lpn}/disposition", floor.inspector, {"decision": "scrap"})
    first = send(floor, request, "d-1")
    assert first.status_code == 409  # not inspected yet
    floor.inspected(lpn)
    body = {"decision": "restock", "bin": floor.bin()}
    method, url, who, _ = request
    # The key was not spent on the refusal: the corrected request may use it.
    assert send(floor, (method, url, who, body), "d-1").status_code == 201


def test_post_returns_replays_with_the_same_header_as_every_other_write(floor):
    body = return_body()
    first = floor.client.post(
        "/api/v1/returns", json=body, headers={**floor.store, "Idempotency-Key": "r-1"}
    )
    again = floor.client.post(
        "/api/v1/returns", json=body, headers={**floor.store, "Idempotency-Key": "r-1"}
    )
    assert again.json["id"] == first.json["id"]
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.headers["Idempotent-Replayed"] == "true"


def test_every_write_documents_the_key_and_the_replayed_header(client):
    spec = client.get("/api/v1/openapi.json").json
    writes = [
        (path, method, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(writes) > 20
    for path, method, operation in writes:
        names = [p.get("name") for p in operation.get("parameters", [])]
        if path == "/api/v1/auth/token" or path.endswith("/webhook-secret/rotate"):
            assert "Idempotency-Key" not in names  # no credential yet; an answer kept nowhere
            continue
        assert names.count("Idempotency-Key") == 1, (method, path)
        ok = [r for status, r in operation["responses"].items() if status.startswith("2")]
        assert ok and all("Idempotency-Replayed" in r.get("headers", {}) for r in ok), path


@pytest.mark.parametrize("write", [inspection, refurbishment_note], ids=lambda w: w.__name__)
def test_one_key_sent_twice_at_once_is_done_once_and_both_get_the_first_answer(floor, app, write):
    method, url, who, body = write(floor)
    # What one such request writes, measured on a twin of the same setup.
    twin = write(floor)
    before = rows(app)
    assert send(floor, twin, "the-twin").status_code < 400
    one_request = {table: n - before[table] for table, n in rows(app).items()}
    before = rows(app)
    headers = {**who, "Idempotency-Key": "twice-at-once"}
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def send_one(i):
        client = app.test_client()
        barrier.wait()
        answers[i] = client.open(url, method=method, json=body, headers=headers)

    threads = [threading.Thread(target=send_one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    first, second = answers
    assert first.status_code == second.status_code < 400, (first.json, second.json)
    assert first.get_data() == second.get_data()
    assert sorted(a.headers.get("Idempotency-Replayed", "") for a in answers) == ["", "true"]
    assert {table: n - before[table] for table, n in rows(app).items()} == one_request


def test_a_write_whose_answer_could_not_be_kept_is_not_written_either(floor, app, monkeypatch):
    request = inspection(floor)
    before = rows(app)

    def database_gone(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr("warehouse.idempotency.services.keep", database_gone)
    lost = send(floor, request, "crash-1")
    assert lost.status_code == 503
    assert rows(app) == before  # the inspection went with its answer
    monkeypatch.undo()
    retried = send(floor, request, "crash-1")
    assert retried.status_code == 201
    assert "Idempotency-Replayed" not in retried.headers


def test_kept_answers_are_forgotten_by_the_delivery_worker_after_seven_days(floor, app, clock, db):
    from warehouse.events.sending import FakeSender
    from warehouse.events.worker import DeliveryWorker

    assert send(floor, cancel(floor), "old").status_code == 200
    clock.advance(days=6)
    assert send(floor, cancel(floor), "recent").status_code == 200
    clock.advance(days=1, seconds=1)
    DeliveryWorker(app.extensions["warehouse.sessions"], FakeSender(), clock).run_until_idle()
    assert db.scalars(select(KeptAnswer.key)).all() == ["recent"]


def test_a_write_added_later_is_safe_to_retry_without_remembering_to(app, client, make_user):
    from flask import jsonify

    from warehouse import api
    from warehouse.audit.services import record
    from warehouse.db import transaction

    def stamp():
        db = api.session()
        with transaction(db):
            stamp_id = str(uuid.uuid4())
            record(db, api.context(), "stamp.made", "stamp", stamp_id)
        return jsonify(id=stamp_id), 201

    app.add_url_rule("/api/v1/stamps", "stamps", stamp, methods=["POST"])
    make_user("recv-later", "receiver", "2468")
    token = client.post("/api/v1/auth/token", json={"username": "recv-later", "pin": "2468"})
    headers = {**bearer(token.json["token"]), "Idempotency-Key": "stamp-1"}
    first = client.post("/api/v1/stamps", headers=headers)
    written = rows(app)
    again = client.post("/api/v1/stamps", headers=headers)
    assert again.json == first.json and again.headers["Idempotency-Replayed"] == "true"
    assert rows(app) == written


def test_a_replay_is_refused_to_a_caller_whose_role_no_longer_may(floor, app):
    request = bin_registration(floor)
    first = send(floor, request, "bin-key")
    assert first.status_code == 201, first.json
    session = app.extensions["warehouse.sessions"]()
    with transaction(session):
        session.execute(
            update(StaffUser).where(StaffUser.role == "supervisor").values(role="receiver")
        )
    session.close()
    app.extensions["warehouse.credential_cache"].ttl_seconds = 0  # the role is read anew

    again = send(floor, request, "bin-key")

    assert again.status_code == 403, "the view would refuse it now, so a replay does too"
    assert "Idempotency-Replayed" not in again.headers


def test_a_new_webhook_secret_is_never_kept_as_an_answer(floor, app):
    # Its answer shows the secret once: kept, it would sit in the database for days.
    first = send(floor, webhook_secret_rotation(floor), "rotate-key")
    again = send(floor, webhook_secret_rotation(floor), "rotate-key")

    assert first.status_code == again.status_code == 200
    assert "Idempotency-Replayed" not in again.headers
    assert again.json["webhook_secret"] != first.json["webhook_secret"]
    session = app.extensions["warehouse.sessions"]()
    try:
        assert session.scalar(select(func.count()).select_from(KeptAnswer)) == 0
    finally:
        session.close()
