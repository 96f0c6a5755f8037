"""Hostile text is data: SQL and script in any text field are stored, answered and shown
verbatim and inert; text no database can store is refused with a 422, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest
from factories import bearer, line, return_body
from markupsafe import escape
from sqlalchemy import func, select
from ui_helpers import csrf_of, text

from warehouse.returns.models import Return

SQL = "'); DROP TABLE returns;--"
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def hostile_return(payload: str) -> dict:
    """A return whose every free-text field holds `payload`."""
    return return_body(
        external_id=payload,
        order_id=payload,
        reason="other",
        reason_detail=payload,
        buyer={"id": payload, "name": payload, "phone": payload},
        carrier=payload,
        metadata={payload: payload, "refund_id": payload},
        lines=[
            line(
                line_id=payload,
                sku=payload,
                gtin=None,
                title=payload,
                category=payload,
                serial_numbers=[payload],
            ),
            line(line_id="L2", sku="SAFE-SKU", gtin=None, title=payload),
        ],
    )


def text_fields(ret: dict) -> list:
    """Every free-text value of a return as the API answers it."""
    buyer, first, second = ret["buyer"], ret["lines"][0], ret["lines"][1]
    return [
        ret["external_id"],
        ret["order_id"],
        ret["reason_detail"],
        ret["carrier"],
        *buyer.values(),
        first["line_id"],
        first["sku"],
        first["title"],
        first["category"],
        *first["serial_numbers"],
        second["title"],
        *ret["metadata"].values(),
    ]


@pytest.mark.parametrize("payload", [SQL, SCRIPT, ATTRIBUTE], ids=["sql", "script", "attr"])
def test_every_text_field_of_a_return_round_trips_verbatim(client, store, db, payload):
    _, key = store
    created = client.post("/api/v1/returns", json=hostile_return(payload), headers=bearer(key))
    assert created.status_code == 201, created.json
    fetched = client.get(f"/api/v1/returns/{created.json['id']}", headers=bearer(key)).json
    assert text_fields(fetched) == [payload] * 15
    assert fetched["metadata"] == {payload: payload, "refund_id": payload}
    assert fetched["buyer"] == {"id": payload, "name": payload, "phone": payload}
    listed = client.get(
        "/api/v1/returns", query_string={"external_id": payload}, headers=bearer(key)
    ).json["items"]
    assert [r["id"] for r in listed] == [created.json["id"]]
    # The table the SQL text names is still there, holding just this return.
    assert db.scalar(select(func.count()).select_from(Return)) == 1


@pytest.mark.parametrize("payload", [SCRIPT, ATTRIBUTE], ids=["script", "attr"])
def test_the_parcel_page_and_timeline_show_hostile_text_escaped(
    client, signed_in, make_store, payload
):
    _, key = make_store(name=payload)
    ret = client.post("/api/v1/returns", json=hostile_return(payload), headers=bearer(key)).json
    receiver = signed_in("receiver")
    scan = receiver.post(
        "/ui/receive",
        data={
            "csrf_token": csrf_of(receiver, "/ui/receive"),
            "scan_id": str(uuid.uuid4()),
            "code": ret["rma_number"],
        },
    )
    assert scan.status_code in (302, 303), text(scan)
    parcel_page = text(receiver.get(scan.location))
    # A scanned code that is itself hostile lands as an extra unit, shown as text.
    receiver.post(
        scan.location + "/items",
        data={
            "csrf_token": csrf_of(receiver, scan.location),
            "scan_id": str(uuid.uuid4()),
            "code": payload,
        },
    )
    pages = [parcel_page, text(receiver.get(scan.location))]
    pages.append(text(signed_in("supervisor").get(f"/ui/returns/{ret['id']}")))
    for page in pages:
        assert payload not in page
        assert str(escape(payload)) in page  # as Jinja escapes it: shown as text
        assert "<img src=x" not in page and "<script>alert" not in page


@pytest.mark.parametrize(
    ("raw_field", "value", "named"),
    [
        ("order_id", "A\u0000B", "order_id"),
        ("title", "T\u0000", "lines.0.title"),
        ("serial", "\ud800", "lines.0.serial_numbers.0"),
        ("metadata", "\udfff", "metadata.k"),
    ],
)
def test_text_no_database_can_store_is_a_422_naming_the_field(
    client, store, db, raw_field, value, named
):
    _, key = store
    body = return_body(lines=[line()], metadata={"k": "v"})
    if raw_field == "order_id":
        body["order_id"] = value
    elif raw_field == "title":
        body["lines"][0]["title"] = value
    elif raw_field == "serial":
        body["lines"][0]["serial_numbers"] = [value]
    else:
        body["metadata"]["k"] = value
    response = client.post(
        "/api/v1/returns",
        data=json.dumps(body),  # escapes \u0000 and lone surrogates as JSON allows
        content_type="application/json",
        headers=bearer(key),
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == [named]
    assert db.scalar(select(func.count()).select_from(Return)) == 0


def test_a_nul_in_a_query_or_a_sign_in_form_is_refused_not_a_500(app, client, store):
    _, key = store
    query = client.get("/api/v1/returns?external_id=A%00B", headers=bearer(key))
    assert query.status_code == 422
    assert list(query.json["errors"]) == ["external_id"]
    page = app.test_client()
    csrf = csrf_of(page, "/ui/login")
    answer = page.post("/ui/login", data={"csrf_token": csrf, "username": "a\x00", "pin": "1"})
    assert answer.status_code == 422
    assert answer.mimetype == "text/html"


@pytest.mark.parametrize(
    ("terminal", "message"),
    [("T" * 65, "At most 64 characters."), ("T\x00", "NUL")],
    ids=["too-long", "nul"],
)
def test_a_terminal_id_header_the_database_cannot_hold_is_a_422(
    client, staff_token, db, terminal, message
):
    from warehouse.receiving.models import Parcel

    headers = {**bearer(staff_token("receiver")), "X-Terminal-Id": terminal}
    scan = {"scan_id": str(uuid.uuid4()), "code": "SF1234567890123"}
    response = client.post("/api/v1/parcels/scan", json=scan, headers=headers)
    assert response.status_code == 422
    assert message in response.json["errors"]["X-Terminal-Id"][0]
    assert db.scalar(select(func.count()).select_from(Parcel)) == 0
    signing_in = client.post(
        "/api/v1/auth/token",
        json={"username": "nobody", "pin": "1"},
        headers={"X-Terminal-Id": terminal},
    )
    assert signing_in.status_code == 422
