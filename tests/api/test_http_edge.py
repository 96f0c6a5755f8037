"""The HTTP edge: whatever arrives, the answer is a 4xx problem naming what was wrong, nothing
is written, and the OpenAPI document says the rules a client must keep."""

from __future__ import annotations

import base64
import json
import re
import uuid

import pytest
from factories import bearer, return_body
from sqlalchemy import func, select
from test_return_bad_input import assert_nothing_written, assert_problem

from warehouse.auth.models import StaffToken
from warehouse.edge import MAX_JSON_DEPTH, STORABLE_TEXT_PATTERN, ascii_int, too_deep
from warehouse.text_guard import KEY_MESSAGE, MESSAGE

DEEP = "[" * 1000 + "]" * 1000
PROBLEM = "application/problem+json"


def tokens_issued(db) -> int:
    return db.scalar(select(func.count()).select_from(StaffToken))


# --- JSON nested too deep (issue 14, 7) ----------------------------------------------------


def test_a_deeply_nested_body_to_sign_in_is_a_400_naming_the_depth(client, db):
    response = client.post("/api/v1/auth/token", data=DEEP, content_type="application/json")
    problem = assert_problem(response, 400)
    assert f"{MAX_JSON_DEPTH} levels" in problem["detail"]
    assert tokens_issued(db) == 0


def test_a_deeply_nested_body_to_create_a_return_is_a_400_and_writes_nothing(client, store, db):
    _, key = store
    response = client.post(
        "/api/v1/returns", data=DEEP, content_type="application/json", headers=bearer(key)
    )
    assert f"{MAX_JSON_DEPTH} levels" in assert_problem(response, 400)["detail"]
    assert_nothing_written(db)


def test_a_field_nested_just_too_deep_is_refused_however_the_parser_fares(client, store, db):
    _, key = store
    body = return_body()
    nested: list = []
    for _ in range(MAX_JSON_DEPTH):
        nested = [nested]
    body["metadata"] = {"k": nested}
    response = client.post("/api/v1/returns", json=body, headers=bearer(key))
    assert_problem(response, 400)
    assert_nothing_written(db)


def test_a_cursor_holding_deeply_nested_json_is_a_422_on_the_cursor(client, store):
    _, key = store
    cursor = base64.urlsafe_b64encode(b"[" * 3000).decode().rstrip("=")
    response = client.get(f"/api/v1/returns?cursor={cursor}", headers=bearer(key))
    assert "cursor" in assert_problem(response, 422)["errors"]


def test_nesting_is_measured_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert too_deep(deep)
    assert not too_deep({"lines": [{"serial_numbers": ["A"]}]})


# --- numbers in paths are ASCII digits (issue 14, 7) ----------------------------------------


@pytest.mark.parametrize("version", ["%C2%B9", "%D9%A1", "1_0", "%EF%BC%91", "1" * 10])
def test_a_checklist_version_that_is_not_ascii_digits_is_a_404(client, staff_token, version):
    supervisor = bearer(staff_token("supervisor"))
    body = {
        "name": "QC",
        "category": "default",
        "items": [{"key": "ok", "label": "OK", "type": "yes_no", "fail_when": False}],
    }
    checklist = client.post("/api/v1/checklists", json=body, headers=supervisor).json
    url = f"/api/v1/checklists/{checklist['id']}/versions/{version}"
    assert_problem(client.get(url, headers=supervisor), 404)
    first = client.get(f"/api/v1/checklists/{checklist['id']}/versions/1", headers=supervisor)
    assert first.status_code == 200


@pytest.mark.parametrize("limit", ["1_0", "%D9%A1", "%C2%B9", "%201", "%2B5", "1" * 12])
def test_a_number_in_the_query_that_is_not_ascii_digits_is_a_422_naming_it(client, store, limit):
    _, key = store
    for url in (f"/api/v1/returns?limit={limit}", f"/api/v1/events?limit={limit}"):
        assert "limit" in assert_problem(client.get(url, headers=bearer(key)), 422)["errors"]
    response = client.get(f"/api/v1/returns/deadlines?within_hours={limit}", headers=bearer(key))
    assert "within_hours" in assert_problem(response, 422)["errors"]
    assert client.get("/api/v1/returns?limit=10", headers=bearer(key)).status_code == 200


def test_only_ascii_digits_spell_a_number():
    assert ascii_int("12") == 12
    assert ascii_int("¹") is None  # "¹".isdigit() is true, int("¹") raises
    assert ascii_int("١") is None  # int() would read Arabic-Indic digits
    assert ascii_int("1_0") is None  # and underscores
    assert ascii_int(" 1") is None
    assert ascii_int("1" * 10) is None


# --- content types (issue 14, 9) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", '{"username": "a", "pin": "1"}'),
        ("application/x-www-form-urlencoded", "username=a&pin=1"),
        ("application/xml", "<token><username>a</username></token>"),
        (None, '{"username": "a", "pin": "1"}'),
    ],
)
def test_a_body_that_is_not_json_is_a_415_naming_the_expected_type(
    client, store, db, content_type, data
):
    _, key = store
    headers = bearer(key) | ({"Content-Type": content_type} if content_type else {})
    problem = assert_problem(client.post("/api/v1/returns", data=data, headers=headers), 415)
    assert "application/json" in problem["detail"]
    assert (content_type or "no Content-Type") in problem["detail"]
    assert_nothing_written(db)
    response = client.post("/api/v1/auth/token", data=data, headers=headers)
    assert "application/json" in assert_problem(response, 415)["detail"]
    assert tokens_issued(db) == 0


def test_json_declared_in_another_charset_is_a_415(client, store, db):
    _, key = store
    response = client.post(
        "/api/v1/returns",
        data=json.dumps(return_body(), ensure_ascii=False).encode("latin-1", "replace"),
        content_type="application/json; charset=latin-1",
        headers=bearer(key),
    )
    assert "UTF-8" in assert_problem(response, 415)["detail"]
    assert_nothing_written(db)


def test_json_declared_as_utf8_is_accepted(client, store):
    _, key = store
    response = client.post(
        "/api/v1/returns",
        data=json.dumps(return_body()).encode(),
        content_type="application/json; charset=UTF-8",
        headers=bearer(key),
    )
    assert response.status_code == 201, response.json


def test_a_photo_sent_as_json_is_a_415_naming_multipart(client, staff_token):
    inspector = bearer(staff_token("inspector"))
    response = client.post("/api/v1/units/LPN1/photos", json={"file": "x"}, headers=inspector)
    assert "multipart/form-data" in assert_problem(response, 415)["detail"]


def test_a_role_that_may_not_gets_its_403_whatever_body_it_sent(client, staff_token):
    receiver = bearer(staff_token("receiver"))
    response = client.post("/api/v1/units/LPN1/photos", data="x", headers=receiver)
    assert_problem(response, 403)


# --- methods each path serves (issue 14, 9) -------------------------------------------------


def test_each_documented_path_advertises_and_serves_exactly_its_documented_methods(
    client, staff_token
):
    supervisor = bearer(staff_token("supervisor"))
    doc = client.get("/api/v1/openapi.json").json
    wrong = []
    for path, operations in doc["paths"].items():
        url = re.sub(r"{[^}]+}", lambda _m: str(uuid.uuid4()), path)
        declared = {m.upper() for m in operations if m != "parameters"}
        expected = declared | {"OPTIONS"} | ({"HEAD"} if "GET" in declared else set())
        allow = client.open(url, method="OPTIONS", headers=supervisor).headers.get("Allow", "")
        if {m.strip() for m in allow.split(",")} != expected:
            wrong.append((path, allow, sorted(expected)))
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - declared):
            refused = client.open(url, method=method, headers=supervisor)
            allow = {m.strip() for m in refused.headers.get("Allow", "").split(",")}
            if (refused.status_code, refused.content_type, allow) != (405, PROBLEM, expected):
                wrong.append((method, path, refused.status_code, sorted(allow)))
    assert wrong == []


def test_a_get_of_the_parcel_scan_is_a_405_saying_post(client, staff_token):
    response = client.get("/api/v1/parcels/scan", headers=bearer(staff_token("receiver")))
    assert_problem(response, 405)
    assert "GET" not in response.headers["Allow"]
    assert "POST" in response.headers["Allow"]


# --- the URL's length (issue 14, 8) ---------------------------------------------------------


def test_a_url_over_the_limit_is_a_414_problem(client, store):
    _, key = store
    response = client.get("/api/v1/returns?cursor=" + "A" * 5000, headers=bearer(key))
    assert "4096" in assert_problem(response, 414)["detail"]


def test_a_floor_page_over_the_limit_keeps_its_html_error_page(client):
    response = client.get("/ui/receive?q=" + "A" * 5000)
    assert response.status_code == 414
    assert response.mimetype == "text/html"


# --- what the document says (issue 14, 11) --------------------------------------------------


def test_the_document_says_text_may_hold_no_nul_and_no_lone_surrogate(client):
    doc = client.get("/api/v1/openapi.json").json
    ref = doc["paths"]["/api/v1/returns"]["post"]["requestBody"]["content"]["application/json"]
    schema = doc["components"]["schemas"][ref["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert schema["properties"]["external_id"]["pattern"] == STORABLE_TEXT_PATTERN
    pattern = re.compile(STORABLE_TEXT_PATTERN)
    assert pattern.fullmatch("纯棉T恤 😀")
    assert not pattern.fullmatch("a\x00b")
    assert "unpaired surrogates" in doc["info"]["description"]  # no portable pattern says it


def test_unstorable_text_in_a_key_is_told_apart_from_text_in_a_value(client, store, db):
    _, key = store
    response = client.post(
        "/api/v1/returns", json=return_body(metadata={"k\x00": "v"}), headers=bearer(key)
    )
    assert assert_problem(response, 422)["errors"]["metadata"] == [KEY_MESSAGE]
    response = client.post(
        "/api/v1/returns", json=return_body(order_id="1\x00"), headers=bearer(key)
    )
    assert assert_problem(response, 422)["errors"]["order_id"] == [MESSAGE]
    assert_nothing_written(db)


def string_schemas(node, where: str = ""):
    """Every string schema in a piece of the document, with where it is."""
    if isinstance(node, dict):
        if node.get("type") == "string":
            yield where, node
        for key, value in node.items():
            yield from string_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from string_schemas(value, f"{where}/{index}")


def test_every_text_field_and_parameter_is_documented_to_refuse_nul(client):
    doc = client.get("/api/v1/openapi.json").json
    schemas = {k: v for k, v in doc["components"]["schemas"].items() if k != "Problem"}
    parts = {"components/schemas": schemas, "paths": doc["paths"]}  # a Problem is only answered
    undocumented = []
    for name, part in parts.items():
        for where, schema in string_schemas(part, name):
            if "enum" in schema or schema.get("format") in ("date-time", "date", "binary", "uuid"):
                continue
            pattern = re.compile(schema.get("pattern", ""))
            if pattern.search("a\x00b"):
                undocumented.append(where)
    assert undocumented == []


def test_the_document_says_what_a_cursor_looks_like(client):
    doc = client.get("/api/v1/openapi.json").json
    for path, method, name in [
        ("/api/v1/returns", "get", "cursor"),
        ("/api/v1/events", "get", "after"),
    ]:
        (parameter,) = [p for p in doc["paths"][path][method]["parameters"] if p["name"] == name]
        pattern = re.compile(parameter["schema"]["pattern"])
        assert pattern.fullmatch("eyJpZCI6MX0")
        assert not pattern.fullmatch("not-a-cursor!")


def test_the_document_lists_414_everywhere_and_415_wherever_a_body_is_taken(client):
    doc = client.get("/api/v1/openapi.json").json
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "414" in operation["responses"], (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= operation["responses"].keys(), (method, path)
