"""Turns what a handheld delivered into clean text, the way real scanners deliver it.

A keyboard-wedge scanner types the code and presses Enter (or Tab); some prepend an AIM
symbology identifier (``]C1`` for GS1-128, ``]E0`` for EAN-13, ``]Q3`` for a GS1 QR Code,
ISO/IEC 15424); some wrap the data in STX/ETX; an operator typing through a Chinese input
method produces full-width characters (``１２３ＡＢＣ``). GS1's group separator (FNC1) arrives as
ASCII 29, which `str.strip` would treat as whitespace, so it is kept apart here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from scanners.scan import EMPTY, GARBLED, NOT_TEXT, TOO_LONG

#: GS1's group separator, the character scanners send for FNC1.
GS = "\x1d"

#: Longest scan read; anything longer is cut off with a problem. Generous: the largest
#: GS1 DataMatrix holds about 2,300 characters, and real scans here are under 100.
MAX_LENGTH = 4096

#: AIM symbology identifiers that announce GS1 data (FNC1 in first position). GS1 General
#: Specifications §5.1.2 / ISO/IEC 15424: GS1-128, GS1 DataBar, GS1 DataMatrix, GS1 QR Code,
#: GS1 DotCode.
GS1_SYMBOLOGIES = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})
#: AIM identifiers of EAN/UPC (``]E0`` EAN-13/UPC-A, ``]E3`` with add-on, ``]E4`` EAN-8) and
#: ITF with a check digit (``]I1``, ITF-14): the data is a GTIN by construction.
GTIN_SYMBOLOGIES = frozenset({"]E0", "]E3", "]E4", "]I1"})

_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")

# Surrounding junk: ASCII whitespace and control characters, but not GS (a leading GS is
# FNC1 in first position, and a trailing one may end a GS1 field).
_STRIP = "".join(chr(c) for c in (*range(0x00, 0x1D), *range(0x1E, 0x21), 0x7F))
# Inside the text: whitespace controls become spaces, other controls go, GS stays.
_INNER = {c: None for c in (*range(0x00, 0x1D), 0x1E, 0x1F, 0x7F)}
_INNER.update({c: " " for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D)})
_SPACES = re.compile(r" {2,}")

# Unicode categories that mean the input was not text at all.
_UNREADABLE_CATEGORIES = frozenset({"Cs", "Co", "Cn"})


class Cleaned(NamedTuple):
    """A scan after cleaning.

    `text` has no control characters (GS removed too); `data` is the same text with GS kept
    where the scanner sent it, for GS1 parsing.
    """

    text: str
    data: str
    symbology: str | None = None
    #: The data began with FNC1 (a GS before any data): the scanner says it is GS1.
    fnc1_first: bool = False
    problem: str | None = None
    problem_code: str | None = None


def clean(raw: object) -> Cleaned:
    """Clean one raw scan; never raises. Bytes are read as UTF-8; other non-text is a problem."""
    if isinstance(raw, str):
        text = raw
    elif isinstance(raw, bytes | bytearray | memoryview):
        text = bytes(raw).decode("utf-8", "replace")
    elif raw is None:
        return Cleaned("", "", problem="nothing was scanned", problem_code=EMPTY)
    else:
        kind = type(raw).__name__
        return Cleaned("", "", problem=f"a scan is text, not {kind}", problem_code=NOT_TEXT)

    length = len(text)
    if length > MAX_LENGTH:
        # Cut before any other work, so megabytes cost no more than a normal scan.
        text = text[:MAX_LENGTH]

    unreadable = controls = 0
    if not text.isascii():
        text, unreadable, controls = _clean_unicode(text)
    text = text.strip(_STRIP)
    if not text.isprintable():
        before = len(text)
        text = text.translate(_INNER)
        controls += before - len(text)
        text = text.strip(_STRIP)
    if "  " in text:
        text = _SPACES.sub(" ", text)

    symbology = None
    if text[:1] == "]" and _AIM.match(text):
        symbology = text[:3]
        text = text[3:].lstrip(" ")
    fnc1_first = text[:1] == GS
    data = text.strip(GS + " ") if fnc1_first or text[-1:] == GS else text
    text = data.replace(GS, "") if GS in data else data

    if length > MAX_LENGTH:
        problem = f"too long to be a scan ({length} characters); cut off at {MAX_LENGTH}"
        return Cleaned(text, data, symbology, fnc1_first, problem, TOO_LONG)
    # A stray control character is noise to drop; bytes that were not text, or control
    # characters making up more than a quarter of the scan, mean the link garbled it.
    if unreadable or (controls > 1 and controls * 4 > len(text) + controls):
        removed = unreadable + controls
        problem = f"garbled: {removed} unreadable character{'s' if removed > 1 else ''} removed"
        return Cleaned(text, data, symbology, fnc1_first, problem, GARBLED)
    if not text:
        return Cleaned("", "", symbology, fnc1_first, "nothing was scanned", EMPTY)
    return Cleaned(text, data, symbology, fnc1_first)


def _clean_unicode(text: str) -> tuple[str, int, int]:
    """Fold full-width and other compatibility forms to ASCII (NFKC), map every kind of space
    to a plain space, drop non-ASCII controls and format characters (zero-width spaces, BOM).

    Returns the text, how many characters were unreadable (replacement characters,
    surrogates, private-use or unassigned code points) and how many controls were dropped.
    """
    text = unicodedata.normalize("NFKC", text)
    kept = []
    unreadable = controls = 0
    for char in text:
        if char.isascii():
            kept.append(char)
            continue
        category = unicodedata.category(char)
        if char == "\ufffd" or category in _UNREADABLE_CATEGORIES:
            unreadable += 1
        elif category[0] == "Z":
            kept.append(" ")
        elif category == "Cc":
            controls += 1
        elif category != "Cf":
            kept.append(char)
    return "".join(kept), unreadable, controls
