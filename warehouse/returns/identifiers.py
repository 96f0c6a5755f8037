"""Which returns a scanned or typed code names through their identifiers (RMA, order id,
external id, tracking number): one matching for the dock's parcel scan and a supervisor's
match on the exception queue, so a code finds the same returns wherever it is entered."""

from __future__ import annotations

from sqlalchemy import Select, select

from scanners import Scan
from warehouse.returns.models import ReturnIdentifier
from warehouse.returns.rules import identifier_key, identifier_variants


def lookup(scan: Scan) -> tuple[tuple[str, ...], list[str]]:
    """The identifier kinds a scanned code may be, and the keys it is looked up under (none
    for a code with nothing readable in it)."""
    key = identifier_key(scan.value)
    if not key:
        return (), []
    if scan.problem:
        # A code that failed its own check digit is never matched as what it claims; only an
        # exact order or external id (which may look like anything) can still name a return.
        return ("order", "external"), [key]
    if scan.kind == "tracking":
        return ("tracking",), identifier_variants(key)
    if scan.kind == "rma":
        return ("rma",), [key]
    # Numbers without a format of their own (and GTIN look-alikes: a 13-digit Yunda number
    # passes the EAN check one time in ten) may be any identifier.
    return ("order", "external", "tracking"), identifier_variants(key)


def returns_named(scan: Scan) -> Select:
    """The ids of every return one of whose identifiers equals the code (exactly, in one of
    the kinds it may be): a subquery or a query of its own."""
    kinds, values = lookup(scan)
    return select(ReturnIdentifier.return_id).where(
        ReturnIdentifier.value.in_(values), ReturnIdentifier.kind.in_(kinds)
    )
