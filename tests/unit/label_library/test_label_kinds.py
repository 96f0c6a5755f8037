"""What each kind of label says, and what a return slip keeps to itself."""

from __future__ import annotations

import pytest

from labels import BinLabel, ReturnSlip, UnitLabel, mask_name
from labels.kinds import layout
from labels.layout import QrCode, Text
from labels.qr import QUIET_MODULES


def texts(label, dpi=203) -> list[str]:
    return [e.text for e in layout(label, dpi).elements if isinstance(e, Text)]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张小明", "张**"),
        ("张三", "张**"),
        ("欧阳娜娜", "欧**"),
        ("John Smith", "J** S**"),
        ("", ""),
    ],
)
def test_buyer_names_keep_only_their_first_characters(name, masked):
    assert mask_name(name) == masked


def test_a_return_slip_shows_the_masked_buyer_name_never_the_full_one(rma):
    shown = " ".join(texts(ReturnSlip(rma, "优品数码旗舰店", "张小明", "TB123", ["1 × 耳机"])))

    assert "张**" in shown
    assert "小明" not in shown
    assert "TB123" in shown
    assert "优品数码旗舰店" in shown
    assert "1 × 耳机" in shown


def test_a_unit_label_shows_title_sku_and_grade_and_route_once_known(lpn):
    before = texts(UnitLabel(lpn, "SKU-9", "蓝牙耳机"))
    after = texts(UnitLabel(lpn, "SKU-9", "蓝牙耳机", grade="B", route="refurbish"))

    assert before == ["蓝牙耳机", "SKU SKU-9"]
    assert "B · refurbish" in after


@pytest.mark.parametrize("dpi", [203, 300])
def test_every_element_lies_inside_the_label(dpi, lpn, rma, bin_location):
    for label in (
        UnitLabel(lpn, "SKU", "T", "A", "restock"),
        ReturnSlip(rma, "店", "张三", "O", ["x"] * 50),
        BinLabel(bin_location),
    ):
        page = layout(label, dpi)
        for element in page.elements:
            x, y, width, height = element.extent
            assert x >= 0 and x + width <= page.width, element
            assert y >= 0 and y + height <= page.height, element


def test_the_qr_code_keeps_its_quiet_zone_clear_of_the_details_beside_it(rma):
    page = layout(ReturnSlip(rma, "店", "张三", "O", ["x"] * 50), 203)
    (code,) = [e for e in page.elements if isinstance(e, QrCode)]
    quiet = QUIET_MODULES * code.module
    zone = (code.x - quiet, code.y - quiet, code.x + code.size + quiet, code.y + code.size + quiet)

    for element in page.elements:
        if element is code:
            continue
        x, y, width, height = element.extent
        overlaps = x < zone[2] and zone[0] < x + width and y < zone[3] and zone[1] < y + height
        assert not overlaps, element


def test_a_slips_lines_are_a_sequence_of_lines_not_one_string(rma):
    with pytest.raises(TypeError):
        ReturnSlip(rma, "店", "张三", "O1", "1 × 耳机")

    assert ReturnSlip(rma, "店", "张三", "O1", ["a", "b"]).lines_summary == ("a", "b")
