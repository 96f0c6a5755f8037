"""Stores never see each other's data: another store's return is simply not found."""

from __future__ import annotations

import re

import pytest
from factories import bearer, return_body

# Every store-facing call on one return, with a body that would otherwise succeed.
CALLS_ON_A_RETURN = [
    ("GET", "/api/v1/returns/{id}", None),
    ("PUT", "/api/v1/returns/{id}/tracking", {"carrier": "SF", "tracking_number": "SF123456789"}),
    ("POST", "/api/v1/returns/{id}/cancel", None),
    ("POST", "/api/v1/returns/{id}/refund-confirmation", {"refund_id": "R1", "amount": 1}),
    ("POST", "/api/v1/returns/{id}/refund-failure", {"reason": "account closed"}),
    ("GET", "/api/v1/labels/returns/{id}.png", None),
    ("GET", "/api/v1/labels/returns/{id}.pdf", None),
    ("GET", "/api/v1/labels/returns/{id}.zpl", None),
]
# Staff-only calls on a return: a store is refused (403) whatever the id, revealing nothing.
STAFF_ONLY_ON_A_RETURN = {
    ("POST", "/api/v1/labels/returns/<return_id>/print"),
    ("POST", "/api/v1/returns/<return_id>/refund-retry"),
    ("POST", "/api/v1/returns/<return_id>/decision"),
}


@pytest.mark.parametrize(("method", "url"), sorted(STAFF_ONLY_ON_A_RETURN))
def test_a_store_is_refused_staff_only_calls_on_its_own_return(client, two_stores, method, url):
    key_a, _, ret_a = two_stores
    response = client.open(
        url.replace("<return_id>", ret_a["id"]),
        method=method,
        json={"decision": "refund", "reason": "x", "printer": "p"},
        headers=bearer(key_a),
    )
    assert response.status_code == 403


@pytest.fixture
def two_stores(client, store, make_store):
    _, key_a = store
    _, key_b = make_store("店铺乙 Store B")
    ret_a = client.post("/api/v1/returns", json=return_body(), headers=bearer(key_a)).json
    return key_a, key_b, ret_a


def test_the_tenancy_checks_cover_every_route_on_one_return(app):
    tested = {(m, re.sub(r"\{id\}", "<return_id>", u)) for m, u, _ in CALLS_ON_A_RETURN}
    tested |= STAFF_ONLY_ON_A_RETURN
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if "<return_id>" in rule.rule and rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == tested


@pytest.mark.parametrize(("method", "url", "body"), CALLS_ON_A_RETURN)
def test_another_stores_return_is_404_and_stays_untouched(client, two_stores, method, url, body):
    key_a, key_b, ret_a = two_stores
    response = client.open(
        url.format(id=ret_a["id"]), method=method, json=body, headers=bearer(key_b)
    )
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    unchanged = client.get(f"/api/v1/returns/{ret_a['id']}", headers=bearer(key_a)).json
    assert unchanged == ret_a


def test_a_store_lists_only_its_own_returns(client, two_stores):
    _, key_b, ret_a = two_stores
    assert client.get("/api/v1/returns", headers=bearer(key_b)).json["items"] == []
    by_external = client.get(
        f"/api/v1/returns?external_id={ret_a['external_id']}", headers=bearer(key_b)
    ).json["items"]
    assert by_external == []


def test_a_malformed_return_id_is_404_like_any_unknown_id(client, store):
    _, key = store
    assert client.get("/api/v1/returns/not-a-uuid", headers=bearer(key)).status_code == 404


# --- every other store-visible object: units, photos, inspections, the store's settings ----

CALLS_ON_A_UNIT_AND_STORE = [
    ("GET", "/api/v1/units/<lpn>", None),
    ("GET", "/api/v1/units/<lpn>/disposition", None),
    ("GET", "/api/v1/units/<lpn>/inspections", None),
    ("GET", "/api/v1/labels/units/<lpn>.png", None),
    ("GET", "/api/v1/labels/units/<lpn>.pdf", None),
    ("GET", "/api/v1/labels/units/<lpn>.zpl", None),
    ("GET", "/api/v1/photos/<photo_id>", None),
    ("GET", "/api/v1/photos/<photo_id>/thumbnail", None),
    ("GET", "/api/v1/inspections/<inspection_id>", None),
    ("GET", "/api/v1/stores/<store_id>/deduction-policy", None),
    ("PUT", "/api/v1/stores/<store_id>/deduction-policy", {"max_percent": 5}),
    ("POST", "/api/v1/stores/<store_id>/webhook-secret/rotate", {}),
    ("PUT", "/api/v1/stores/<store_id>/webhook-url", {"webhook_url": None}),
]
#: Store-callable routes whose ids name nothing a store owns: shared checklist templates.
SHARED_WITH_EVERY_STORE = {
    ("GET", "/api/v1/checklists/<checklist_id>"),
    ("GET", "/api/v1/checklists/<checklist_id>/versions/<version>"),
}


@pytest.fixture
def inspected_unit_of_store_a(app, client, store, staff_token):
    from inspection_fixtures import Floor

    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    lpn = floor.unit()
    photo = floor.photo(lpn)
    inspection = floor.inspected(lpn, photo_ids=[photo])
    return {
        "lpn": lpn,
        "photo_id": photo,
        "inspection_id": inspection["id"],
        "store_id": str(store[0]),
    }


def test_the_tenancy_checks_cover_every_store_route_with_an_id(app):
    from api.test_auth import ACCESS

    store_routes_with_ids = {
        route for route, (_perm, store_may) in ACCESS.items() if store_may and "<" in route[1]
    }
    tested = {(m, u.replace("{id}", "<return_id>")) for m, u, _ in CALLS_ON_A_RETURN}
    tested |= {(m, u) for m, u, _ in CALLS_ON_A_UNIT_AND_STORE}
    assert store_routes_with_ids == tested | SHARED_WITH_EVERY_STORE


@pytest.mark.parametrize(("method", "rule", "body"), CALLS_ON_A_UNIT_AND_STORE)
def test_another_stores_unit_photo_inspection_and_settings_are_404(
    client, make_store, inspected_unit_of_store_a, method, rule, body
):
    _, key_b = make_store("店铺乙 Store B")
    url = re.sub(r"<([^>]+)>", lambda m: inspected_unit_of_store_a[m.group(1)], rule)
    response = client.open(url, method=method, json=body, headers=bearer(key_b))
    assert response.status_code == 404, (url, response.status_code)
    assert response.content_type == "application/problem+json"


def test_the_owning_store_reaches_the_same_objects(client, store, inspected_unit_of_store_a):
    _, key_a = store
    for method, rule, _body in CALLS_ON_A_UNIT_AND_STORE:
        if method != "GET":
            continue
        url = re.sub(r"<([^>]+)>", lambda m: inspected_unit_of_store_a[m.group(1)], rule)
        assert client.get(url, headers=bearer(key_a)).status_code == 200, url


def test_a_store_cannot_read_another_stores_event_feed(
    client, make_store, inspected_unit_of_store_a
):
    _, key_b = make_store("店铺乙 Store B")
    store_a = inspected_unit_of_store_a["store_id"]
    response = client.get(f"/api/v1/events?store_id={store_a}", headers=bearer(key_b))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
