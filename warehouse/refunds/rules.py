"""The refund decision, in one place and in plain Python (no Flask, no database).

Every unit a buyer sends back has a *slot*: the n-th unit of its return line. A refund
covers slots, and the database keeps one refund per slot, so whether the refund comes
early (express, at the parcel scan, before any unit exists) or after inspection, a double
click, a retried request or a late inspection can never refund the same unit twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Mode(StrEnum):
    EXPRESS = "express"
    AFTER_INSPECTION = "after_inspection"


class Kind(StrEnum):
    REFUND = "refund"
    REJECT = "reject"
    EXCHANGE = "exchange"
    NOTHING = "nothing"


@dataclass(frozen=True)
class LineTerms:
    """A return line as the store sent it: how many units, at what price."""

    id: uuid.UUID
    line_id: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class UnitFinding:
    """What inspection found about one received unit."""

    unit_id: uuid.UUID
    lpn: str
    line: uuid.UUID | None
    slot: int | None
    deduction: int = 0
    deduction_reason: str | None = None
    reject_reason: str | None = None
    grade: str | None = None
    photos: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefundLine:
    return_line_id: uuid.UUID
    line_id: str
    slots: tuple[int, ...]
    amount: int
    deduction: int
    deduction_reason: str | None
    #: The unit behind each slot, once units exist (after inspection), else empty.
    unit_ids: tuple[uuid.UUID, ...] = ()

    @property
    def quantity(self) -> int:
        return len(self.slots)

    def to_event(self) -> dict:
        return {
            "line_id": self.line_id,
            "quantity": self.quantity,
            "amount": self.amount,
            "deduction": self.deduction,
            "deduction_reason": self.deduction_reason,
        }


@dataclass(frozen=True)
class Decision:
    kind: Kind
    lines: tuple[RefundLine, ...] = ()
    rejected: tuple[UnitFinding, ...] = ()
    units: tuple[uuid.UUID, ...] = field(default=())

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class ExpressVerdict:
    allowed: bool
    reason: str


def express_verdict(
    *, requested: bool, limit: int, total: int, buyer_flagged: bool, exchange: bool
) -> ExpressVerdict:
    """Whether a return's refund may be triggered at the parcel scan (极速退款)."""
    if not requested:
        return ExpressVerdict(False, "the return did not ask for an express refund")
    if exchange:
        return ExpressVerdict(False, "an exchange is not refunded")
    if limit <= 0:
        return ExpressVerdict(False, "the store's policy has express refunds off")
    if total > limit:
        return ExpressVerdict(False, f"the return's {total} is over the store's limit of {limit}")
    if buyer_flagged:
        return ExpressVerdict(False, "the buyer is flagged for frequent returns")
    return ExpressVerdict(True, "within the store's express refund policy")


def express_refund(lines: list[LineTerms], refunded: set[tuple[uuid.UUID, int]]) -> Decision:
    """Every expected unit not yet refunded, at full price: nothing has been inspected yet."""
    refund_lines = []
    for line in lines:
        slots = tuple(s for s in range(line.quantity) if (line.id, s) not in refunded)
        if slots:
            refund_lines.append(
                RefundLine(line.id, line.line_id, slots, line.unit_price * len(slots), 0, None)
            )
    return Decision(Kind.REFUND if refund_lines else Kind.NOTHING, tuple(refund_lines))


def after_inspection(
    *,
    exchange: bool,
    lines: list[LineTerms],
    findings: list[UnitFinding],
    refunded: set[tuple[uuid.UUID, int]],
    already_refunded_amount: int,
) -> Decision:
    """The decision once every received unit is inspected.

    Units flagged for rejection (wrong item, serial swap, buyer damage beyond policy) are
    not refunded; the rest are, at their line's price minus their justified deduction, each
    at most once, and never more in all than the buyer paid. An exchange return asks for
    the exchange instead of a refund. Nothing acceptable and something rejected: rejected.
    """
    by_id = {line.id: line for line in lines}
    rejected = tuple(f for f in findings if f.reject_reason)
    accepted = [
        f
        for f in findings
        if not f.reject_reason
        and f.line in by_id
        and f.slot is not None
        and f.slot < by_id[f.line].quantity
        and (f.line, f.slot) not in refunded
    ]
    if not accepted:
        return Decision(Kind.REJECT if rejected else Kind.NOTHING, rejected=rejected)

    paid = sum(line.quantity * line.unit_price for line in lines)
    budget = max(paid - already_refunded_amount, 0)
    refund_lines = []
    for line in lines:
        units = sorted((f for f in accepted if f.line == line.id), key=lambda f: f.slot)
        if not units:
            continue
        deduction = sum(min(f.deduction, line.unit_price) for f in units)
        amount = min(line.unit_price * len(units) - deduction, budget)
        budget -= amount
        reasons = sorted({f.deduction_reason for f in units if f.deduction and f.deduction_reason})
        refund_lines.append(
            RefundLine(
                line.id,
                line.line_id,
                tuple(f.slot for f in units),
                amount,
                deduction,
                "; ".join(reasons) or None,
                tuple(f.unit_id for f in units),
            )
        )
    kind = Kind.EXCHANGE if exchange else Kind.REFUND
    return Decision(kind, tuple(refund_lines), rejected, tuple(f.unit_id for f in accepted))


def found_after_refund(
    findings: list[UnitFinding], refunded: set[tuple[uuid.UUID, int]]
) -> list[UnitFinding]:
    """The findings against units an express refund paid for before inspection: a rejection
    or a deduction there is for the store to act on, never a second refund."""
    return [
        f
        for f in findings
        if f.line is not None and (f.line, f.slot) in refunded and (f.reject_reason or f.deduction)
    ]
