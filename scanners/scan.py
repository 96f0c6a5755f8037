"""`Scan`: what one scanned code turned out to be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Kind = Literal["rma", "lpn", "tracking", "gtin", "gs1", "badge", "unknown"]

#: Every kind `parse` reports.
KINDS: tuple[Kind, ...] = ("rma", "lpn", "tracking", "gtin", "gs1", "badge", "unknown")

# Machine-readable reasons behind `Scan.problem`, so that the handheld UI can say them in the
# operator's language without parsing English.
EMPTY = "empty"
NOT_TEXT = "not_text"
TOO_LONG = "too_long"
GARBLED = "garbled"
BAD_CHECK = "bad_check"
TRUNCATED = "truncated"
BAD_FORMAT = "bad_format"

PROBLEM_CODES = (EMPTY, NOT_TEXT, TOO_LONG, GARBLED, BAD_CHECK, TRUNCATED, BAD_FORMAT)

NO_AI: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Scan:
    """What a scanned code is.

    `value` is the normalised text: for a code of a known format its canonical form (upper
    case, no spaces; a GS1 element string in its bracketed human-readable form such as
    ``(01)09506000134352(10)AB12``); for anything else the cleaned text as typed, case kept,
    so that the service can look it up as an order id, SKU or serial number.

    `problem` is set only when the code claims a format and fails it (a wrong check digit, a
    truncated RMA number, a GS1 symbol whose data does not parse) or when the input is not a
    usable scan at all (empty, garbled bytes, megabytes). A plain code of no known format is
    ``kind="unknown"`` with no problem.
    """

    kind: Kind
    value: str
    #: The carrier when exactly one carrier's format fits; None when none or several do.
    carrier: str | None = None
    #: Every carrier whose tracking-number format `value` fits, those whose check digit was
    #: verified first. Also set on a ``gtin`` scan whose digits fit a carrier's format too.
    carrier_candidates: tuple[str, ...] = ()
    #: The GTIN as 14 digits (zero-padded), for ``gtin`` scans and GS1 data with AI (01).
    gtin: str | None = None
    #: GS1 AI (21), the serial number.
    serial: str | None = None
    #: GS1 AI (10), the batch or lot number.
    batch: str | None = None
    #: All GS1 application identifiers and their values, in the order scanned.
    ai: Mapping[str, str] = field(default_factory=lambda: NO_AI, hash=False)
    #: The AIM symbology identifier the scanner sent, such as ``]C1``, if any.
    symbology: str | None = None
    #: Whether a check digit or check character was verified (False for formats without one).
    verified: bool = False
    #: What is wrong with the scan, in words; None when nothing is.
    problem: str | None = None
    #: The same as a short code (one of `PROBLEM_CODES`); None when nothing is wrong.
    problem_code: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict of every field."""
        return {
            "kind": self.kind,
            "value": self.value,
            "carrier": self.carrier,
            "carrier_candidates": list(self.carrier_candidates),
            "gtin": self.gtin,
            "serial": self.serial,
            "batch": self.batch,
            "ai": dict(self.ai),
            "symbology": self.symbology,
            "verified": self.verified,
            "problem": self.problem,
            "problem_code": self.problem_code,
        }


def unknown(
    value: str,
    problem: str | None = None,
    problem_code: str | None = None,
    symbology: str | None = None,
) -> Scan:
    """An ``unknown`` scan, with a problem when there is one."""
    if problem is None and symbology is None:
        return make_scan("unknown", value)
    return make_scan(
        "unknown", value, symbology=symbology, problem=problem, problem_code=problem_code
    )


_new = object.__new__


def make_scan(kind: Kind, value: str, **fields: object) -> Scan:
    """A `Scan`, built several times faster than by its constructor, for `parse`'s hot path.

    A frozen dataclass's ``__init__`` sets each of the twelve fields through
    ``object.__setattr__``, which is most of the cost of a parse on a slow core. That
    ``__init__`` does nothing else (there is no ``__post_init__``), so writing the instance's
    dict directly gives an identical object; fields left out keep their class defaults.
    """
    scan = _new(Scan)
    state = scan.__dict__
    state["kind"] = kind
    state["value"] = value
    state["ai"] = NO_AI
    if fields:
        state.update(fields)
    return scan
