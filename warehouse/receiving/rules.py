"""Receiving rules, in plain Python: which line an item satisfies, and what a closed parcel
leaves short. The service feeds them rows and acts on their answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """What an item scan turned out to be (also the unit's reception status)."""

    RECEIVED = "received"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    SERIAL_MISMATCH = "serial_mismatch"
    WRONG_ITEM = "wrong_item"
    EXTRA = "extra"
    DUPLICATE_SERIAL = "duplicate_serial"


class ExceptionKind(StrEnum):
    UNMATCHED_PARCEL = "unmatched_parcel"
    RETURN_NOT_OPEN = "return_not_open"
    SHORT = "short"
    EXTRA = "extra"
    WRONG_ITEM = "wrong_item"
    SERIAL_MISMATCH = "serial_mismatch"
    EMPTY_PARCEL = "empty_parcel"
    TRANSIT_DAMAGE = "transit_damage"
    #: Inspection found fault with a unit an express refund had already paid for.
    FINDING_AFTER_REFUND = "finding_after_refund"


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
