"""Bad input to the returns API: a clear problem+json answer, and nothing written."""

from __future__ import annotations

import pytest
from factories import bearer, line, return_body
from sqlalchemy import func, select

from warehouse.audit.models import AuditEntry
from warehouse.returns.models import Return


def post(client, key, payload, **kwargs):
    return client.post("/api/v1/returns", headers=bearer(key), **{"json": payload, **kwargs})


def assert_nothing_written(db):
    assert db.scalar(select(func.count()).select_from(Return)) == 0
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "return.created")
        )
        == 0
    )


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.json
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_malformed_json_is_a_400_problem(client, store, db):
    _, key = store
    response = client.post(
        "/api/v1/returns",
        data='{"external_id": "x", ',
        content_type="application/json",
        headers=bearer(key),
    )
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]
    assert_nothing_written(db)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.update(external_id=12345), "external_id"),
        (lambda b: b.update(express_refund="yes"), "express_refund"),
        (lambda b: b.update(express_refund=1), "express_refund"),
        (lambda b: b.update(lines="L1"), "lines"),
        (lambda b: b["lines"][0].update(quantity="2"), "lines.0.quantity"),
        (lambda b: b["lines"][0].update(quantity=True), "lines.0.quantity"),
        (lambda b: b["lines"][0].update(quantity=0), "lines.0.quantity"),
        (lambda b: b["lines"][1].update(quantity=-3), "lines.1.quantity"),
        (lambda b: b["lines"][0].update(unit_price=99.5), "lines.0.unit_price"),
        (lambda b: b["lines"][0].update(unit_price="9900"), "lines.0.unit_price"),
        (lambda b: b["lines"][0].update(unit_price=-1), "lines.0.unit_price"),
        (lambda b: b.update(reason="changed_my_mind"), "reason"),
        (lambda b: b.update(currency="XYZ"), "currency"),
        (lambda b: b.update(currency="cny "), "currency"),
        (lambda b: b.update(lines=[]), "lines"),
        (lambda b: b.update(lines=[line(line_id=f"L{i}") for i in range(501)]), "lines"),
        (lambda b: b.pop("buyer"), "buyer"),
        (lambda b: b.pop("external_id"), "external_id"),
        (lambda b: b["lines"][0].update(serial_numbers=["A", "B"]), "lines.0.serial_numbers"),
        (lambda b: b.update(metadata={f"k{i}": "v" for i in range(21)}), "metadata"),
        (lambda b: b.update(metadata={"k": 5}), "metadata.k.value"),
        (lambda b: b["lines"][1].update(line_id=b["lines"][0]["line_id"]), "lines"),
    ],
)
def test_a_wrong_field_is_a_422_naming_the_field(client, store, db, mutate, field):
    _, key = store
    body = return_body()
    mutate(body)
    problem = assert_problem(post(client, key, body), 422)
    assert field in problem["errors"], problem["errors"]
    assert_nothing_written(db)


def test_unknown_fields_are_named_in_the_answer(client, store, db):
    _, key = store
    body = return_body(coupon="FREE")
    body["lines"][0]["colour"] = "black"
    problem = assert_problem(post(client, key, body), 422)
    assert "coupon" in problem["errors"]
    assert "lines.0.colour" in problem["errors"]
    assert_nothing_written(db)


def test_a_body_over_one_mebibyte_is_refused_with_413(client, store, db):
    _, key = store
    body = return_body(reason_detail="x" * (1024 * 1024))
    assert_problem(post(client, key, body), 413)
    assert_nothing_written(db)


def test_a_duplicate_external_id_in_the_same_store_is_a_conflict(client, store, db):
    _, key = store
    body = return_body()
    first = post(client, key, body)
    assert first.status_code == 201
    again = return_body(external_id=body["external_id"])
    problem = assert_problem(post(client, key, again), 409)
    assert problem["return_id"] == first.json["id"]
    assert db.scalar(select(func.count()).select_from(Return)) == 1


def test_the_same_external_id_in_another_store_is_fine(client, store, make_store):
    _, key_a = store
    _, key_b = make_store("Store B")
    body = return_body()
    assert post(client, key_a, body).status_code == 201
    assert post(client, key_b, body).status_code == 201


def test_a_bad_cursor_or_limit_is_a_422(client, store):
    _, key = store
    problem = assert_problem(
        client.get("/api/v1/returns?cursor=not-a-cursor!", headers=bearer(key)), 422
    )
    assert "cursor" in problem["errors"]
    problem = assert_problem(client.get("/api/v1/returns?limit=201", headers=bearer(key)), 422)
    assert "limit" in problem["errors"]


def test_a_bad_tracking_number_is_a_422_and_changes_nothing(client, store):
    _, key = store
    ret = post(client, key, return_body()).json
    response = client.put(
        f"/api/v1/returns/{ret['id']}/tracking",
        json={"carrier": "SF", "tracking_number": "顺丰!!"},
        headers=bearer(key),
    )
    assert "tracking_number" in assert_problem(response, 422)["errors"]
    after = client.get(f"/api/v1/returns/{ret['id']}", headers=bearer(key)).json
    assert after["status"] == "awaiting_parcel"
    assert after["tracking_number"] is None


def test_an_unknown_url_and_a_wrong_method_are_problems(client, store):
    _, key = store
    assert_problem(client.get("/api/v1/nowhere", headers=bearer(key)), 404)
    response = client.delete("/api/v1/returns", headers=bearer(key))
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


# --- codes that could never be scanned ---------------------------------------------------------


@pytest.mark.parametrize("gtin", ["6970123456786", "6921234500016", "6901234567891"])
def test_a_gtin_with_a_wrong_check_digit_is_a_422_naming_the_line_and_nothing_is_written(
    client, store, db, gtin
):
    _, key = store
    body = return_body(lines=[line(), line(gtin=gtin)])
    problem = assert_problem(post(client, key, body), 422)
    assert list(problem["errors"]) == ["lines.1.gtin"]
    assert "check digit" in problem["errors"]["lines.1.gtin"][0]
    assert_nothing_written(db)


@pytest.mark.parametrize("gtin", ["ABCDEFGH", "123456789", "6901-2345-678"])
def test_a_gtin_that_is_not_8_12_13_or_14_digits_is_a_422(client, store, db, gtin):
    _, key = store
    problem = assert_problem(post(client, key, return_body(lines=[line(gtin=gtin)])), 422)
    assert "lines.0.gtin" in problem["errors"]
    assert_nothing_written(db)


@pytest.mark.parametrize("gtin", ["96385074", "036000291452", "6901234567892", "06901234567892"])
def test_a_gtin_of_any_length_with_its_check_digit_is_accepted(client, store, gtin):
    _, key = store
    response = post(client, key, return_body(lines=[line(gtin=gtin)]))
    assert response.status_code == 201, response.json
    assert response.json["lines"][0]["gtin"] == gtin


@pytest.mark.parametrize(
    "serial",
    ["ＳＮ８８４２", "序列号8842", "SF1234567890123", "SN 1\t2"],
    ids=["full-width", "chinese", "reads-as-tracking", "control"],
)
def test_a_serial_number_no_scan_could_read_back_is_a_422_and_nothing_is_written(
    client, store, db, serial
):
    _, key = store
    body = return_body(lines=[line(serial_numbers=["SN8842A1X", serial], quantity=2)])
    problem = assert_problem(post(client, key, body), 422)
    assert list(problem["errors"]) == ["lines.0.serial_numbers.1"]
    assert_nothing_written(db)


def test_a_sku_no_scan_could_read_back_is_refused_only_on_a_line_without_a_gtin(client, store, db):
    _, key = store
    without = return_body(lines=[line(sku="ＴＥＥ－Ｍ", gtin=None)])
    problem = assert_problem(post(client, key, without), 422)
    assert list(problem["errors"]) == ["lines.0.sku"]
    assert_nothing_written(db)
    with_gtin = return_body(lines=[line(sku="ＴＥＥ－Ｍ")])
    assert post(client, key, with_gtin).status_code == 201


# --- empty optional text ----------------------------------------------------------------------


def test_empty_optional_text_on_a_return_means_none(client, store):
    _, key = store
    body = return_body(
        reason_detail="",
        carrier="",
        tracking_number="  ",
        buyer={"id": "tb_buyer_1", "name": "", "phone": ""},
        lines=[line(gtin="", category="")],
    )
    response = post(client, key, body)
    assert response.status_code == 201, response.json
    ret = response.json
    assert (ret["reason_detail"], ret["carrier"], ret["tracking_number"]) == (None, None, None)
    assert ret["status"] == "awaiting_parcel"
    assert ret["buyer"] == {"id": "tb_buyer_1", "name": None, "phone": None}
    assert (ret["lines"][0]["gtin"], ret["lines"][0]["category"]) == (None, "default")


def test_empty_required_text_is_still_a_422(client, store, db):
    _, key = store
    body = return_body(external_id="", lines=[line(sku=" ")])
    problem = assert_problem(post(client, key, body), 422)
    assert {"external_id", "lines.0.sku"} <= problem["errors"].keys()
    assert_nothing_written(db)


def test_empty_text_in_a_list_is_still_a_422(client, store, db):
    _, key = store
    body = return_body(lines=[line(serial_numbers=[""])])
    problem = assert_problem(post(client, key, body), 422)
    assert "lines.0.serial_numbers.0" in problem["errors"]
    assert_nothing_written(db)


@pytest.mark.parametrize("number", ["1Z999AA10123456785", "EE123456789CN"])
def test_a_tracking_number_whose_check_digit_fails_is_a_422_on_create_and_on_tracking(
    client, store, db, number
):
    _, key = store
    problem = assert_problem(post(client, key, return_body(tracking_number=number)), 422)
    assert "check digit" in problem["errors"]["tracking_number"][0]
    assert_nothing_written(db)
    ret = post(client, key, return_body()).json
    response = client.put(
        f"/api/v1/returns/{ret['id']}/tracking",
        json={"tracking_number": number},
        headers=bearer(key),
    )
    assert "tracking_number" in assert_problem(response, 422)["errors"]
    after = client.get(f"/api/v1/returns/{ret['id']}", headers=bearer(key)).json
    assert (after["status"], after["tracking_number"]) == ("awaiting_parcel", None)
