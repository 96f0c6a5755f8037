"""The noise real handhelds add around and inside a code, and input that is no scan at all."""

from __future__ import annotations

import pytest

from scanners import parse
from scanners.clean import MAX_LENGTH
from scanners.scan import EMPTY, GARBLED, NOT_TEXT, TOO_LONG

UPS = "1Z5R89390357567127"  # jkeen/tracking_number_data couriers/ups.json
EAN = "4006381333931"  # Wikipedia "International Article Number"


@pytest.mark.parametrize(
    "raw",
    [
        UPS + "\r\n",
        UPS + "\n",
        UPS + "\r",
        UPS + "\t",
        "  " + UPS + "  ",
        "\x02" + UPS + "\x03",  # STX/ETX framing
        "\ufeff" + UPS,  # a byte order mark from a Windows text field
        UPS[:9] + "\u200b" + UPS[9:],  # a zero-width space pasted in
        "\u3000" + UPS + "\u3000",  # ideographic spaces from a Chinese input method
        UPS.lower(),  # caps lock, or a keyboard-wedge scanner in lower-case mode
        "]C0" + UPS,  # AIM identifier of Code 128
        " 1Z 5R8 939 03 5756 7127 ",  # typed from the label, in its printed groups
    ],
)
def test_terminators_padding_and_case_are_cleaned_off(raw):
    scan = parse(raw)
    assert (scan.kind, scan.value, scan.carrier) == ("tracking", UPS, "ups")
    assert scan.problem is None


def test_full_width_characters_from_a_chinese_input_method_are_folded_to_ascii():
    scan = parse("１Ｚ５Ｒ８９３９０３５７５６７１２７")
    assert (scan.kind, scan.value) == ("tracking", UPS)
    assert parse("４００６３８１３３３９３１").value == EAN


def test_full_width_text_of_no_known_format_is_folded_but_keeps_its_case():
    assert parse("ＳＫＵ－ａｂｃ１２３").value == "SKU-abc123"


@pytest.mark.parametrize(("prefix"), ["]E0", "]E4", "]C1", "]d2", "]Q3", "]e0", "]I1"])
def test_an_aim_symbology_identifier_is_stripped_and_kept_apart(prefix):
    data = "0109521234543213" if prefix in ("]C1", "]d2", "]Q3", "]e0") else EAN
    if prefix == "]E4":
        data = "73513537"  # stdnum ean.py doctest EAN-8
    if prefix == "]I1":
        data = "98412345678908"  # stdnum ean.py doctest GTIN-14
    scan = parse(prefix + data)
    assert scan.symbology == prefix
    assert prefix not in scan.value
    assert scan.kind in ("gtin", "gs1")
    assert scan.problem is None


def test_a_stray_control_character_inside_a_code_is_dropped():
    scan = parse(EAN[:5] + "\x00" + EAN[5:])
    assert (scan.kind, scan.value) == ("gtin", EAN)


def test_group_separators_sent_as_ascii_29_separate_gs1_fields():
    scan = parse("]C10109521234543213" + "10AB1\x1d" + "21S7")
    assert (scan.batch, scan.serial) == ("AB1", "S7")


@pytest.mark.parametrize("stand_in", ["~", "|", "<GS>", "^"])
def test_a_configured_stand_in_for_the_group_separator_separates_gs1_fields(stand_in):
    raw = "0109521234543213" + "10AB1" + stand_in + "21S7"
    scan = parse(raw, gs_stand_in=stand_in)
    assert (scan.kind, scan.batch, scan.serial) == ("gs1", "AB1", "S7")


def test_text_with_the_stand_in_that_is_not_gs1_is_read_as_it_is():
    scan = parse("SKU~RED~42", gs_stand_in="~")
    assert (scan.kind, scan.value, scan.problem) == ("unknown", "SKU~RED~42", None)


def test_a_leading_group_separator_is_fnc1_and_marks_gs1_data():
    scan = parse("\x1d0109521234543213" + "10AB1")
    assert (scan.kind, scan.batch) == ("gs1", "AB1")


def test_a_plain_code_of_no_known_format_is_unknown_with_its_text_and_no_problem():
    for raw, value in [
        ("ORDER-2024-0001\r", "ORDER-2024-0001"),
        ("240101-123456789012345", "240101-123456789012345"),  # a Pinduoduo order number
        ("3056781234567890123", "3056781234567890123"),  # a Taobao order number
        ("sku  Red 42", "sku Red 42"),
        ("C02XK0J3JG5J", "C02XK0J3JG5J"),  # a serial number
    ]:
        scan = parse(raw)
        assert (scan.kind, scan.value, scan.problem) == ("unknown", value, None)


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\x00\x00", "]C1", None])
def test_nothing_scanned_is_unknown_with_a_problem(raw):
    scan = parse(raw)
    assert (scan.kind, scan.value, scan.problem_code) == ("unknown", "", EMPTY)


def test_a_megabyte_string_is_cut_off_with_a_problem():
    scan = parse("9" * 1_000_000)
    assert scan.kind == "unknown"
    assert scan.problem_code == TOO_LONG
    assert len(scan.value) == MAX_LENGTH
    assert "1000000 characters" in scan.problem


def test_bytes_that_are_not_text_are_garbled():
    scan = parse(b"\xff\xfe\x81junk")
    assert (scan.kind, scan.problem_code) == ("unknown", GARBLED)
    assert scan.value == "junk"


def test_bytes_of_utf8_text_are_read_like_text():
    assert parse(b"1Z5R89390357567127\r\n").carrier == "ups"
    assert parse(bytearray(b"4006381333931")).kind == "gtin"


def test_mostly_control_characters_are_garbled():
    scan = parse("A\x01\x02B\x03\x04C")
    assert scan.problem_code == GARBLED


def test_emoji_and_mixed_scripts_are_kept_as_an_unknown_value():
    scan = parse("退货📦 return Возврат")
    assert (scan.kind, scan.value, scan.problem) == ("unknown", "退货📦 return Возврат", None)


@pytest.mark.parametrize("raw", [42, 4.2, ["1Z"], object()])
def test_something_that_is_not_text_is_unknown_with_a_problem(raw):
    scan = parse(raw)
    assert (scan.kind, scan.problem_code) == ("unknown", NOT_TEXT)
