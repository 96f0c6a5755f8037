"""Credentials: every endpoint is closed without them; roles decide who may do what."""

from __future__ import annotations

import re
import uuid

import pytest
from factories import bearer, return_body

from warehouse.auth.roles import Permission, Role, may

PUBLIC_ENDPOINTS = {
    "auth.Token",
    "api-docs.openapi_json",
    "api-docs.openapi_swagger_ui",
    "api-docs-assets",
}


def api_rules(app):
    """Every (method, rule, url) under /api/v1, with a made-up value for each URL parameter."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda _m: str(uuid.uuid4()), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, re.sub(r"<[^:<>]+:", "<", rule.rule), url  # the table omits converters


def api_routes(app):
    """Every (method, url) under /api/v1, with a made-up value for each URL parameter."""
    for method, _rule, url in api_rules(app):
        yield method, url


def test_the_url_map_walk_finds_the_store_endpoints(app):
    routes = set(api_routes(app))
    assert ("POST", "/api/v1/returns") in routes
    assert len(routes) >= 6


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer wsk_not-a-real-key"},
        {"Authorization": "Bearer wst_not-a-real-token"},
        {"Authorization": "Bearer something-else"},
    ],
    ids=["none", "empty", "basic", "bad-key", "bad-token", "junk"],
)
def test_every_api_endpoint_answers_401_without_valid_credentials(app, client, headers):
    for method, url in api_routes(app):
        response = client.open(url, method=method, json={}, headers=headers)
        assert response.status_code == 401, (method, url)
        assert response.content_type == "application/problem+json"


def test_the_openapi_document_and_docs_page_need_no_credentials(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_staff_sign_in_with_username_and_pin_answers_an_expiring_token(client, make_user, clock):
    make_user("recv1", "receiver", "1111")
    response = client.post("/api/v1/auth/token", json={"username": "recv1", "pin": "1111"})
    assert response.status_code == 200
    assert response.json["role"] == "receiver"
    assert response.json["expires_at"] > clock.now().isoformat()
    token = response.json["token"]
    assert client.get("/api/v1/returns", headers=bearer(token)).status_code == 200


def test_a_token_stops_working_when_it_expires(client, make_user, clock):
    make_user("recv1", "receiver", "1111")
    token = client.post("/api/v1/auth/token", json={"username": "recv1", "pin": "1111"}).json[
        "token"
    ]
    clock.advance(hours=12, seconds=1)
    assert client.get("/api/v1/returns", headers=bearer(token)).status_code == 401


def test_a_handheld_signs_in_by_scanning_a_badge(client, make_user):
    user = make_user("insp1", "inspector", "2222")
    response = client.post("/api/v1/auth/token", json={"badge": user.badge_code.lower()})
    assert response.status_code == 200
    assert response.json["username"] == "insp1"


def test_a_badge_with_a_wrong_check_character_is_refused(client, make_user):
    user = make_user("insp1", "inspector", "2222")
    code = user.badge_code
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert client.post("/api/v1/auth/token", json={"badge": wrong}).status_code == 401


@pytest.mark.parametrize(
    "body",
    [{"username": "recv1", "pin": "0000"}, {"username": "nobody", "pin": "1111"}],
    ids=["wrong-pin", "unknown-user"],
)
def test_a_wrong_pin_or_unknown_user_is_401_without_saying_which(client, make_user, body):
    make_user("recv1", "receiver", "1111")
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 401
    assert response.json["detail"] == "Unknown username or wrong PIN."


def test_five_wrong_pins_lock_the_account_for_a_while(client, make_user, clock):
    make_user("recv1", "receiver", "1111")
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"username": "recv1", "pin": "0000"})
    right = {"username": "recv1", "pin": "1111"}
    locked = client.post("/api/v1/auth/token", json=right)
    assert locked.status_code == 401
    assert "locked" in locked.json["detail"]
    clock.advance(minutes=6)
    assert client.post("/api/v1/auth/token", json=right).status_code == 200


def test_sign_in_needs_a_badge_or_both_username_and_pin(client):
    response = client.post("/api/v1/auth/token", json={"username": "recv1"})
    assert response.status_code == 422
    assert "pin" in response.json["errors"]


def test_pins_are_stored_under_a_slow_kdf_never_in_clear(app, db, monkeypatch):
    from sqlalchemy import select

    from warehouse.auth.models import StaffUser
    from warehouse.auth.services import create_user
    from warehouse.clock import FakeClock
    from warehouse.context import SYSTEM, Context

    monkeypatch.undo()  # the real hashing method, not the tests' fast one
    create_user(
        db, Context(SYSTEM, FakeClock().now()), username="sup1", role="supervisor", pin="987654"
    )
    db.commit()
    stored = db.scalar(select(StaffUser.pin_hash).where(StaffUser.username == "sup1"))
    assert stored.startswith("scrypt:")
    assert "987654" not in stored


def test_api_keys_are_stored_hashed(client, store, db):
    from sqlalchemy import select

    from warehouse.stores.models import StoreApiKey

    _, key = store
    stored = db.scalars(select(StoreApiKey.key_hash)).all()
    assert key not in stored
    assert all(len(h) == 64 for h in stored)


def test_staff_may_not_create_returns_for_a_store(client, store, staff_token):
    # Staff may read returns but never create them: that is the store's own act.
    token = staff_token("supervisor")
    response = client.post("/api/v1/returns", json=return_body(), headers=bearer(token))
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"


def test_a_forbidden_role_gets_403_before_its_body_is_even_validated(client, staff_token):
    token = staff_token("receiver")
    response = client.post("/api/v1/returns", json={"nonsense": 1}, headers=bearer(token))
    assert response.status_code == 403


# --- who may do what: every endpoint × every kind of caller ------------------------------

VIEW, RECEIVE, INSPECT = Permission.VIEW, Permission.RECEIVE, Permission.INSPECT
DISPOSE, SUPERVISE, ADMINISTER = Permission.DISPOSE, Permission.SUPERVISE, Permission.ADMINISTER
STORE = "store"
#: The access policy, written down: (method, rule) → (the staff permission it needs, or None
#: for no staff at all; whether a store system may call it, for its own objects only).
ACCESS = {
    ("GET", "/api/v1/returns"): (VIEW, True),
    ("POST", "/api/v1/returns"): (None, True),
    ("GET", "/api/v1/returns/deadlines"): (VIEW, True),
    ("GET", "/api/v1/returns/<return_id>"): (VIEW, True),
    ("PUT", "/api/v1/returns/<return_id>/tracking"): (None, True),
    ("POST", "/api/v1/returns/<return_id>/cancel"): (None, True),
    ("POST", "/api/v1/returns/<return_id>/refund-confirmation"): (None, True),
    ("POST", "/api/v1/returns/<return_id>/refund-failure"): (None, True),
    ("POST", "/api/v1/returns/<return_id>/refund-retry"): (SUPERVISE, False),
    ("POST", "/api/v1/returns/<return_id>/decision"): (SUPERVISE, False),
    ("POST", "/api/v1/parcels/scan"): (RECEIVE, False),
    ("GET", "/api/v1/parcels/<parcel_id>"): (VIEW, False),
    ("POST", "/api/v1/parcels/<parcel_id>/items/scan"): (RECEIVE, False),
    ("POST", "/api/v1/parcels/<parcel_id>/close"): (RECEIVE, False),
    ("POST", "/api/v1/parcels/<parcel_id>/match"): (SUPERVISE, False),
    ("GET", "/api/v1/exceptions"): (VIEW, False),
    ("POST", "/api/v1/exceptions/<exception_id>/claim"): (SUPERVISE, False),
    ("POST", "/api/v1/exceptions/<exception_id>/resolve"): (SUPERVISE, False),
    ("GET", "/api/v1/units/<lpn>"): (VIEW, True),
    ("GET", "/api/v1/events"): (SUPERVISE, True),
    ("GET", "/api/v1/events/dead"): (SUPERVISE, False),
    ("GET", "/api/v1/events/<event_id>/attempts"): (SUPERVISE, False),
    ("POST", "/api/v1/events/<event_id>/replay"): (SUPERVISE, False),
    ("GET", "/api/v1/labels/units/<lpn>.png"): (VIEW, True),
    ("GET", "/api/v1/labels/units/<lpn>.pdf"): (VIEW, True),
    ("GET", "/api/v1/labels/units/<lpn>.zpl"): (VIEW, True),
    ("GET", "/api/v1/labels/returns/<return_id>.png"): (VIEW, True),
    ("GET", "/api/v1/labels/returns/<return_id>.pdf"): (VIEW, True),
    ("GET", "/api/v1/labels/returns/<return_id>.zpl"): (VIEW, True),
    ("GET", "/api/v1/labels/parcels/<parcel_id>.pdf"): (VIEW, False),
    ("GET", "/api/v1/labels/parcels/<parcel_id>.zpl"): (VIEW, False),
    ("GET", "/api/v1/labels/bins/<code>.png"): (VIEW, False),
    ("GET", "/api/v1/labels/bins/<code>.pdf"): (VIEW, False),
    ("GET", "/api/v1/labels/bins/<code>.zpl"): (VIEW, False),
    ("POST", "/api/v1/labels/units/<lpn>/print"): (VIEW, False),
    ("POST", "/api/v1/labels/returns/<return_id>/print"): (VIEW, False),
    ("POST", "/api/v1/labels/parcels/<parcel_id>/print"): (VIEW, False),
    ("POST", "/api/v1/labels/bins/<code>/print"): (VIEW, False),
    ("GET", "/api/v1/printers"): (VIEW, False),
    ("GET", "/api/v1/checklists"): (VIEW, True),
    ("POST", "/api/v1/checklists"): (SUPERVISE, False),
    ("GET", "/api/v1/checklists/<checklist_id>"): (VIEW, True),
    ("PUT", "/api/v1/checklists/<checklist_id>"): (SUPERVISE, False),
    ("GET", "/api/v1/checklists/<checklist_id>/versions/<version>"): (VIEW, True),
    ("POST", "/api/v1/units/<lpn>/photos"): (INSPECT, False),
    ("GET", "/api/v1/photos/<photo_id>"): (VIEW, True),
    ("GET", "/api/v1/photos/<photo_id>/thumbnail"): (VIEW, True),
    ("POST", "/api/v1/units/<lpn>/inspection"): (INSPECT, False),
    ("GET", "/api/v1/units/<lpn>/inspections"): (VIEW, True),
    ("GET", "/api/v1/inspections/<inspection_id>"): (VIEW, True),
    ("GET", "/api/v1/stores/<store_id>/deduction-policy"): (VIEW, True),
    ("PUT", "/api/v1/stores/<store_id>/deduction-policy"): (ADMINISTER, True),
    ("POST", "/api/v1/stores/<store_id>/webhook-secret/rotate"): (ADMINISTER, True),
    ("PUT", "/api/v1/stores/<store_id>/webhook-url"): (ADMINISTER, True),
    ("GET", "/api/v1/bins"): (VIEW, False),
    ("POST", "/api/v1/bins"): (SUPERVISE, False),
    ("GET", "/api/v1/bins/<code>"): (VIEW, False),
    ("GET", "/api/v1/units/<lpn>/disposition"): (VIEW, True),
    ("POST", "/api/v1/units/<lpn>/disposition"): (DISPOSE, False),
    ("POST", "/api/v1/units/<lpn>/move"): (DISPOSE, False),
    ("GET", "/api/v1/refurbishments"): (VIEW, False),
    ("GET", "/api/v1/refurbishments/<refurbishment_id>"): (VIEW, False),
    ("POST", "/api/v1/refurbishments/<refurbishment_id>/notes"): (DISPOSE, False),
    ("POST", "/api/v1/units/<lpn>/refurbish/complete"): (DISPOSE, False),
}


def test_every_api_endpoint_has_a_written_access_policy(app):
    # A new endpoint must be added to ACCESS: who may call it is a decision, not an accident.
    assert {(method, rule) for method, rule, _ in api_rules(app)} == set(ACCESS)


@pytest.mark.parametrize("caller", [STORE, *(role.value for role in Role)])
def test_each_caller_is_refused_exactly_what_its_role_may_not_do(
    app, client, store, staff_token, caller
):
    headers = bearer(store[1] if caller == STORE else staff_token(caller))
    wrong = []
    for method, rule, url in api_rules(app):
        permission, store_may = ACCESS[(method, rule)]
        if caller == STORE:
            allowed = store_may
        else:
            allowed = permission is not None and may(caller, permission)
        response = client.open(url, method=method, json={}, headers=headers)
        if allowed:
            ok = response.status_code not in (401, 403) and response.status_code < 500
        else:
            ok = response.status_code == 403
        if not ok:
            wrong.append((method, rule, response.status_code))
        elif response.status_code >= 400:
            assert response.content_type == "application/problem+json", (method, rule)
    assert wrong == []
