"""Properties over many generated inputs: `parse` never raises, and every code the service
issues or a format defines reads back as itself."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import ean

from scanners import KINDS, PROBLEM_CODES, Scan, codes, parse
from scanners.carriers import s10_check_digit, ups_check_digit
from scanners.products import mod10_check_digit

# Pieces real scans are made of, so that generated input reaches every branch: AIM
# prefixes, separators, terminators, full-width forms, surrogates, published samples.
PIECES = [
    "]C1",
    "]E0",
    "]E3",
    "]E4",
    "]d2",
    "]Q3",
    "]I1",
    "\x1d",
    "\r\n",
    "\t",
    "\x00",
    "\ufeff",
    "\u3000",
    "\ud800",
    "\ufffd",
    "(01)",
    "(10)",
    "01",
    "10",
    "21",
    "00",
    "420",
    "92",
    "1Z",
    "RMA",
    "LPN",
    "BDG",
    "JD",
    "SF",
    "-1-1-",
    "https://id.gs1.org/01/",
    "09521234543213",
    "4006381333931",
    "1Z5R89390357567127",
    "RB123456785GB",
    "９",
    "ａ",
    "~",
    "?17=",
    "/",
]

scan_like_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=8), st.from_regex(r"[0-9]{1,22}")),
    max_size=12,
).map("".join)

anything = st.one_of(
    st.text(),
    scan_like_text,
    st.binary(),
    st.none(),
    st.integers(),
    st.floats(),
    st.lists(st.text(max_size=3), max_size=3),
)


def assert_well_formed(scan: Scan) -> None:
    assert isinstance(scan, Scan)
    assert scan.kind in KINDS
    assert isinstance(scan.value, str)
    assert scan.problem_code in (None, *PROBLEM_CODES)
    assert (scan.problem is None) == (scan.problem_code is None)
    if scan.problem is not None:
        assert scan.kind == "unknown"
    # The service sends it as JSON in UTF-8: no lone surrogates may survive.
    json.dumps(scan.to_dict(), ensure_ascii=False).encode("utf-8")


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(
    anything,
    st.one_of(st.none(), st.sampled_from(["~", "|", "<GS>", "\x1d", ""])),
    st.sampled_from([None, "parcel", "item"]),
)
def test_parse_never_raises_whatever_it_is_given(raw, stand_in, context):
    assert_well_formed(parse(raw, gs_stand_in=stand_in, context=context))


@settings(max_examples=300)
@given(st.text(min_size=1), st.integers(min_value=1, max_value=3))
def test_parse_never_raises_on_megabytes(text, megabytes):
    scan = parse(text * (megabytes * 1_000_000 // len(text) + 1))
    assert scan.problem_code == "too_long"


ISSUERS = st.sampled_from(
    [("rma", codes.new_rma_number), ("lpn", codes.new_lpn), ("badge", codes.new_badge_code)]
)
NOISE = st.sampled_from(
    [
        lambda c: c,
        lambda c: c + "\r\n",
        lambda c: "\t" + c + "\n",
        str.lower,
        lambda c: "]C0" + c,
        lambda c: "".join(chr(ord(x) + 0xFEE0) for x in c),  # full width
    ]
)


@settings(max_examples=300)
@given(ISSUERS, NOISE)
def test_every_issued_code_parses_back_to_itself_with_its_kind(issuer, noise):
    kind, issue = issuer
    code = issue()
    scan = parse(noise(code))
    assert (scan.kind, scan.value, scan.verified, scan.problem) == (kind, code, True, None)


@given(
    st.sampled_from(sorted(codes.KIND_OF_PREFIX)),
    st.data(),
)
def test_any_body_with_its_check_character_is_read_as_the_prefixs_kind(prefix, data):
    body_length = codes.CODE_LENGTH[prefix] - len(prefix) - 1
    body = data.draw(st.text(codes.CODE_ALPHABET, min_size=body_length, max_size=body_length))
    code = codes.with_check_character(prefix + body)
    assert parse(code).kind == codes.KIND_OF_PREFIX[prefix]


@given(st.from_regex(r"[0-9]{1,40}", fullmatch=True))
def test_the_fast_mod10_check_digit_agrees_with_python_stdnum(digits):
    assert mod10_check_digit(digits) == ean.calc_check_digit(digits)


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_any_ean_13_with_its_check_digit_is_a_gtin(body):
    code = body + ean.calc_check_digit(body)
    scan = parse(code)
    assert (scan.kind, scan.gtin) == ("gtin", "0" + code)


@given(
    st.from_regex(r"[0-9]{12}", fullmatch=True),
    st.integers(0, 12),
    st.integers(1, 9),
)
def test_changing_any_one_digit_of_an_ean_13_makes_it_no_gtin(body, position, shift):
    code = body + ean.calc_check_digit(body)
    changed = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    assert parse(changed).kind != "gtin"


@given(st.from_regex(r"[0-9A-Z]{15}", fullmatch=True))
def test_any_1z_number_with_its_check_digit_is_ups(body):
    scan = parse("1Z" + body + ups_check_digit(body))
    assert (scan.kind, scan.carrier) == ("tracking", "ups")


@given(
    st.from_regex(r"[A-Z]{2}", fullmatch=True),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
    st.sampled_from(["CN", "US", "GB", "DE", "JP"]),
)
def test_any_s10_number_with_its_check_digit_is_tracking(service, serial, country):
    scan = parse(service + serial + s10_check_digit(serial) + country)
    assert scan.kind == "tracking"
    assert scan.verified


@settings(max_examples=500)
@given(scan_like_text)
def test_reading_a_recognised_value_again_gives_the_same_scan(raw):
    scan = parse(raw)
    if scan.kind in ("rma", "lpn", "badge", "tracking", "gtin"):
        again = parse(scan.value)
        assert (again.kind, again.value) == (scan.kind, scan.value)
