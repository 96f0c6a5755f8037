"""`parse`: from what a handheld typed to a `Scan` that says what the code is.

The order of reading, cheapest and most certain first:

1. Clean the text (`scanners.clean`); unusable input (empty, garbled, megabytes) stops here.
2. GS1 data, when the scanner says so (a GS1 symbology identifier, FNC1 first, a group
   separator or its stand-in) or the text is written ``(01)…`` or is a GS1 Digital Link URI.
   Undeclared digits are read as GS1 only when they begin with a checked key (SSCC ``00``,
   GTIN ``01``/``02``) and the whole string validates, so a batch label ``10D9T`` stays
   itself.
3. EAN/UPC and ITF-14 symbols (``]E0``, ``]E4``, ``]I1``…): a GTIN by construction.
4. Our own codes by their prefix (RMA, LPN, BDG), with their check character.
5. Carrier tracking numbers and bare GTINs. Digits alone can be several things: a GTIN with
   a correct check digit is ``gtin`` (with `carrier_candidates` listing any carrier whose
   format the digits also fit); else a carrier format that fits makes it ``tracking``.
6. Anything else is ``unknown``: with a problem when it claimed a format and failed it (a
   wrong check digit on an EAN-13, a ``1Z`` number, an S10 number…), without one when it is
   simply a code of no known format (an order number, a SKU, a serial number).

A wrong check digit is reported only where the format is distinctive enough that the code
claims it: 13- and 14-digit GTINs, ``1Z``, S10, USPS IMpb, FedEx barcodes, our own codes.
Eight, ten, twelve, fifteen and twenty digits that fail the GTIN, DHL, FedEx or USPS check
are `unknown` without a problem, because order numbers and bin codes have those lengths too;
an EAN/UPC symbology identifier makes the claim explicit.

Without a context, `kind` is the likeliest reading of the code alone. The service knows
more: ``parse(raw, context="parcel")`` reads digits that are both a valid GTIN and a
carrier's format as a tracking number (a China Post number can have a valid EAN-13 check
digit), and does not call thirteen digits a bad EAN-13; ``context="item"`` reads digits
alone that only fit a carrier's format as the item's own code (a 10-digit serial number
passes DHL's mod-7 check one time in seven). Letter-prefixed formats (``1Z…``, ``SF…``,
S10) and our own codes read the same in every context.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Literal

import scanners.carriers as carriers
import scanners.codes as codes
import scanners.gs1 as gs1
import scanners.products as products
from scanners.clean import GS, GS1_SYMBOLOGIES, GTIN_SYMBOLOGIES, Cleaned, clean
from scanners.scan import BAD_CHECK, BAD_FORMAT, NO_AI, TRUNCATED, Scan, make_scan, unknown

# A problem as (words, code).
Problem = tuple[str, str]
#: Where a code was scanned, when the caller knows: at the dock or at the receiving bench.
Context = Literal["parcel", "item"]

_CODE_NAMES = {"rma": "an RMA number", "lpn": "an LPN", "badge": "a staff badge"}
_IMPB_AIS = ("91", "92", "93", "94", "95")
_CHECKED_ANCHORS = ("00", "01", "02")


def parse(raw: object, *, gs_stand_in: str | None = None, context: Context | None = None) -> Scan:
    """Say what a scanned code is. Never raises, whatever `raw` is.

    `gs_stand_in` is the printable text a scanner sends in place of GS1's group separator
    when it cannot send ASCII 29 (such as ``"~"`` or ``"<GS>"``); data containing it is read
    as GS1 only when it validates as GS1, and is otherwise read as it is.

    `context` says where the code was scanned (``"parcel"`` or ``"item"``), which settles
    what digits alone are when they could be more than one thing (see the module's notes).
    """
    cleaned = clean(raw)
    if cleaned.problem:
        return unknown(
            cleaned.text, cleaned.problem, cleaned.problem_code, symbology=cleaned.symbology
        )
    text, symbology = cleaned.text, cleaned.symbology

    found, gs1_problem = _read_gs1(cleaned, gs_stand_in)
    if found is not None:
        return found

    compact = text.replace(" ", "") if " " in text else text
    upper = compact.upper()

    if symbology in GTIN_SYMBOLOGIES:
        return _read_gtin_symbol(compact, symbology)

    if upper[:2] in _CHECKED_ANCHORS and len(upper) >= 16 and upper[2:16].isdigit():
        try:
            fields = gs1.parse_element_string(compact)
        except gs1.Gs1Error:
            pass
        else:
            return _gs1_scan(fields, symbology)

    if upper[:3] in codes.KIND_OF_PREFIX:
        own = _read_own_code(upper, symbology)
        if own is not None:
            return own

    reading = carriers.read(upper)
    is_digits = upper.isascii() and upper.isdigit()
    if is_digits and products.is_gtin(upper):
        if context == "parcel" and reading.matches:
            return _tracking_scan(reading.matches, symbology)
        return make_scan(
            "gtin",
            upper,
            carrier_candidates=_carriers_of(reading.matches),
            gtin=products.gtin14(upper),
            symbology=symbology,
            verified=True,
        )
    if reading.matches:
        if context == "item" and is_digits:
            # Digits alone on an item are its serial number or SKU, not a parcel label.
            return unknown(text, symbology=symbology)
        return _tracking_scan(reading.matches, symbology)
    if reading.problem:
        return unknown(upper, reading.problem, reading.problem_code, symbology)
    if is_digits and len(upper) in (13, 14) and context != "parcel":
        name = "an EAN-13" if len(upper) == 13 else "a GTIN-14"
        expected = products.expected_check_digit(upper)
        problem = f"{name} with a wrong check digit (expected {expected})"
        return unknown(upper, problem, BAD_CHECK, symbology)
    if gs1_problem is not None:
        return unknown(text, gs1_problem[0], gs1_problem[1], symbology)
    return unknown(text, symbology=symbology)


def normalise_tracking(text: str) -> str:
    """A tracking number in the form `parse` gives it, for comparing with a scan.

    The service uses this on the numbers stores register, so that ``1z 999 aa1 0123 4567 84``
    and a scan of the label compare equal.
    """
    scan = parse(text)
    if scan.kind == "tracking":
        return scan.value
    return scan.value.replace(" ", "").upper()


def _read_gs1(cleaned: Cleaned, gs_stand_in: str | None) -> tuple[Scan | None, Problem | None]:
    """A GS1 scan if the text is GS1 data; else, if it claimed to be, the problem why not."""
    data, symbology = cleaned.data, cleaned.symbology
    declared = cleaned.fnc1_first or symbology in GS1_SYMBOLOGIES or GS in data
    if gs_stand_in and gs_stand_in in data:
        data = data.replace(gs_stand_in, GS)
    elif not declared:
        text = cleaned.text
        if text[:1] == "(" and gs1.looks_bracketed(text):
            return _try_gs1(gs1.parse_bracketed, text, symbology, "written as GS1 data")
        if text[:4].lower() == "http" and gs1.is_digital_link(text):
            return _try_gs1(gs1.parse_digital_link, text, symbology, "a GS1 Digital Link")
        return None, None
    found, problem = _try_gs1(gs1.parse_element_string, data, symbology, "marked as GS1 data")
    # Only a scanner's own mark makes a failure a problem; a stand-in is just a character.
    return found, problem if declared else None


def _try_gs1(
    read: Callable[[str], dict[str, str]], text: str, symbology: str | None, claim: str
) -> tuple[Scan | None, Problem | None]:
    try:
        fields = read(text)
    except gs1.Gs1Error as error:
        return None, (f"{claim} but not valid: {error}", error.problem_code)
    return _gs1_scan(fields, symbology), None


def _gs1_scan(fields: dict[str, str], symbology: str | None) -> Scan:
    ai = MappingProxyType(fields)
    if "420" in fields or "421" in fields:
        # A USPS IMpb label is GS1-128: ship-to postcode (420), then the tracking number
        # whose first two digits read as an internal AI 91-95.
        for key in _IMPB_AIS:
            if key in fields:
                reading = carriers.read(key + fields[key])
                if reading.matches:
                    return _tracking_scan(reading.matches, symbology, ai)
    return make_scan(
        "gs1",
        gs1.bracketed(fields),
        gtin=fields.get("01"),
        serial=fields.get("21"),
        batch=fields.get("10"),
        ai=ai,
        symbology=symbology,
        verified=any(key in gs1.CHECKED_KEYS for key in fields),
    )


def _read_gtin_symbol(digits: str, symbology: str) -> Scan:
    if symbology == "]E3" and len(digits) in (15, 18):
        digits = digits[:13]  # EAN-13 followed by its 2- or 5-digit add-on
    if products.is_gtin(digits):
        return make_scan(
            "gtin", digits, gtin=products.gtin14(digits), symbology=symbology, verified=True
        )
    if digits.isdigit() and len(digits) in products.GTIN_LENGTHS:
        expected = products.expected_check_digit(digits)
        problem = f"an EAN/UPC symbol with a wrong check digit (expected {expected})"
        return unknown(digits, problem, BAD_CHECK, symbology)
    problem = f"an EAN/UPC symbol ({symbology}) whose data is not a GTIN"
    return unknown(digits, problem, BAD_FORMAT, symbology)


def _read_own_code(code: str, symbology: str | None) -> Scan | None:
    prefix = code[:3]
    kind = codes.KIND_OF_PREFIX[prefix]
    expected = codes.CODE_LENGTH[prefix]
    length = len(code)
    if not codes.is_code_text(code) or not expected - 2 <= length <= expected + 1:
        return None
    name = _CODE_NAMES[kind]
    if length == expected:
        if codes.has_valid_check_character(code):
            return make_scan(kind, code, symbology=symbology, verified=True)
        expected_char = codes.check_character(code[:-1])
        problem = f"{name} with a wrong check character (expected {expected_char})"
        return unknown(code, problem, BAD_CHECK, symbology)
    if length < expected:
        problem = f"{name} cut short: {length} characters of {expected}"
        return unknown(code, problem, TRUNCATED, symbology)
    problem = f"{name} with one character too many ({length} of {expected})"
    return unknown(code, problem, BAD_FORMAT, symbology)


def _carriers_of(matches: tuple[carriers.Tracking, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(match.carrier for match in matches))


def _tracking_scan(
    matches: tuple[carriers.Tracking, ...],
    symbology: str | None,
    ai: MappingProxyType[str, str] | None = None,
) -> Scan:
    if len(matches) == 1:
        only = matches[0]
        value, candidates, verified = only.value, (only.carrier,), only.verified
    else:
        # Verified formats first: they are what the digits most surely are.
        ordered = sorted(matches, key=lambda match: not match.verified)
        value, verified = ordered[0].value, ordered[0].verified
        candidates = _carriers_of(tuple(m for m in ordered if m.value == value))
    return make_scan(
        "tracking",
        value,
        carrier=candidates[0] if len(candidates) == 1 else None,
        carrier_candidates=candidates,
        ai=ai if ai is not None else NO_AI,
        symbology=symbology,
        verified=verified,
    )
