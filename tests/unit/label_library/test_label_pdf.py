"""PDF output: labels one per page at their size, A4 sheets, bars stored without loss."""

from __future__ import annotations

import io

import pypdf
import pytest

from labels import (
    BinLabel,
    LabelError,
    ReturnSlip,
    UnitLabel,
    render_labels_pdf,
    render_sheet,
    render_unit_label,
)
from scanners.codes import new_lpn


def pages_mm(pdf: bytes) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [
        (
            round(float(p.mediabox.width) / 72 * 25.4, 1),
            round(float(p.mediabox.height) / 72 * 25.4, 1),
        )
        for p in reader.pages
    ]


def page_images(pdf: bytes):
    return [page.images[0].image for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("dpi", [203, 300])
def test_a_unit_label_pdf_is_one_page_of_exactly_50_by_30_mm(dpi, lpn, decode):
    pdf = render_unit_label(UnitLabel(lpn, "SKU-1", "蓝牙耳机"), "pdf", dpi)

    assert pdf.startswith(b"%PDF")
    assert pages_mm(pdf) == [(50.0, 30.0)]
    (image,) = page_images(pdf)
    assert decode(image) == [lpn]


def test_all_unit_labels_of_a_parcel_make_one_pdf_with_a_page_each(decode):
    lpns = [new_lpn() for _ in range(5)]
    pdf = render_labels_pdf([UnitLabel(lpn, "SKU-1", "蓝牙耳机") for lpn in lpns], dpi=203)

    assert pdf.startswith(b"%PDF")
    assert pages_mm(pdf) == [(50.0, 30.0)] * 5
    assert [decode(image) for image in page_images(pdf)] == [[lpn] for lpn in lpns]


def test_labels_of_different_kinds_keep_their_own_page_sizes(lpn, rma, bin_location):
    pdf = render_labels_pdf(
        [UnitLabel(lpn, "S", "T"), ReturnSlip(rma, "店", "张三", "O1"), BinLabel(bin_location)],
        dpi=300,
    )

    assert pages_mm(pdf) == [(50.0, 30.0), (100.0, 150.0), (100.0, 50.0)]


def test_bars_are_stored_losslessly_as_one_bit_images(lpn):
    (image,) = page_images(render_unit_label(UnitLabel(lpn, "S", "T"), "pdf", 203))

    assert image.mode == "1"


def test_a_sheet_fits_24_labels_on_each_a4_page_and_every_one_scans(decode):
    lpns = [new_lpn() for _ in range(25)]
    pdf = render_sheet([UnitLabel(lpn, "SKU-1", "蓝牙耳机") for lpn in lpns])

    assert pdf.startswith(b"%PDF")
    assert pages_mm(pdf) == [(210.0, 297.0)] * 2
    first, second = page_images(pdf)
    assert sorted(decode(first)) == sorted(lpns[:24])
    assert decode(second) == lpns[24:]


def test_an_empty_sheet_or_pdf_is_refused():
    with pytest.raises(LabelError):
        render_sheet([])
    with pytest.raises(LabelError):
        render_labels_pdf([])
