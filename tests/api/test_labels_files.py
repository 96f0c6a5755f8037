"""Label files from the API: every barcode scans back to its code, in the format and dpi asked."""

from __future__ import annotations

import io
import uuid

import pytest
import zxingcpp
from factories import bearer, line, return_body
from PIL import Image
from pypdf import PdfReader

from scanners import codes

MM_PER_POINT = 25.4 / 72


@pytest.fixture
def receiver(staff_token):
    return bearer(staff_token("receiver"))


@pytest.fixture
def create_return(client, store):
    def _create(key=None, **overrides):
        response = client.post(
            "/api/v1/returns", json=return_body(**overrides), headers=bearer(key or store[1])
        )
        assert response.status_code == 201, response.json
        return response.json

    return _create


@pytest.fixture
def receive(client, receiver):
    """Receives every line of `ret` in one parcel; answers the parcel id and the LPNs."""

    def _receive(ret) -> tuple[str, list[str]]:
        parcel = client.post(
            "/api/v1/parcels/scan",
            json={"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]},
            headers=receiver,
        ).json["parcel"]
        lpns = []
        for ret_line in ret["lines"]:
            for _ in range(ret_line["quantity"]):
                scanned = client.post(
                    f"/api/v1/parcels/{parcel['id']}/items/scan",
                    json={"scan_id": str(uuid.uuid4()), "code": ret_line["sku"]},
                    headers=receiver,
                )
                assert scanned.status_code == 200, scanned.json
                lpns.append(scanned.json["unit"]["lpn"])
        return parcel["id"], lpns

    return _receive


@pytest.fixture
def lpn(create_return, receive):
    """The LPN of a unit the store of `store` owns."""
    return receive(create_return())[1][0]


def decoded(png: bytes) -> list[str]:
    """The text of every barcode a real decoder finds in the image."""
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def pages(pdf: bytes) -> list:
    return PdfReader(io.BytesIO(pdf)).pages


# --- unit labels ----------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [203, 300])
def test_a_unit_label_png_scans_as_its_lpn(client, receiver, lpn, dpi):
    response = client.get(f"/api/v1/labels/units/{lpn}.png?dpi={dpi}", headers=receiver)
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert response.headers["Content-Disposition"] == f'inline; filename="{lpn}.png"'
    assert decoded(response.data) == [lpn]
    width, height = Image.open(io.BytesIO(response.data)).size
    dots_per_mm = {203: 8, 300: 12}[dpi]
    assert (width, height) == (50 * dots_per_mm, 30 * dots_per_mm)


def test_a_unit_label_is_drawn_at_203_dpi_unless_asked(client, receiver, lpn):
    response = client.get(f"/api/v1/labels/units/{lpn}.png", headers=receiver)
    assert Image.open(io.BytesIO(response.data)).size == (400, 240)


@pytest.mark.parametrize(("dpi", "width", "length"), [(203, 400, 240), (300, 600, 360)])
def test_a_unit_label_zpl_is_sized_for_the_printers_dpi(client, receiver, lpn, dpi, width, length):
    response = client.get(f"/api/v1/labels/units/{lpn}.zpl?dpi={dpi}", headers=receiver)
    assert response.status_code == 200
    assert response.content_type == "application/zpl"
    assert response.headers["Content-Disposition"] == f'inline; filename="{lpn}.zpl"'
    zpl = response.data.decode()
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert f"^PW{width}" in zpl and f"^LL{length}" in zpl
    assert "^BC" in zpl and lpn in zpl


def test_a_unit_label_pdf_is_one_page_the_size_of_the_label(client, receiver, lpn):
    response = client.get(f"/api/v1/labels/units/{lpn}.pdf?dpi=300", headers=receiver)
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    [page] = pages(response.data)
    width_mm = float(page.mediabox.width) * MM_PER_POINT
    height_mm = float(page.mediabox.height) * MM_PER_POINT
    assert (round(width_mm), round(height_mm)) == (50, 30)


def test_a_lower_case_lpn_finds_the_same_unit(client, receiver, lpn):
    response = client.get(f"/api/v1/labels/units/{lpn.lower()}.png", headers=receiver)
    assert decoded(response.data) == [lpn]


@pytest.mark.parametrize("dpi", ["250", "96", "abc", "203.0"])
def test_a_dpi_other_than_203_or_300_is_refused_naming_dpi(client, receiver, lpn, dpi):
    response = client.get(f"/api/v1/labels/units/{lpn}.png?dpi={dpi}", headers=receiver)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == ["dpi"]


@pytest.mark.parametrize(
    "path",
    [
        f"units/{codes.new_lpn()}.png",  # well formed, but no such unit
        "units/LPN3Q8ZK1M7TX.png",  # a wrong check character
        "units/not-an-lpn.png",
        "units/{lpn}.gif",  # a format labels do not come in
        "units/{lpn}.svg",
    ],
)
def test_an_unknown_lpn_or_format_is_not_found(client, receiver, lpn, path):
    response = client.get("/api/v1/labels/" + path.format(lpn=lpn), headers=receiver)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_a_store_gets_the_labels_of_its_own_units_only(client, store, make_store, lpn):
    _, own_key = store
    _, other_key = make_store("店铺乙 Store B")
    own = client.get(f"/api/v1/labels/units/{lpn}.png", headers=bearer(own_key))
    assert own.status_code == 200
    assert decoded(own.data) == [lpn]
    other = client.get(f"/api/v1/labels/units/{lpn}.png", headers=bearer(other_key))
    assert other.status_code == 404
    assert other.json["detail"] == "No unit with that LPN."


# --- caching ----------------------------------------------------------------------------------


def test_a_label_the_client_already_holds_answers_304_without_a_body(client, receiver, lpn):
    first = client.get(f"/api/v1/labels/units/{lpn}.png", headers=receiver)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = client.get(
        f"/api/v1/labels/units/{lpn}.png", headers={**receiver, "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_each_format_and_dpi_has_its_own_etag(client, receiver, lpn):
    etags = {
        client.get(f"/api/v1/labels/units/{lpn}.{fmt}?dpi={dpi}", headers=receiver).headers["ETag"]
        for fmt in ("png", "pdf", "zpl")
        for dpi in (203, 300)
    }
    assert len(etags) == 6
    stale = client.get(
        f"/api/v1/labels/units/{lpn}.png?dpi=300",
        headers={**receiver, "If-None-Match": '"an-older-label"'},
    )
    assert stale.status_code == 200
    assert decoded(stale.data) == [lpn]


def test_labels_are_cached_privately_and_revalidated(client, receiver, lpn):
    response = client.get(f"/api/v1/labels/units/{lpn}.png", headers=receiver)
    # A unit label gains its grade and route at inspection: always revalidate it.
    assert response.headers["Cache-Control"] == "private, max-age=0"


# --- return slips -----------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [203, 300])
def test_a_return_slip_scans_as_its_rma_number(client, store, create_return, dpi):
    ret = create_return(buyer={"id": "b-1", "name": "张小明", "phone": "13800000000"})
    response = client.get(
        f"/api/v1/labels/returns/{ret['id']}.png?dpi={dpi}", headers=bearer(store[1])
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'inline; filename="{ret["rma_number"]}.png"'
    # The Code 128 barcode and the QR code both give the RMA number back.
    assert sorted(decoded(response.data)) == [ret["rma_number"]] * 2
    dots_per_mm = {203: 8, 300: 12}[dpi]
    assert Image.open(io.BytesIO(response.data)).size == (100 * dots_per_mm, 150 * dots_per_mm)


def test_a_return_slip_comes_as_pdf_and_zpl_too(client, receiver, create_return):
    ret = create_return()
    pdf = client.get(f"/api/v1/labels/returns/{ret['id']}.pdf", headers=receiver)
    assert pdf.content_type == "application/pdf"
    assert len(pages(pdf.data)) == 1
    zpl = client.get(f"/api/v1/labels/returns/{ret['id']}.zpl?dpi=300", headers=receiver)
    assert "^PW1200" in zpl.data.decode() and ret["rma_number"] in zpl.data.decode()


def test_another_stores_return_slip_is_not_found(client, make_store, create_return):
    ret = create_return()
    _, other_key = make_store()
    response = client.get(f"/api/v1/labels/returns/{ret['id']}.png", headers=bearer(other_key))
    assert response.status_code == 404


@pytest.mark.parametrize("return_id", ["not-a-uuid", str(uuid.uuid4())])
def test_a_malformed_or_unknown_return_id_is_not_found(client, receiver, return_id):
    response = client.get(f"/api/v1/labels/returns/{return_id}.png", headers=receiver)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


# --- a parcel's labels --------------------------------------------------------------------------


@pytest.fixture
def parcel(create_return, receive):
    """A parcel of three received units: its id and their LPNs."""
    return receive(create_return(lines=[line(quantity=2), line(sku="MUG-WHITE")]))


def test_a_parcels_unit_labels_are_one_pdf_with_a_page_per_unit(client, receiver, parcel):
    parcel_id, lpns = parcel
    response = client.get(f"/api/v1/labels/parcels/{parcel_id}.pdf", headers=receiver)
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="parcel-{parcel_id}.pdf"'
    assert len(pages(response.data)) == len(lpns) == 3


def test_a_parcels_unit_labels_are_one_zpl_job_with_a_format_per_unit(client, receiver, parcel):
    parcel_id, lpns = parcel
    zpl = client.get(f"/api/v1/labels/parcels/{parcel_id}.zpl?dpi=300", headers=receiver).data
    assert zpl.count(b"^XA") == zpl.count(b"^XZ") == 3
    assert zpl.count(b"^PW600") == 3
    for lpn in lpns:
        assert lpn.encode() in zpl


def test_a_parcels_labels_fit_on_one_a4_sheet_for_an_office_printer(client, receiver, parcel):
    parcel_id, _ = parcel
    response = client.get(f"/api/v1/labels/parcels/{parcel_id}.pdf?layout=sheet", headers=receiver)
    assert response.status_code == 200
    [page] = pages(response.data)
    size_mm = (
        float(page.mediabox.width) * MM_PER_POINT,
        float(page.mediabox.height) * MM_PER_POINT,
    )
    assert (round(size_mm[0]), round(size_mm[1])) == (210, 297)
    assert "sheet" in response.headers["Content-Disposition"]


def test_a_sheet_is_only_offered_as_a_pdf(client, receiver, parcel):
    parcel_id, _ = parcel
    response = client.get(f"/api/v1/labels/parcels/{parcel_id}.zpl?layout=sheet", headers=receiver)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["layout"]


def test_a_parcel_without_units_has_no_labels_yet(client, receiver, create_return):
    ret = create_return()
    parcel = client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]},
        headers=receiver,
    ).json["parcel"]
    response = client.get(f"/api/v1/labels/parcels/{parcel['id']}.pdf", headers=receiver)
    assert response.status_code == 409
    assert "no units" in response.json["detail"]


@pytest.mark.parametrize("path", ["{parcel_id}.png", "not-a-uuid.pdf", f"{uuid.uuid4()}.pdf"])
def test_an_unknown_parcel_or_a_png_of_many_labels_is_not_found(client, receiver, parcel, path):
    parcel_id, _ = parcel
    url = "/api/v1/labels/parcels/" + path.format(parcel_id=parcel_id)
    assert client.get(url, headers=receiver).status_code == 404


def test_store_systems_may_not_fetch_parcel_or_bin_labels(client, store, parcel):
    parcel_id, _ = parcel
    key = bearer(store[1])
    assert client.get(f"/api/v1/labels/parcels/{parcel_id}.pdf", headers=key).status_code == 403
    bin_code = codes.bin_code("A0103")
    assert client.get(f"/api/v1/labels/bins/{bin_code}.png", headers=key).status_code == 403


# --- bin labels -------------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [203, 300])
def test_a_bin_label_scans_as_its_code(client, receiver, dpi):
    code = codes.bin_code("A0103")
    response = client.get(f"/api/v1/labels/bins/{code}.png?dpi={dpi}", headers=receiver)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'inline; filename="{code}.png"'
    assert decoded(response.data) == [code]
    assert response.headers["Cache-Control"] == "private, max-age=86400"


def test_a_bin_code_with_a_wrong_check_character_is_not_found(client, receiver):
    code = codes.bin_code("A0103")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert client.get(f"/api/v1/labels/bins/{wrong}.png", headers=receiver).status_code == 404
    assert client.get("/api/v1/labels/bins/a-01.png", headers=receiver).status_code == 404


def test_a_bin_label_comes_as_zpl_for_the_dpi_asked(client, receiver):
    code = codes.bin_code("B1207")
    zpl = client.get(f"/api/v1/labels/bins/{code}.zpl?dpi=300", headers=receiver).data.decode()
    assert "^PW1200" in zpl and "^LL600" in zpl and code in zpl
