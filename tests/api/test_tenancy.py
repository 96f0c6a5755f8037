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
