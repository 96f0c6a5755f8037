"""Our own codes: RMA numbers, LPNs, staff badges and bin codes, with their check character."""

from __future__ import annotations

import pytest

from scanners import codes, parse
from scanners.scan import BAD_CHECK, BAD_FORMAT, TRUNCATED

ISSUERS = [("rma", codes.new_rma_number), ("lpn", codes.new_lpn), ("badge", codes.new_badge_code)]


def other_check_character(code: str) -> str:
    """`code` with a different, wrong, check character."""
    wrong = "0" if code[-1] != "0" else "1"
    return code[:-1] + wrong


@pytest.mark.parametrize(("kind", "issue"), ISSUERS)
def test_an_issued_code_is_read_back_as_its_kind(kind, issue):
    code = issue()
    scan = parse(code + "\r\n")
    assert (scan.kind, scan.value, scan.verified, scan.problem) == (kind, code, True, None)


@pytest.mark.parametrize(
    ("code", "kind"),
    [("RMA7K2D9QX4W", "rma"), ("LPN3Q8ZK1M7TQ", "lpn"), ("BDG4KQ7ZPH", "badge")],
)
def test_the_examples_in_the_codes_docstrings_are_valid(code, kind):
    assert codes.kind_of_own_code(code) == kind
    assert parse(code).kind == kind


@pytest.mark.parametrize(("kind", "issue"), ISSUERS)
def test_a_code_with_a_wrong_check_character_is_unknown_with_a_problem(kind, issue):
    code = other_check_character(issue())
    scan = parse(code)
    assert (scan.kind, scan.value, scan.problem_code) == ("unknown", code, BAD_CHECK)
    assert "wrong check character" in scan.problem


@pytest.mark.parametrize(("kind", "issue"), ISSUERS)
def test_a_code_scanned_in_lower_case_is_read_in_upper_case(kind, issue):
    code = issue()
    assert parse(code.lower()).value == code


def test_a_code_typed_in_full_width_characters_is_read():
    code = codes.new_rma_number()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert parse(full_width).value == code


def test_a_code_cut_short_is_truncated():
    code = codes.new_lpn()
    scan = parse(code[:-1])
    assert (scan.kind, scan.problem_code) == ("unknown", TRUNCATED)
    assert "12 characters of 13" in scan.problem


def test_a_code_with_a_character_too_many_is_a_problem():
    code = codes.new_rma_number()
    assert parse(code + "7").problem_code == BAD_FORMAT


def test_a_word_starting_with_rma_is_not_taken_for_an_rma_number():
    for text in ("RMA", "RMA-2024-17", "RMA20240001XYZ999"):
        scan = parse(text)
        assert (scan.kind, scan.problem) == ("unknown", None)


def test_a_bin_code_is_unknown_to_parse_and_read_by_read_bin_code():
    code = codes.bin_code("A0103")
    scan = parse(code.lower())
    assert scan.kind == "unknown"
    assert codes.read_bin_code(scan.value) == code


def test_a_bin_code_with_a_wrong_check_character_is_not_a_bin_code():
    assert codes.read_bin_code(other_check_character(codes.bin_code("A0103"))) is None
    assert codes.read_bin_code("A") is None
    assert codes.read_bin_code("A-01") is None
