"""Terminals racing each other over real database connections: still one parcel, right counts."""

from __future__ import annotations

import threading
import uuid

from factories import bearer, line, return_body
from sqlalchemy import func, select

from warehouse.receiving.models import Parcel, Unit

TERMINALS = 16


def race(app, headers, requests):
    """Sends every (url, body) at once, each from its own thread and test client."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def send(i, url, body):
        client = app.test_client()
        barrier.wait()
        answers[i] = client.post(url, json=body, headers={**headers, "X-Terminal-Id": f"HH-{i}"})

    threads = [
        threading.Thread(target=send, args=(i, url, body)) for i, (url, body) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_sixteen_terminals_scanning_one_new_tracking_number_make_one_parcel(
    app, client, store, staff_token, db
):
    _, key = store
    client.post(
        "/api/v1/returns", json=return_body(tracking_number="SF7777777777777"), headers=bearer(key)
    )
    headers = bearer(staff_token("receiver"))
    body = lambda: {"scan_id": str(uuid.uuid4()), "code": "SF7777777777777"}  # noqa: E731
    answers = race(app, headers, [("/api/v1/parcels/scan", body()) for _ in range(TERMINALS)])
    assert [a.status_code for a in answers] == [200] * TERMINALS
    assert len({a.json["parcel"]["id"] for a in answers}) == 1
    assert db.scalar(select(func.count()).select_from(Parcel)) == 1


def test_sixteen_terminals_scanning_one_new_unknown_parcel_make_one_quarantined_parcel(
    app, staff_token, db
):
    headers = bearer(staff_token("receiver"))
    requests = [
        ("/api/v1/parcels/scan", {"scan_id": str(uuid.uuid4()), "code": "JT0001234567890"})
        for _ in range(TERMINALS)
    ]
    answers = race(app, headers, requests)
    assert {a.status_code for a in answers} == {200}
    assert db.scalar(select(func.count()).select_from(Parcel)) == 1
    supervisor = bearer(staff_token("supervisor"))
    queue = app.test_client().get("/api/v1/exceptions", headers=supervisor).json["items"]
    assert [e["kind"] for e in queue] == ["unmatched_parcel"]


def test_concurrent_item_scans_never_receive_more_than_expected(
    app, client, store, staff_token, db
):
    _, key = store
    ret = client.post(
        "/api/v1/returns",
        json=return_body(lines=[line(sku="CUP", quantity=10)]),
        headers=bearer(key),
    ).json
    headers = bearer(staff_token("receiver"))
    parcel_id = client.post(
        "/api/v1/parcels/scan",
        headers=headers,
        json={"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]},
    ).json["parcel"]["id"]
    url = f"/api/v1/parcels/{parcel_id}/items/scan"
    answers = race(
        app,
        headers,
        [(url, {"scan_id": str(uuid.uuid4()), "code": "CUP"}) for _ in range(TERMINALS)],
    )
    statuses = sorted(a.json["unit"]["reception_status"] for a in answers)
    assert statuses == ["extra"] * 6 + ["received"] * 10
    assert db.scalar(select(func.count()).select_from(Unit)) == TERMINALS


def test_the_same_scan_id_sent_by_two_threads_at_once_is_received_once(
    app, client, store, staff_token, db
):
    _, key = store
    ret = client.post("/api/v1/returns", json=return_body(), headers=bearer(key)).json
    headers = bearer(staff_token("receiver"))
    parcel_id = client.post(
        "/api/v1/parcels/scan",
        headers=headers,
        json={"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]},
    ).json["parcel"]["id"]
    body = {"scan_id": str(uuid.uuid4()), "code": ret["lines"][0]["sku"]}
    url = f"/api/v1/parcels/{parcel_id}/items/scan"
    answers = race(app, headers, [(url, body)] * 4)
    assert {a.status_code for a in answers} == {200}
    assert len({a.json["unit"]["lpn"] for a in answers}) == 1
    assert sorted(a.json["replayed"] for a in answers) == [False, True, True, True]
    assert db.scalar(select(func.count()).select_from(Unit)) == 1


def test_a_return_cancelled_while_its_parcel_is_scanned_is_either_cancelled_or_received(
    app, client, store, staff_token, db
):
    """Never both: a cancelled return with a parcel on it would take items nobody expects."""
    from warehouse.receiving.models import ParcelReturn
    from warehouse.returns.models import Return

    _, key = store
    receiver = bearer(staff_token("receiver"))
    returns = [
        client.post("/api/v1/returns", json=return_body(), headers=bearer(key)).json
        for _ in range(TERMINALS // 2)
    ]
    barrier = threading.Barrier(len(returns) * 2)

    def send(url, body, headers):
        barrier.wait()
        app.test_client().post(url, json=body, headers=headers)

    threads = []
    for ret in returns:
        scan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
        threads.append(threading.Thread(target=send, args=("/api/v1/parcels/scan", scan, receiver)))
        cancel = f"/api/v1/returns/{ret['id']}/cancel"
        threads.append(threading.Thread(target=send, args=(cancel, None, bearer(key))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    both = db.scalars(
        select(Return.rma_number)
        .join(ParcelReturn, ParcelReturn.return_id == Return.id)
        .where(Return.status == "cancelled")
    ).all()
    assert both == []
