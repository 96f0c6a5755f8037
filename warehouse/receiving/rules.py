"""Receiving rules, in plain Python: which codes name a parcel, whose returns one parcel may
hold, which line an item satisfies, what a closed parcel leaves short.
The service feeds them rows and acts on their answers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from scanners import Scan
from scanners.products import expected_check_digit
from warehouse.queue.rules import ExceptionKind


class Outcome(StrEnum):
    """What an item scan turned out to be (also the unit's reception status)."""

    RECEIVED = "received"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    SERIAL_MISMATCH = "serial_mismatch"
    WRONG_ITEM = "wrong_item"
    EXTRA = "extra"
    DUPLICATE_SERIAL = "duplicate_serial"


#: The exception an item outcome raises, if any.
EXCEPTION_FOR_OUTCOME = {
    Outcome.SERIAL_MISMATCH: ExceptionKind.SERIAL_MISMATCH,
    Outcome.WRONG_ITEM: ExceptionKind.WRONG_ITEM,
    Outcome.EXTRA: ExceptionKind.EXTRA,
    Outcome.DAMAGED_IN_TRANSIT: ExceptionKind.TRANSIT_DAMAGE,
}

#: Outcomes that count toward a line's received quantity.
COUNTS_AS_RECEIVED = frozenset(
    {Outcome.RECEIVED, Outcome.DAMAGED_IN_TRANSIT, Outcome.SERIAL_MISMATCH}
)


@dataclass(frozen=True)
class ExpectedLine:
    """A return line as check-in sees it."""

    id: uuid.UUID
    return_id: uuid.UUID
    sku: str
    gtin: str | None  # normalised to 14 digits
    quantity: int
    received: int
    serials: frozenset[str] = frozenset()
    received_serials: frozenset[str] = frozenset()

    @property
    def remaining(self) -> int:
        return max(self.quantity - self.received, 0)


@dataclass(frozen=True)
class ItemCode:
    """What an item scan carried: a GTIN (14 digits) and/or a serial, and the plain text."""

    text: str
    gtin: str | None = None
    serial: str | None = None


@dataclass(frozen=True)
class ItemMatch:
    outcome: Outcome
    line: ExpectedLine | None
    serial: str | None
    evidence: dict = field(default_factory=dict)


def match_item(lines: list[ExpectedLine], item: ItemCode, *, damaged: bool = False) -> ItemMatch:
    """Decides which expected line an item satisfies and how.

    Matching is exact, never loose: a GTIN against the line's GTIN, the text against the
    line's SKU (case-insensitive) or one of its expected serial numbers. An item on no line is
    a wrong item; one more than a line expects is extra; an expected-serial line that gets
    another serial is a serial mismatch (a possible swap, 调包).
    """
    text_upper = item.text.upper()
    serial = item.serial
    by_serial = [line for line in lines if text_upper in _upper(line.serials)]
    if serial is None and by_serial:
        serial = item.text
    if serial is not None:
        for line in lines:
            if serial.upper() in _upper(line.received_serials):
                return ItemMatch(Outcome.DUPLICATE_SERIAL, line, serial, {"serial": serial})

    candidates = by_serial or [
        line
        for line in lines
        if (item.gtin is not None and line.gtin == item.gtin) or line.sku.upper() == text_upper
    ]
    if not candidates:
        return ItemMatch(
            Outcome.WRONG_ITEM, None, serial, {"scanned": item.text, "gtin": item.gtin}
        )
    line = next((c for c in candidates if c.remaining > 0), None)
    if line is None:
        extra = candidates[0]
        return ItemMatch(
            Outcome.EXTRA,
            extra,
            serial,
            {"expected_quantity": extra.quantity, "received": extra.received},
        )
    if line.serials and serial is not None and serial.upper() not in _upper(line.serials):
        return ItemMatch(
            Outcome.SERIAL_MISMATCH,
            line,
            serial,
            {"expected_serials": sorted(line.serials - line.received_serials), "scanned": serial},
        )
    return ItemMatch(Outcome.DAMAGED_IN_TRANSIT if damaged else Outcome.RECEIVED, line, serial)


def _upper(values: frozenset[str]) -> set[str]:
    return {v.upper() for v in values}


@dataclass(frozen=True)
class Shortfall:
    line: ExpectedLine
    missing: int


def shortfalls(lines: list[ExpectedLine]) -> list[Shortfall]:
    """The lines a closed parcel leaves incomplete, and by how many units."""
    return [Shortfall(line, line.remaining) for line in lines if line.remaining > 0]


def reception_status(lines: list[ExpectedLine]) -> str:
    """received when every line is complete, else partially_received."""
    return "received" if all(line.remaining == 0 for line in lines) else "partially_received"


# --- parcel codes -----------------------------------------------------------------------------

#: Kinds of code that are a parcel's own label: a carrier's tracking number (it fits a
#: carrier's format, check digit verified where the format has one) or our RMA slip (and
#: GS1 data carrying an SSCC, below).
PARCEL_LABEL_KINDS = frozenset({"tracking", "rma"})
#: What other kinds of code are, as the receiver is told when one names no return.
NOT_A_PARCEL = {
    "gtin": "This is an item: scan the parcel label.",
    "lpn": "This is a unit's LPN: scan the parcel label.",
    "badge": "This is a staff badge: scan the parcel label.",
}
NOT_A_PARCEL_CODE = "Not a parcel code: scan the carrier's label or the RMA slip."
#: The shape of a tracking number of a carrier the scanner library has no format for (Deppon's
#: DPK…, a regional courier's digits): at most four letters, then nine digits or more. A real
#: parcel must never be turned away at the dock for want of a format, so these go to the
#: shelf as unmatched; shorter or wordier codes ("HELLO123", "ZZ00998877") are refused.
UNLISTED_TRACKING_SHAPE = re.compile(r"[A-Z]{0,4}[0-9]{9,30}")


def parcel_code_refusal(scan: Scan) -> str | None:
    """Why a scanned code that names no return is refused at the parcel step; None when it
    is a well-formed parcel code, to be quarantined as an unmatched parcel.

    Order numbers and external ids may look like anything, so any code may still *match*;
    only a code shaped like a parcel's label is worth a place on the exception shelf. Junk,
    a code whose check digit fails and a product code (an item scanned at the wrong step)
    are refused and nothing is written: the receiver scans again.
    """
    if scan.problem:
        return scan.problem
    if scan.kind in PARCEL_LABEL_KINDS:
        return None
    if scan.kind == "gs1" and "00" in scan.ai:
        return None  # an SSCC: GS1's label for a shipped logistics unit, a parcel's own
    if scan.kind == "gs1" and scan.gtin:
        return NOT_A_PARCEL["gtin"]
    if scan.kind in NOT_A_PARCEL:
        return NOT_A_PARCEL[scan.kind]
    digits = scan.value
    if len(digits) in (13, 14) and digits.isascii() and digits.isdigit():
        # At the parcel step the scanner library does not call 13 digits a bad EAN (a
        # carrier's number may be 13 digits); one that fits no carrier's format either is.
        name = "an EAN-13" if len(digits) == 13 else "a GTIN-14"
        return f"{name} with a wrong check digit (expected {expected_check_digit(digits)})"
    if UNLISTED_TRACKING_SHAPE.fullmatch(scan.value):
        return None
    return NOT_A_PARCEL_CODE


# --- whose returns one parcel holds -------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    """Who sent a return's parcel: one buyer of one store."""

    store_id: uuid.UUID
    buyer_id: str


def sender_conflict(held: Iterable[Sender], joining: Sender) -> str | None:
    """Why a return of `joining` may not be in a parcel that holds returns of `held`; None
    when it may. A parcel holds one buyer's returns (two returns of the same buyer in one
    box are fine): another store's return would show that store this parcel, and another
    buyer's would be told "short" for items that were never in it."""
    for sender in held:
        if sender.store_id != joining.store_id:
            return "the parcel holds another store's return"
        if sender.buyer_id != joining.buyer_id:
            return "the parcel holds another buyer's return"
    return None


def starts_next_parcel(item_page_scan: Scan) -> bool:
    """An RMA slip scanned where an item was expected is the next parcel's: its scan starts
    that parcel (without closing the one open), rather than being refused as no item."""
    return item_page_scan.kind == "rma"
