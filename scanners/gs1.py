"""GS1 element strings: GS1-128, GS1 DataMatrix/QR data, their bracketed human-readable form
and GS1 Digital Link URIs.

The table of application identifiers (format, whether FNC1 ends the field) is python-stdnum's
copy of the GS1 register (https://ref.gs1.org/ai/, shipped as ``stdnum/gs1_ai.dat``).
`stdnum.gs1_128.info` itself is too lenient to decide whether a scan *is* GS1 (it reads the
batch label ``10D9T`` as AI 10, does not check that numeric fields are digits, nor the SSCC's
check digit), so the parsing here is strict: every field must match its format, dates must be
dates and every GS1 key carries a correct check digit (GS1 General Specifications §7.9).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from stdnum import numdb

from scanners.clean import GS
from scanners.products import mod10_check_digit
from scanners.scan import BAD_CHECK, BAD_FORMAT

#: AIs whose value starts with a GS1 key that ends in a mod-10 check digit, and that key's
#: length: SSCC, GTIN, GDTI, GCN, GSIN, GLN, GRAI, GSRN.
CHECKED_KEYS = {
    "00": 18,
    "01": 14,
    "02": 14,
    "03": 14,
    "253": 13,
    "255": 13,
    "402": 17,
    **{f"41{d}": 13 for d in range(8)},
    "8003": 14,
    "8006": 14,
    "8017": 18,
    "8018": 18,
    "8026": 14,
}

# Character sets of the GS1 General Specifications §7.11: N digits, X the 82-character set
# (Figure 7.11-1), Y the 39-character set for CPID, Z the 64-character base64url set.
_CHARSETS = {
    "N": "0-9",
    "X": r"!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z",
    "Y": r"#\-/0-9A-Z",
    "Z": r"\-0-9A-Z_a-z=",
}
_FORMAT_TOKEN = re.compile(r"(\[)|(\])|\+|(-)|([NXYZ])(\d*)(?:\.\.[NXYZ]?(\d+))?")


class Gs1Error(ValueError):
    """The data is not a valid GS1 element string; the message says why."""

    def __init__(self, message: str, problem_code: str = BAD_FORMAT) -> None:
        super().__init__(message)
        #: `scanners.scan.BAD_CHECK` for a wrong check digit, else `BAD_FORMAT`.
        self.problem_code = problem_code


@dataclass(frozen=True, slots=True)
class AiSpec:
    """One application identifier from the GS1 register."""

    ai: str
    name: str
    format: str
    #: Whether the field has a variable length, ended by FNC1 (GS) or the end of the data.
    variable: bool
    #: The length of a fixed-length field.
    length: int
    is_date: bool
    pattern: re.Pattern[str]


def _format_regex(fmt: str) -> tuple[str, int, bool]:
    """A regex for a GS1 format string such as ``N6``, ``X..20`` or ``N13[+X..17]``, the
    field's maximum length and whether the length varies."""
    regex = []
    total = 0
    variable = False
    pos = 0
    for token in _FORMAT_TOKEN.finditer(fmt):
        if token.start() != pos or token.end() == pos:
            break
        pos = token.end()
        opening, closing, dash, charset, low, high = token.groups()
        if opening:
            regex.append("(?:")
        elif closing:
            regex.append(")?")
            variable = True
        elif dash:
            regex.append("-")
            total += 1
        elif charset and high is None:
            regex.append(f"[{_CHARSETS[charset]}]{{{low}}}")
            total += int(low)
        elif charset:
            regex.append(f"[{_CHARSETS[charset]}]{{{low or 1},{high}}}")
            total += int(high)
            variable = True
    if pos != len(fmt):
        # A format the register may add later: accept the 82-character set.
        return f"[{_CHARSETS['X']}]{{1,90}}", 90, True
    return "".join(regex), total, variable


def _load_table() -> dict[str, AiSpec]:
    table = {}
    # stdnum's numdb gives (prefix length, low, high, properties, children) per line; the AI
    # register is flat, with ranges such as 3100-3105 for the decimal-point variants.
    for length, low, high, props, _children in numdb.get("gs1_ai").prefixes:
        fmt = props["format"]
        regex, total, variable = _format_regex(fmt)
        variable = variable or props.get("fnc1") == "1"
        pattern = re.compile(regex)
        for number in range(int(low), int(high) + 1):
            ai = str(number).zfill(length)
            table[ai] = AiSpec(
                ai=ai,
                name=props.get("name", ""),
                format=fmt,
                variable=variable,
                length=total,
                is_date=props.get("type") == "date",
                pattern=pattern,
            )
    return table


#: Every application identifier GS1 has registered, by AI.
AI_TABLE: Mapping[str, AiSpec] = _load_table()

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def check_digit_ok(digits: str) -> bool:
    """Whether the last digit is the GS1 mod-10 check digit of the rest (any length)."""
    return digits.isascii() and digits.isdigit() and mod10_check_digit(digits[:-1]) == digits[-1]


def _valid_date(value: str) -> bool:
    """YYMMDD, where DD may be 00 (GS1 General Specifications §7.12: "end of month")."""
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        return False
    # Century-free: allow 29 February in any year divisible by four (2000-2099 all agree).
    last = 28 if month == 2 and int(value[:2]) % 4 else _DAYS_IN_MONTH[month - 1]
    return day <= last


def validate_field(ai: str, value: str) -> AiSpec:
    """The spec of `ai` once `value` is known to be valid for it; raises Gs1Error otherwise."""
    spec = AI_TABLE.get(ai)
    if spec is None:
        raise Gs1Error(f"({ai}) is not a GS1 application identifier")
    if not spec.pattern.fullmatch(value):
        raise Gs1Error(f"({ai}) {spec.name} must be {spec.format}, not {value!r}")
    key_length = CHECKED_KEYS.get(ai)
    if key_length is not None and not check_digit_ok(value[:key_length]):
        expected = mod10_check_digit(value[: key_length - 1])
        message = f"({ai}) {spec.name} check digit is wrong (expected {expected})"
        raise Gs1Error(message, BAD_CHECK)
    if spec.is_date and not _valid_date(value):
        raise Gs1Error(f"({ai}) {spec.name} {value[:6]} is not a date (YYMMDD)")
    return spec


def _ai_at(data: str, pos: int) -> AiSpec:
    # AIs are prefix-free (no AI is the start of another), so the first length that names one
    # is the AI.
    for size in (2, 3, 4):
        spec = AI_TABLE.get(data[pos : pos + size])
        if spec is not None:
            return spec
    raise Gs1Error(f"no application identifier at {data[pos : pos + 4]!r}")


def parse_element_string(data: str) -> dict[str, str]:
    """The AIs and values of a GS1 element string whose variable-length fields end in GS.

    Raises Gs1Error when any field does not validate: the data is then not GS1.
    """
    fields: dict[str, str] = {}
    pos, end = 0, len(data)
    while pos < end:
        if data[pos] == GS:
            # Some printers put FNC1 after fixed-length fields too; it is harmless there.
            pos += 1
            continue
        spec = _ai_at(data, pos)
        pos += len(spec.ai)
        if spec.variable:
            stop = data.find(GS, pos)
            stop = end if stop < 0 else stop
        else:
            stop = pos + spec.length
        value = data[pos:stop]
        if spec.ai in fields:
            raise Gs1Error(f"({spec.ai}) appears twice")
        validate_field(spec.ai, value)
        fields[spec.ai] = value
        pos = stop
    if not fields:
        raise Gs1Error("no GS1 data")
    return fields


_BRACKETED = re.compile(r"\(([0-9]{2,4})\)([^()]*)")
_BRACKETED_WHOLE = re.compile(r"(?:\([0-9]{2,4}\)[^()]*)+")


def looks_bracketed(text: str) -> bool:
    """Whether `text` is written in the human-readable form ``(01)…(10)…``."""
    return text[:1] == "(" and _BRACKETED_WHOLE.fullmatch(text) is not None


def parse_bracketed(text: str) -> dict[str, str]:
    """The AIs and values of the human-readable form ``(01)09506000134352(10)AB12``."""
    if not looks_bracketed(text):
        raise Gs1Error("not in the (AI)value form")
    fields: dict[str, str] = {}
    for ai, value in _BRACKETED.findall(text):
        value = value.strip()
        if ai in fields:
            raise Gs1Error(f"({ai}) appears twice")
        validate_field(ai, value)
        fields[ai] = value
    return fields


# GS1 Digital Link URI syntax 1.2 §4: a primary key and its value in the path, then its
# qualifiers, then attributes in the query string. Only the primary keys a return centre
# meets are read (GTIN, SSCC, GLN), and only where the value after them has the key's length,
# so that a date in a blog's path (/2024/01/15/) is not taken for a GTIN.
_DIGITAL_LINK = re.compile(r"https?://[^/?#]+(/[^?#]*)(?:\?([^#]*))?", re.IGNORECASE)
_PRIMARY_KEYS = {"01": (8, 12, 13, 14), "00": (18,), "414": (13,)}


def _primary_key_at(segments: list[str]) -> int | None:
    for index, segment in enumerate(segments[:-1]):
        lengths = _PRIMARY_KEYS.get(segment)
        following = segments[index + 1]
        if lengths and len(following) in lengths and following.isdigit():
            return index
    return None


def is_digital_link(text: str) -> bool:
    """Whether `text` is an http(s) URI with a GS1 Digital Link primary key in its path."""
    match = _DIGITAL_LINK.fullmatch(text)
    return match is not None and _primary_key_at(match.group(1).split("/")) is not None


def parse_digital_link(text: str) -> dict[str, str]:
    """The AIs and values of a GS1 Digital Link URI, such as
    ``https://id.gs1.org/01/09506000134352/10/AB12?17=251231``."""
    match = _DIGITAL_LINK.fullmatch(text)
    if match is None:
        raise Gs1Error("not a URI")
    path, query = match.group(1), match.group(2) or ""
    segments = [unquote(segment) for segment in path.rstrip("/").split("/")]
    start = _primary_key_at(segments)
    if start is None:
        raise Gs1Error("no GS1 primary key in the URI path")
    if len(segments[start:]) % 2:
        raise Gs1Error(f"({segments[-1]}) has no value")
    pairs = list(zip(segments[start::2], segments[start + 1 :: 2], strict=True))
    for item in query.split("&"):
        key, _, value = item.partition("=")
        # Other query parameters (linkType, tracking) are not GS1 data.
        if key.isdigit() and key in AI_TABLE:
            pairs.append((key, unquote(value)))
    fields: dict[str, str] = {}
    for ai, value in pairs:
        if ai == "01" and len(value) in (8, 12, 13):
            # Digital Link allows GTIN-8/12/13 in the path; the element string form is 14.
            value = value.zfill(14)
        if ai in fields:
            raise Gs1Error(f"({ai}) appears twice")
        validate_field(ai, value)
        fields[ai] = value
    return fields


def bracketed(fields: Mapping[str, str]) -> str:
    """The human-readable form of GS1 data: ``(01)09506000134352(10)AB12``."""
    return "".join(f"({ai}){value}" for ai, value in fields.items())
