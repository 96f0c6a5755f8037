"""Carrier tracking numbers: published sample numbers read as their carrier, and their twins
with a wrong check digit do not."""

from __future__ import annotations

import pytest

from scanners import normalise_tracking, parse
from scanners.carriers import fedex12_check_digit, s10_check_digit, ups_check_digit
from scanners.scan import BAD_CHECK, BAD_FORMAT

# Samples whose check digit the format verifies: (number, carrier).
CHECKED_SAMPLES = [
    # jkeen/tracking_number_data couriers/ups.json, test_numbers.valid
    ("1Z5R89390357567127", "ups"),
    ("1Z879E930346834440", "ups"),
    ("1Z410E7W0392751591", "ups"),
    ("1Z8V92A70367203024", "ups"),
    # jkeen/tracking_number_data couriers/s10.json, test_numbers.valid
    ("RB123456785GB", "post_gb"),
    ("RB123456785US", "usps"),
    # jkeen/tracking_number_data couriers/fedex.json: Express (12), Ground (15), SmartPost
    ("986578788855", "fedex"),
    ("477179081230", "fedex"),
    ("799531274483", "fedex"),
    ("041441760228964", "fedex"),
    ("568283610012000", "fedex"),
    ("61299998820821171811", "fedex"),
    # jkeen/tracking_number_data couriers/usps.json: USPS 20, USPS 91 (IMpb)
    ("03071790000523483741", "usps"),
    ("71123456789123456787", "usps"),
    ("71969010756003077385", "usps"),
    ("9505511069605048600624", "usps"),
    ("9400111201080805483016", "usps"),
    ("9361289878700317633795", "usps"),
    ("92748931507708513018050063", "usps"),
    # jkeen/tracking_number_data couriers/dhl.json, DHL Express
    ("3318810025", "dhl"),
    ("73891051146", "dhl"),
    ("8487135506", "dhl"),
]

# Chinese carriers publish no check digit; samples from BF-zh/Courier-Validation
# test/index.test.ts, and DHL's prefixed ids from jkeen/tracking_number_data dhl.json.
UNCHECKED_SAMPLES = [
    ("SF1385628716739", "sf"),
    ("YT8962646785389", "yto"),
    ("JT5261988016578", "jt"),
    ("JDX024407261700", "jd"),
    ("73610555582883", "zto"),
    ("463431409940372", "yunda"),
    ("JJD0099999999", "dhl"),
    ("GM2951173225174494", "dhl"),
]


def wrong_check_digit(number: str, position: int = -1) -> str:
    """`number` with the digit at `position` changed."""
    digit = number[position]
    index = position % len(number)
    return number[:index] + str((int(digit) + 1) % 10) + number[index + 1 :]


@pytest.mark.parametrize(("number", "carrier"), CHECKED_SAMPLES)
def test_a_published_sample_is_read_as_its_carriers_tracking_number(number, carrier):
    scan = parse(number)
    assert (scan.kind, scan.value, scan.carrier) == ("tracking", number, carrier)
    assert scan.carrier_candidates == (carrier,)
    assert scan.verified
    assert scan.problem is None


@pytest.mark.parametrize(("number", "carrier"), UNCHECKED_SAMPLES)
def test_a_carrier_number_without_a_check_digit_is_tracking_but_not_verified(number, carrier):
    scan = parse(number)
    assert (scan.kind, scan.value, scan.carrier) == ("tracking", number, carrier)
    assert not scan.verified


@pytest.mark.parametrize(
    "number",
    [n for n, _ in CHECKED_SAMPLES if n.startswith("1Z") or (n[0] == "9" and len(n) in (22, 26))],
)
def test_a_distinctive_number_with_a_wrong_check_digit_is_unknown_with_a_problem(number):
    twin = wrong_check_digit(number) if number[-1].isdigit() else number[:-1] + "0"
    scan = parse(twin)
    assert (scan.kind, scan.value, scan.carrier) == ("unknown", twin, None)
    assert scan.problem_code == BAD_CHECK
    assert "check digit" in scan.problem


def test_a_ups_number_with_a_wrong_check_digit_is_unknown():
    # jkeen/tracking_number_data ups.json lists this twin of 1Z5R89390357567127 as invalid.
    scan = parse("1Z5R89390357567128")
    assert scan.kind == "unknown"
    assert scan.problem == "a UPS 1Z number with a wrong check digit (expected 7)"


@pytest.mark.parametrize(
    "number", [n for n, _ in CHECKED_SAMPLES if len(n) in (10, 11, 12, 15, 20)]
)
def test_plain_digits_failing_a_carriers_check_are_not_that_carriers_number(number):
    # Ten to twenty digits alone do not claim a carrier (order numbers look alike), so the
    # twin is not read as the carrier's and is not called wrong either.
    scan = parse(wrong_check_digit(number))
    carrier = dict(CHECKED_SAMPLES)[number]
    assert carrier not in scan.carrier_candidates
    assert scan.problem is None


def test_an_s10_number_with_a_wrong_check_digit_is_unknown_with_a_problem():
    # jkeen/tracking_number_data s10.json lists RB123456786US as invalid.
    scan = parse("RB123456786US")
    assert scan.kind == "unknown"
    assert scan.problem_code == BAD_CHECK
    assert scan.problem == "a UPU S10 postal number with a wrong check digit (expected 5)"


def test_an_s10_number_from_no_country_is_unknown_with_a_problem():
    # jkeen/tracking_number_data s10.json lists RB123456785XX as invalid.
    scan = parse("RB123456785XX")
    assert scan.kind == "unknown"
    assert scan.problem_code == BAD_FORMAT


def test_china_post_s10_numbers_are_china_post_and_ems_items_are_ems():
    # s10.json's serial RB 12345678 5 under China's code; E_ service indicators are EMS.
    assert parse("RB123456785CN").carrier == "chinapost"
    assert parse("EE123456785CN").carrier == "ems"


def test_s10_check_digits_follow_the_upu_weights():
    # UPU S10: weights 8 6 4 2 3 5 9 7, mod 11; 11 - remainder, where 10 gives 0 and 11 gives 5.
    assert s10_check_digit("12345678") == "5"
    assert s10_check_digit("00000000") == "5"


def test_the_ups_check_digit_maps_letters_and_doubles_every_second_character():
    assert ups_check_digit("5R8939035756712") == "7"
    assert ups_check_digit("999AA1012345678") == "4"


def test_the_fedex_express_check_digit_weighs_3_1_7():
    assert fedex12_check_digit("98657878885") == "5"


@pytest.mark.parametrize(
    ("barcode", "tracking_number"),
    [
        # jkeen/tracking_number_data usps.json: "420" + ZIP (5 or 9 digits) + the IMpb number
        ("4201002334249200190132607600833457", "9200190132607600833457"),
        ("420221539101026837331000039521", "9101026837331000039521"),
        # jkeen/tracking_number_data fedex.json: Express 34, Ground GSN, Ground 96 (22)
        ("1001921334250001000300779017972697", "779017972697"),
        ("9622001900000000000000776632517510", "776632517510"),
        ("9611020987654312345672", "987654312345672"),
    ],
)
def test_a_long_carrier_barcode_is_read_as_the_tracking_number_printed_under_it(
    barcode, tracking_number
):
    scan = parse(barcode)
    assert (scan.kind, scan.value) == ("tracking", tracking_number)
    assert scan.verified


def test_a_long_carrier_barcode_with_a_wrong_check_digit_is_unknown_with_a_problem():
    scan = parse("4201028200009261290113185417468511")  # usps.json's invalid sample
    assert scan.kind == "unknown"
    assert scan.problem_code == BAD_CHECK


def test_a_number_fitting_two_carriers_names_both_and_picks_neither():
    # BF-zh's STO sample also has a valid FedEx Ground check digit.
    scan = parse("773277027280336")
    assert scan.kind == "tracking"
    assert scan.carrier is None
    assert scan.carrier_candidates == ("fedex", "sto")


def test_sto_and_yunda_overlap_on_fifteen_digits_starting_43():
    scan = parse("431234567890123")
    assert scan.carrier is None
    assert set(scan.carrier_candidates) == {"sto", "yunda"}
    assert not scan.verified


def test_a_usps_smartpost_number_is_both_usps_and_fedex():
    # jkeen lists 9261292700768711948021 as FedEx SmartPost; USPS delivers SmartPost.
    scan = parse("9261292700768711948021")
    assert scan.carrier is None
    assert scan.carrier_candidates == ("usps", "fedex")


def test_a_china_post_number_that_is_also_a_valid_ean_13_is_a_gtin_naming_the_carrier_too():
    # BF-zh's China Post sample happens to have a valid EAN-13 check digit.
    scan = parse("1207119765021")
    assert scan.kind == "gtin"
    assert scan.carrier_candidates == ("chinapost",)


def test_a_jd_package_label_reads_as_the_waybill_number():
    scan = parse("JDX024407261700-1-2-")
    assert (scan.kind, scan.value, scan.carrier) == ("tracking", "JDX024407261700", "jd")


def test_tracking_numbers_are_upper_case_without_spaces():
    scan = parse("1z 5r8 939 03 5756 7127")
    assert scan.value == "1Z5R89390357567127"
    assert scan.carrier == "ups"


def test_normalise_tracking_makes_a_registered_number_match_its_scan():
    assert normalise_tracking(" sf 1385 6287 16739 ") == parse("SF1385628716739\r\n").value
    assert normalise_tracking("jdx024407261700") == "JDX024407261700"


def test_normalise_tracking_upper_cases_a_number_of_no_known_format():
    assert normalise_tracking("ab 12-cd") == "AB12-CD"


def test_at_the_dock_digits_that_are_a_gtin_and_a_carrier_number_are_the_tracking_number():
    scan = parse("1207119765021", context="parcel")
    assert (scan.kind, scan.carrier) == ("tracking", "chinapost")


def test_at_the_dock_thirteen_digits_of_no_format_are_not_called_a_bad_ean():
    scan = parse("4006381333932", context="parcel")
    assert (scan.kind, scan.problem) == ("unknown", None)


def test_on_an_item_digits_that_only_fit_a_carrier_are_the_items_own_code():
    # A ten-digit serial number that happens to pass DHL's mod-7 check (dhl.json's sample).
    scan = parse("3318810025", context="item")
    assert (scan.kind, scan.value, scan.problem) == ("unknown", "3318810025", None)


def test_on_an_item_a_letter_prefixed_parcel_label_is_still_a_parcel_label():
    assert parse("SF1385628716739", context="item").kind == "tracking"
    assert parse("1Z5R89390357567127", context="item").kind == "tracking"


def test_on_an_item_a_gtin_stays_a_gtin():
    assert parse("1207119765021", context="item").kind == "gtin"
