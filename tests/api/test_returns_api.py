"""Store systems create, read, list, track, cancel and confirm returns."""

from __future__ import annotations

from factories import bearer, return_body

from scanners import codes


def create(client, key, body=None, **headers):
    return client.post(
        "/api/v1/returns", json=body or return_body(), headers={**bearer(key), **headers}
    )


def test_a_store_creates_a_return_and_gets_an_rma_number_with_a_valid_check_character(
    client, store
):
    _, key = store
    body = return_body(metadata={"refund_id": "2026112201", "refund_version": "1732233600"})
    response = create(client, key, body)
    assert response.status_code == 201
    ret = response.json
    assert ret["status"] == "awaiting_parcel"
    assert codes.kind_of_own_code(ret["rma_number"]) == "rma"
    assert ret["external_id"] == body["external_id"]
    assert [line["line_id"] for line in ret["lines"]] == [line["line_id"] for line in body["lines"]]
    assert ret["total_amount"] == 9900 + 3500
    assert ret["currency"] == "CNY"
    assert ret["metadata"] == {"refund_id": "2026112201", "refund_version": "1732233600"}
    assert ret["buyer"]["name"] == "李*"
    assert response.headers["Location"] == f"/api/v1/returns/{ret['id']}"
    assert ret["created_at"].endswith("+00:00")


def test_the_created_return_can_be_read_back_with_its_lines(client, store):
    _, key = store
    created = create(client, key).json
    response = client.get(f"/api/v1/returns/{created['id']}", headers=bearer(key))
    assert response.status_code == 200
    assert response.json == created


def test_a_return_created_with_a_tracking_number_is_in_transit(client, store):
    _, key = store
    body = return_body(carrier="SF", tracking_number="SF1234567890123")
    assert create(client, key, body).json["status"] == "in_transit"


def test_the_same_idempotency_key_and_body_answer_the_same_return(client, store, db):
    _, key = store
    body = return_body()
    first = create(client, key, body, **{"Idempotency-Key": "req-1"})
    # Same content, other key order: still the same request.
    reordered = dict(reversed(list(body.items())))
    second = create(client, key, reordered, **{"Idempotency-Key": "req-1"})
    assert first.status_code == second.status_code == 201
    assert second.json["id"] == first.json["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    listed = client.get("/api/v1/returns", headers=bearer(key)).json["items"]
    assert len(listed) == 1


def test_the_same_idempotency_key_with_another_body_is_a_conflict(client, store):
    _, key = store
    create(client, key, return_body(), **{"Idempotency-Key": "req-2"})
    response = create(client, key, return_body(), **{"Idempotency-Key": "req-2"})
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert len(client.get("/api/v1/returns", headers=bearer(key)).json["items"]) == 1


def test_idempotency_keys_of_two_stores_do_not_collide(client, store, make_store):
    _, key_a = store
    _, key_b = make_store("Store B")
    a = create(client, key_a, return_body(), **{"Idempotency-Key": "same"})
    b = create(client, key_b, return_body(), **{"Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert a.json["id"] != b.json["id"]


def test_listing_pages_through_every_return_once_newest_first(client, store):
    _, key = store
    ids = [create(client, key).json["id"] for _ in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/returns?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=bearer(key)).json
        pages += 1
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(ids))


def test_empty_list_filters_mean_no_filter(client, store):
    _, key = store
    create(client, key)
    response = client.get("/api/v1/returns?status=&external_id=", headers=bearer(key))
    assert response.status_code == 200, response.json
    assert len(response.json["items"]) == 1


def test_listing_filters_by_status_and_external_id(client, store):
    _, key = store
    first = create(client, key).json
    second = create(client, key).json
    client.post(f"/api/v1/returns/{second['id']}/cancel", headers=bearer(key))
    cancelled = client.get("/api/v1/returns?status=cancelled", headers=bearer(key)).json["items"]
    assert [r["id"] for r in cancelled] == [second["id"]]
    by_external = client.get(
        f"/api/v1/returns?external_id={first['external_id']}", headers=bearer(key)
    ).json["items"]
    assert [r["id"] for r in by_external] == [first["id"]]


def test_registering_tracking_moves_a_waiting_return_in_transit(client, store):
    _, key = store
    ret = create(client, key).json
    response = client.put(
        f"/api/v1/returns/{ret['id']}/tracking",
        json={"carrier": "YTO", "tracking_number": "YT7512345678901"},
        headers=bearer(key),
    )
    assert response.status_code == 200
    assert response.json["status"] == "in_transit"
    assert response.json["tracking_number"] == "YT7512345678901"
    assert response.json["carrier"] == "YTO"


def test_a_return_can_be_cancelled_before_its_parcel_arrives_but_only_once(client, store):
    _, key = store
    ret = create(client, key).json
    response = client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=bearer(key))
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert response.json["cancelled_at"] is not None
    again = client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=bearer(key))
    assert again.status_code == 409
    tracking = client.put(
        f"/api/v1/returns/{ret['id']}/tracking",
        json={"tracking_number": "YT7512345678901"},
        headers=bearer(key),
    )
    assert tracking.status_code == 409


def test_a_return_whose_parcel_was_scanned_cannot_be_cancelled_even_before_it_is_closed(
    client, store, staff_token
):
    import uuid

    _, key = store
    ret = create(client, key).json
    scan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
    receiver = bearer(staff_token("receiver"))
    assert client.post("/api/v1/parcels/scan", json=scan, headers=receiver).status_code == 200
    response = client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=bearer(key))
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert "received" in response.json["detail"]
    after = client.get(f"/api/v1/returns/{ret['id']}", headers=bearer(key)).json
    assert after["status"] == "awaiting_parcel"
    assert after["cancelled_at"] is None
    assert [e["type"] for e in after["events"]] == []


def test_refund_confirmation_before_any_refund_was_requested_is_a_conflict(client, store):
    _, key = store
    ret = create(client, key).json
    response = client.post(
        f"/api/v1/returns/{ret['id']}/refund-confirmation",
        json={"refund_id": "RF1", "amount": 9900},
        headers=bearer(key),
    )
    assert response.status_code == 409
    assert "no refund has been requested" in response.json["detail"]
    assert client.get(f"/api/v1/returns/{ret['id']}", headers=bearer(key)).json["status"] == (
        "awaiting_parcel"
    )


def test_staff_can_read_returns_of_every_store(client, store, make_store, staff_token):
    _, key_a = store
    _, key_b = make_store("Store B")
    create(client, key_a)
    create(client, key_b)
    token = staff_token("supervisor")
    assert len(client.get("/api/v1/returns", headers=bearer(token)).json["items"]) == 2
