"""Product codes: GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14, check digits by
python-stdnum's `stdnum.ean` (GS1 General Specifications §7.9.1, mod 10 with weights 3/1).
"""

from __future__ import annotations

from stdnum import ean

GTIN_LENGTHS = (8, 12, 13, 14)


def is_gtin(digits: str) -> bool:
    """Whether `digits` is a GTIN-8/12/13/14 with a correct check digit."""
    return (
        len(digits) in GTIN_LENGTHS
        and digits.isascii()
        and digits.isdigit()
        and ean.calc_check_digit(digits[:-1]) == digits[-1]
    )


def gtin14(digits: str) -> str:
    """A GTIN in the 14-digit form GS1 compares them in (zeros in front)."""
    return digits.zfill(14)


def normalise_gtin(text: str) -> str | None:
    """The 14-digit form of a GTIN written any usual way (``6 901234 567892``, ``0-12345-
    67890-5``), or None when it is not a valid GTIN.

    The service uses this on the GTINs a store sends, so that they compare equal to
    `Scan.gtin` whatever length the store wrote them in.
    """
    digits = "".join(text.split()).replace("-", "")
    if not is_gtin(digits):
        return None
    return gtin14(digits)


def expected_check_digit(digits: str) -> str:
    """The check digit `digits` (check digit included) should end in."""
    return ean.calc_check_digit(digits[:-1])
