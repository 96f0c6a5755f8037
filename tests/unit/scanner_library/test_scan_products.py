"""Product codes: GTINs (EAN/UPC) and GS1 element strings, with their check digits."""

from __future__ import annotations

import pytest

from scanners import normalise_gtin, parse
from scanners.scan import BAD_CHECK, BAD_FORMAT

GTINS = [
    # Wikipedia "International Article Number": the EAN-13 example 4006381333931.
    "4006381333931",
    # python-stdnum stdnum/ean.py doctests: EAN-8, EAN-13 (an ISBN), GTIN-14.
    "73513537",
    "9780471117094",
    "98412345678908",
    # Wikipedia "Universal Product Code": the UPC-A example 036000291452.
    "036000291452",
    # bwipp/postscriptbarcode wiki "GS1 Digital Link URIs": GTIN 09521234543213.
    "09521234543213",
]


@pytest.mark.parametrize("gtin", GTINS)
def test_a_published_gtin_is_a_gtin_in_its_14_digit_form(gtin):
    scan = parse(gtin)
    assert (scan.kind, scan.value, scan.gtin) == ("gtin", gtin, gtin.zfill(14))
    assert scan.verified
    assert scan.problem is None


@pytest.mark.parametrize("gtin", [g for g in GTINS if len(g) in (13, 14)])
def test_an_ean_13_or_gtin_14_with_a_wrong_check_digit_is_unknown_with_a_problem(gtin):
    twin = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    scan = parse(twin)
    assert (scan.kind, scan.value, scan.gtin) == ("unknown", twin, None)
    assert scan.problem_code == BAD_CHECK
    assert f"expected {gtin[-1]}" in scan.problem


@pytest.mark.parametrize(
    ("symbol", "twin"), [("]E0036000291452", "]E0036000291453"), ("]E473513537", "]E473513538")]
)
def test_an_ean_or_upc_symbol_with_a_wrong_check_digit_is_unknown_with_a_problem(symbol, twin):
    assert parse(symbol).kind == "gtin"
    scan = parse(twin)
    assert scan.kind == "unknown"
    assert scan.problem_code == BAD_CHECK
    assert scan.symbology == twin[:3]


def test_twelve_or_eight_bare_digits_failing_the_check_are_unknown_without_a_problem():
    # JD order numbers have twelve digits: without an EAN/UPC symbology identifier, twelve
    # digits do not claim to be a UPC.
    for digits in ("036000291453", "73513538"):
        scan = parse(digits)
        assert (scan.kind, scan.problem) == ("unknown", None)


def test_an_ean_13_with_an_add_on_reads_as_the_ean_13():
    scan = parse("]E3978047111709412")
    assert (scan.kind, scan.value) == ("gtin", "9780471117094")


def test_an_itf_14_symbol_is_a_gtin_14():
    scan = parse("]I198412345678908")
    assert (scan.kind, scan.gtin) == ("gtin", "98412345678908")


def test_an_ean_symbol_that_is_not_digits_is_unknown_with_a_problem():
    scan = parse("]E0ABC")
    assert (scan.kind, scan.problem_code) == ("unknown", BAD_FORMAT)


def test_normalise_gtin_gives_the_14_digit_form_of_any_usual_spelling():
    assert normalise_gtin("0-36000-29145-2") == "00036000291452"
    assert normalise_gtin(" 4 006381 333931 ") == "04006381333931"
    assert normalise_gtin("4006381333932") is None
    assert normalise_gtin("hello") is None


# python-stdnum stdnum/gs1_128.py doctest: (01)38425876095074(17)181119(37)1
STDNUM_SAMPLE = "(01)38425876095074(17)181119(37)1"


def test_a_gs1_128_scan_gives_its_application_identifiers():
    raw = "]C1" + "0138425876095074" + "17181119" + "371"
    scan = parse(raw)
    assert scan.kind == "gs1"
    assert scan.value == STDNUM_SAMPLE
    assert dict(scan.ai) == {"01": "38425876095074", "17": "181119", "37": "1"}
    assert scan.gtin == "38425876095074"
    assert scan.symbology == "]C1"
    assert scan.verified


def test_variable_length_fields_end_at_the_group_separator():
    raw = "]d2" + "0109521234543213" + "10ABC123\x1d" + "21SN 9".replace(" ", "") + "\x1d" + "3012"
    scan = parse(raw)
    assert dict(scan.ai) == {"01": "09521234543213", "10": "ABC123", "21": "SN9", "30": "12"}
    assert (scan.batch, scan.serial) == ("ABC123", "SN9")


def test_the_common_application_identifiers_are_read():
    # SSCC 106141411234567897: bwipp/postscriptbarcode wiki "GS1 Digital Link URIs".
    raw = "\x1d" + "00106141411234567897" + "15261231" + "11240101" + "240PART-7\x1d" + "3710"
    scan = parse(raw)
    assert dict(scan.ai) == {
        "00": "106141411234567897",
        "15": "261231",
        "11": "240101",
        "240": "PART-7",
        "37": "10",
    }


def test_a_gs1_value_keeps_its_case():
    scan = parse("]C1" + "0109521234543213" + "10abC1")
    assert scan.batch == "abC1"


def test_the_human_readable_form_is_read_as_gs1():
    scan = parse(STDNUM_SAMPLE)
    assert (scan.kind, scan.value) == ("gs1", STDNUM_SAMPLE)


def test_gtin_digits_followed_by_more_fields_are_gs1_even_without_a_symbology_identifier():
    scan = parse("0109521234543213" + "10ABC123")
    assert (scan.kind, scan.gtin, scan.batch) == ("gs1", "09521234543213", "ABC123")


def test_a_batch_code_that_looks_like_an_ai_is_not_gs1():
    scan = parse("10D9T")
    assert (scan.kind, scan.value, scan.problem) == ("unknown", "10D9T", None)


def test_a_gs1_symbol_whose_data_does_not_validate_is_unknown_with_a_problem():
    scan = parse("]C1" + "0109521234543214")  # GTIN check digit should be 3
    assert scan.kind == "unknown"
    assert scan.problem_code == BAD_CHECK
    assert "(01)" in scan.problem


def test_a_wrong_sscc_check_digit_is_caught():
    scan = parse("]C1" + "00106141411234567898")
    assert (scan.kind, scan.problem_code) == ("unknown", BAD_CHECK)


def test_an_impossible_date_makes_gs1_data_invalid():
    scan = parse("]C1" + "0109521234543213" + "17261331")
    assert (scan.kind, scan.problem_code) == ("unknown", BAD_FORMAT)
    assert "not a date" in scan.problem


def test_day_00_means_the_end_of_the_month_and_is_valid():
    assert parse("]C1" + "0109521234543213" + "17261200").kind == "gs1"


def test_letters_in_a_numeric_field_make_gs1_data_invalid():
    scan = parse("]C1" + "0109521234543213" + "30A1")
    assert (scan.kind, scan.problem_code) == ("unknown", BAD_FORMAT)


def test_a_mislabelled_symbol_falls_back_to_what_its_data_is():
    # A scanner that marks every Code 128 as GS1: the data is still a UPS number.
    scan = parse("]C1" + "1Z5R89390357567127")
    assert (scan.kind, scan.carrier) == ("tracking", "ups")


def test_a_usps_impb_label_in_gs1_128_reads_as_the_usps_tracking_number():
    # jkeen usps.json sample 4201002334249200190132607600833457, as its GS1-128 label sends it.
    scan = parse("]C1" + "42010023" + "3424" + "\x1d" + "9200190132607600833457")
    assert (scan.kind, scan.value, scan.carrier) == ("tracking", "9200190132607600833457", "usps")
    assert scan.ai["420"] == "100233424"


@pytest.mark.parametrize(
    ("uri", "fields"),
    [
        # bwipp/postscriptbarcode wiki "GS1 Digital Link URIs" examples
        (
            "https://id.gs1.org/01/09521234543213/10/ABC123/21/12345",
            {"01": "09521234543213", "10": "ABC123", "21": "12345"},
        ),
        (
            "https://id.gs1.org/01/09521234543213/10/ABC123?17=261231",
            {"01": "09521234543213", "10": "ABC123", "17": "261231"},
        ),
        ("https://id.gs1.org/00/106141411234567897", {"00": "106141411234567897"}),
        ("https://example.com/products/01/09521234543213", {"01": "09521234543213"}),
    ],
)
def test_a_gs1_digital_link_qr_code_is_read_as_gs1(uri, fields):
    scan = parse(uri)
    assert scan.kind == "gs1"
    assert dict(scan.ai) == fields


def test_a_digital_link_with_a_gtin_13_gives_the_14_digit_gtin():
    assert parse("https://example.com/01/4006381333931").gtin == "04006381333931"


def test_a_digital_link_with_a_wrong_gtin_check_digit_is_unknown_with_a_problem():
    scan = parse("https://id.gs1.org/01/09521234543214")
    assert (scan.kind, scan.problem_code) == ("unknown", BAD_CHECK)


def test_an_ordinary_web_address_is_unknown_without_a_problem():
    for url in ("https://example.com/2024/01/15/returns", "https://shop.example/item?id=7"):
        scan = parse(url)
        assert (scan.kind, scan.value, scan.problem) == ("unknown", url, None)
