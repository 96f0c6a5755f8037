"""Bad input is refused with clear errors: dpi, characters Code 128 cannot carry, codes too long."""

from __future__ import annotations

import pytest

from labels import (
    BinLabel,
    CodeTooLong,
    LabelError,
    UnencodableText,
    UnitLabel,
    UnsupportedDpi,
    UnsupportedFormat,
    render_bin_label,
    render_label,
    render_unit_label,
)
from labels.code128 import check_encodable, modules, plan, subset_b_modules
from labels.geometry import mm_to_dots
from scanners.codes import bin_code


@pytest.mark.parametrize("dpi", [200, 600, 0, -203, "203", 203.0, True, None])
def test_a_dpi_other_than_203_or_300_is_a_value_error(dpi, lpn):
    with pytest.raises(UnsupportedDpi) as raised:
        render_unit_label(UnitLabel(lpn, "S", "T"), "png", dpi)

    assert isinstance(raised.value, ValueError)
    assert "203" in str(raised.value) and "300" in str(raised.value)


def test_an_unknown_format_is_refused(lpn):
    with pytest.raises(UnsupportedFormat):
        render_label(UnitLabel(lpn, "S", "T"), "svg", 203)


@pytest.mark.parametrize(
    "code", ["LPN中文", "LPNÉ", "LPN\x00", "LPN\t1", "LPN\n", "LPN\x7f", "", " LPN1", "LPN1 "]
)
def test_text_code_128_cannot_carry_or_a_scanner_would_change_is_refused(code):
    with pytest.raises(UnencodableText) as raised:
        render_unit_label(UnitLabel(code, "S", "T"), "png", 203)

    assert isinstance(raised.value, LabelError)


def test_the_refusal_names_the_characters_at_fault():
    with pytest.raises(UnencodableText, match="'中'"):
        check_encodable("A中B")


def test_printable_ascii_is_encodable_including_zpl_special_characters():
    assert check_encodable("A^B~C>D_E a") == "A^B~C>D_E a"


def test_the_module_pattern_is_python_barcodes_with_its_stop_bar():
    pattern = modules("LPN3Q8ZK1M7TA")

    assert set(pattern) == {"0", "1"}
    assert pattern.startswith("11010010000")  # start code B
    assert pattern.endswith("1100011101011")  # stop pattern with its final bar
    assert len(pattern) == subset_b_modules("LPN3Q8ZK1M7TA") == 178


def test_a_code_too_long_for_the_unit_label_is_refused_clearly():
    with pytest.raises(CodeTooLong, match=r"mm"):
        render_unit_label(UnitLabel("LPN" + "7" * 4 + "ABCDEFGHJKMN", "S", "T"), "zpl", 203)


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_longest_bin_code_the_service_can_issue_fits_its_label(dpi, decode):
    longest = bin_code("A" * 20)

    assert decode(render_bin_label(BinLabel(longest), "png", dpi)) == [longest]


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_module_is_the_widest_whole_dot_count_that_fits(dpi):
    width = mm_to_dots(100, dpi)
    symbol = plan("RMA7K2D9QX4P", width, dpi, max_module_mm=0.5)

    assert symbol.module == mm_to_dots(0.5, dpi)
    assert symbol.reserved_modules * symbol.module <= width
    small = plan("RMA7K2D9QX4P", width, dpi, max_module_mm=10)
    assert small.reserved_modules * (small.module + 1) > width or small.module == 10
