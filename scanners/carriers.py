"""Carrier tracking numbers: which carriers' formats a code fits, with check digits verified
where the format has one.

Sources, per format (also cited next to each rule below):

* UPU S10 (international post, China Post/EMS international): UPU standard S10, two-letter
  service indicator, 8-digit serial, mod-11 check digit with weights 8 6 4 2 3 5 9 7, ISO 3166
  country of the issuing post. Samples and weights as in jkeen/tracking_number_data
  ``couriers/s10.json`` and ``CHECKSUM_ALGORITHMS.md``.
* UPS ``1Z``: 6-character shipper, 2-character service, 7-character package, check digit
  (mod 10, letters mapped to digits, odd positions doubled); jkeen/tracking_number_data
  ``couriers/ups.json``.
* FedEx Express 12 digits (weights 3 1 7, mod 11, mod 10), FedEx Ground 15 digits and the
  ``96`` 22-digit barcode (GS1 mod 10), the 34-digit Express barcodes whose last 12 digits are
  the tracking number, SmartPost: jkeen/tracking_number_data ``couriers/fedex.json``.
* USPS 20 digits, IMpb 22/26 digits starting 91-95, and the ``420`` + ZIP barcode forms (GS1
  mod 10, USPS Publication 199): jkeen/tracking_number_data ``couriers/usps.json``.
* DHL Express 10/11 digits (mod 7), DHL piece ids ``JJD…``/``JVGL…`` and DHL eCommerce
  ``GM…`` (no check digit): jkeen/tracking_number_data ``couriers/dhl.json``.
* SF Express, JD Logistics, YTO, ZTO, STO, Yunda, J&T and China Post's domestic numbers: the
  carriers publish neither a specification nor a check digit; the formats are those observed
  and collected in BF-zh/Courier-Validation (``src/pattern/*.ts``, MIT licence). They are
  weak evidence: such a match is reported with ``verified=False`` and, where several
  carriers' formats overlap (STO's ``43…`` and Yunda's), with every candidate.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from scanners.products import mod10_ok
from scanners.scan import BAD_CHECK, BAD_FORMAT

#: Carriers by the slug `Scan.carrier` uses, with a name to show. UPU posts other than China
#: Post and USPS appear as ``post_`` + their ISO country code, such as ``post_gb``.
CARRIER_NAMES = {
    "chinapost": "China Post 中国邮政",
    "ems": "EMS 中国邮政速递",
    "sf": "SF Express 顺丰速运",
    "jd": "JD Logistics 京东物流",
    "yto": "YTO Express 圆通速递",
    "zto": "ZTO Express 中通快递",
    "sto": "STO Express 申通快递",
    "yunda": "Yunda Express 韵达快递",
    "jt": "J&T Express 极兔速递",
    "ups": "UPS",
    "fedex": "FedEx",
    "usps": "USPS",
    "dhl": "DHL",
}

# ISO 3166-1 alpha-2, the country part of an S10 number.
_COUNTRY_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
_COUNTRIES = frozenset(_COUNTRY_CODES.split())


class Tracking(NamedTuple):
    """One carrier whose format a code fits."""

    carrier: str
    #: The tracking number as the carrier knows it (a barcode may carry more, such as
    #: USPS's ``420`` + ZIP prefix or JD's package suffix).
    value: str
    #: Whether the format's check digit was verified (False: the format has none).
    verified: bool


class Reading(NamedTuple):
    """Every carrier a code fits, or why it fails the one format it claims."""

    matches: tuple[Tracking, ...] = ()
    #: Set when the code has a format only one kind of number has (``1Z…``, S10, IMpb) but
    #: fails its check; then `matches` is empty.
    problem: str | None = None
    problem_code: str = BAD_CHECK


NOTHING = Reading()


# --- check digits -----------------------------------------------------------------------


# USPS and FedEx Ground use GS1's mod 10 (weights 3 and 1 from the right).
gs1_mod10_ok = mod10_ok

# UPS counts a letter as (ASCII code - 3) mod 10: A=2, B=3 … (as a digit character here).
_UPS_VALUES = str.maketrans({chr(c): str((c - 3) % 10) for c in range(ord("A"), ord("Z") + 1)})


def ups_check_digit(body: str) -> str:
    """The check digit of the 15 characters between ``1Z`` and the check digit: letters
    mapped to digits, every second character doubled, mod 10."""
    codes = body.translate(_UPS_VALUES).encode()
    single, doubled = codes[0::2], codes[1::2]
    total = sum(single) + 2 * sum(doubled) - 48 * (len(single) + 2 * len(doubled))
    return str(-total % 10)


_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> str:
    """The UPU S10 check digit of an 8-digit serial number."""
    remainder = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return "5" if remainder == 0 else "0" if remainder == 1 else str(11 - remainder)


_FEDEX_WEIGHTS = (3, 1, 7)


def fedex12_check_digit(body: str) -> str:
    """The check digit of a FedEx Express number's first 11 digits (weights 3 1 7 from the
    left, mod 11, mod 10)."""
    total = sum(int(d) * _FEDEX_WEIGHTS[i % 3] for i, d in enumerate(body))
    return str(total % 11 % 10)


def dhl_check_digit(body: str) -> str:
    """DHL Express: the body as a number, mod 7."""
    return str(int(body) % 7)


# --- formats with letters ----------------------------------------------------------------

_S10 = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")
_ALNUM = re.compile(r"[0-9A-Z]+")

# By the first two characters: (pattern, carrier, length of the value kept).
_LETTER_FORMATS: dict[str, tuple[tuple[re.Pattern[str], str, int | None], ...]] = {
    # BF-zh/Courier-Validation SF.ts: SF + 13 (the third may be a letter).
    "SF": ((re.compile(r"SF[0-9A-Z][0-9]{12}"), "sf", None),),
    # JD.ts: JD + 2 letters or digits + 11 digits. A package label adds "-<n>-<of>-", which
    # is not part of the waybill number a store registers.
    "JD": ((re.compile(r"JD[0-9A-Z]{2}[0-9]{11}(?:-[0-9]{1,4}-[0-9]{1,4}-?)?"), "jd", 15),),
    "YT": ((re.compile(r"YT[0-9]{13}"), "yto", None),),
    "JT": ((re.compile(r"JT[0-9]{13}"), "jt", None),),
    # jkeen dhl.json: DHL Express piece ids and DHL eCommerce.
    "JJ": ((re.compile(r"JJD[0-9]{9,21}"), "dhl", None),),
    "JV": ((re.compile(r"JVGL[0-9]{9,10}"), "dhl", None),),
    "GM": ((re.compile(r"GM[0-9]{10,39}"), "dhl", None),),
}


def _s10_carrier(service: str, country: str) -> str:
    if country == "CN":
        # EMS items carry service indicators E_ (jkeen s10.json: "E[A-Z]" is EMS).
        return "ems" if service[0] == "E" else "chinapost"
    if country == "US":
        return "usps"
    return "post_" + country.lower()


def _read_text(code: str) -> Reading:
    length = len(code)
    if length == 18 and code[:2] == "1Z" and _ALNUM.fullmatch(code):
        expected = ups_check_digit(code[2:17])
        if code[17] != expected:
            return Reading(
                problem=f"a UPS 1Z number with a wrong check digit (expected {expected})"
            )
        return Reading((Tracking("ups", code, True),))
    if length == 13 and _S10.fullmatch(code):
        expected = s10_check_digit(code[2:10])
        if code[10] != expected:
            return Reading(
                problem=f"a UPU S10 postal number with a wrong check digit (expected {expected})"
            )
        if code[11:] not in _COUNTRIES:
            problem = f"a UPU S10 postal number with no such country {code[11:]}"
            return Reading(problem=problem, problem_code=BAD_FORMAT)
        return Reading((Tracking(_s10_carrier(code[:2], code[11:]), code, True),))
    for pattern, carrier, keep in _LETTER_FORMATS.get(code[:2], ()):
        if pattern.fullmatch(code):
            return Reading((Tracking(carrier, code[:keep] if keep else code, False),))
    return NOTHING


# --- digits only ---------------------------------------------------------------------------

# Chinese domestic formats, from BF-zh/Courier-Validation src/pattern/*.ts: 13 to 17 digits,
# looked up by their first digit.
_WEAK_DIGIT_FORMATS: dict[str, list[tuple[re.Pattern[str], str]]] = {}
for _first, _pattern, _carrier in (
    # EMS.ts: China Post / EMS domestic. 978 and 979 are left out: GS1 keeps those
    # prefixes for books (ISBN as EAN-13), and a misread book should say so.
    ("189", r"(?!97[89])[189][0-9]{12}", "chinapost"),
    ("345", r"5[0-9]{12}|[34][0-9]{14}", "yunda"),  # YUNDA.ts
    ("7", r"7[3-68][0-9]{12}", "zto"),  # ZTO.ts
    ("47", r"(?:77|43)[0-9]{12,15}", "sto"),  # STO.ts
):
    for _digit in _first:
        _WEAK_DIGIT_FORMATS.setdefault(_digit, []).append((re.compile(_pattern), _carrier))

_IMPB_CHANNELS = "12345"  # USPS IMpb numbers start 91-95 (USPS Publication 199)


def _usps_impb(digits: str) -> bool:
    return (
        len(digits) in (22, 26)
        and digits[0] == "9"
        and digits[1] in _IMPB_CHANNELS
        and gs1_mod10_ok(digits)
    )


def _read_digits(code: str) -> Reading:
    length = len(code)
    found: list[Tracking] = []
    if length in (10, 11):
        # DHL Express waybill: a weak check (one number in seven passes), so no problem
        # when it fails: ten digits are as likely an order number.
        if code[-1] == dhl_check_digit(code[:-1]):
            found.append(Tracking("dhl", code, True))
    elif length == 12:
        if code[-1] == fedex12_check_digit(code[:-1]):
            found.append(Tracking("fedex", code, True))
    elif length == 15:
        if gs1_mod10_ok(code):
            found.append(Tracking("fedex", code, True))  # FedEx Ground
    elif length == 20:
        # USPS 20-digit numbers are checked as they stand, or (older "91" numbers printed
        # without their channel prefix) as if "91" stood in front.
        if gs1_mod10_ok(code) or gs1_mod10_ok("91" + code):
            found.append(Tracking("usps", code, True))
        # FedEx SmartPost (service 612) is checked as if "92" stood in front.
        if code[:3] == "612" and gs1_mod10_ok("92" + code):
            found.append(Tracking("fedex", code, True))
    elif length in (22, 26) and code[0] == "9" and code[1] in _IMPB_CHANNELS:
        if not gs1_mod10_ok(code):
            return Reading(problem="a USPS IMpb number with a wrong check digit")
        found.append(Tracking("usps", code, True))
        if code[:5] == "92612":
            found.append(Tracking("fedex", code, True))  # SmartPost, delivered by USPS
    elif length == 22 and code[:2] == "96":
        # FedEx Ground "96" barcode: the last 15 digits are the tracking number.
        if not gs1_mod10_ok(code[7:]):
            return Reading(problem="a FedEx Ground 96 barcode with a wrong check digit")
        found.append(Tracking("fedex", code[7:], True))
    elif length in (30, 34) and code[:3] == "420":
        # USPS: "420" + 5- or 9-digit ZIP, then the IMpb number.
        for zip_length in (5, 9):
            if _usps_impb(code[3 + zip_length :]):
                found.append(Tracking("usps", code[3 + zip_length :], True))
                break
        else:
            return Reading(problem="a USPS 420+ZIP barcode with a wrong check digit")
    elif length == 34 and (code[:3] == "100" or code[:2] == "96"):
        # FedEx Express and Ground GSN 34-digit barcodes end in the 12-digit number.
        if code[-1] != fedex12_check_digit(code[-12:-1]):
            return Reading(problem="a FedEx 34-digit barcode with a wrong check digit")
        found.append(Tracking("fedex", code[-12:], True))
    if 13 <= length <= 17:
        for pattern, carrier in _WEAK_DIGIT_FORMATS.get(code[0], ()):
            if pattern.fullmatch(code):
                found.append(Tracking(carrier, code, False))
    return Reading(tuple(found)) if found else NOTHING


def read(code: str) -> Reading:
    """Which carriers' formats `code` fits; `code` is upper case without spaces."""
    if code.isascii() and code.isdigit():
        return _read_digits(code)
    return _read_text(code)
