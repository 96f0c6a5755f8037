"""The return's life cycle and the rules on it. Plain Python: no Flask, no database.

awaiting_parcel ──tracking──▶ in_transit
     │  │                         │
     │  └──────────cancel─────────┴──▶ cancelled
     ▼
partially_received ─▶ received ─▶ inspected ─▶ refund_requested ─▶ closed
                                      ├──────▶ rejected ─────────▶ closed
                                      └──────▶ exchange_requested ▶ closed
"""

from __future__ import annotations

from enum import StrEnum

import scanners
from scanners.clean import clean


class ReturnStatus(StrEnum):
    AWAITING_PARCEL = "awaiting_parcel"
    IN_TRANSIT = "in_transit"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUND_REQUESTED = "refund_requested"
    REJECTED = "rejected"
    EXCHANGE_REQUESTED = "exchange_requested"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ReturnReason(StrEnum):
    NO_REASON_7D = "no_reason_7d"
    QUALITY_ISSUE = "quality_issue"
    NOT_AS_DESCRIBED = "not_as_described"
    WRONG_ITEM_SENT = "wrong_item_sent"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    OTHER = "other"


#: Before any parcel is received the store may still cancel (e.g. it turned into 仅退款).
BEFORE_RECEIPT = frozenset({ReturnStatus.AWAITING_PARCEL, ReturnStatus.IN_TRANSIT})
#: Returns that are finished: no parcel is expected and nothing more will be sent.
FINISHED = frozenset({ReturnStatus.CLOSED, ReturnStatus.CANCELLED})
#: Returns a parcel scan may still match.
OPEN = frozenset(ReturnStatus) - FINISHED
#: Received returns on which the store still owes a decision (its deadline runs); kept equal
#: to `warehouse.returns.models.AWAITING_DECISION_SQL`, the dashboard index's filter (a test
#: checks).
AWAITING_DECISION = (
    ReturnStatus.PARTIALLY_RECEIVED,
    ReturnStatus.RECEIVED,
    ReturnStatus.INSPECTED,
)


class TransitionRefused(Exception):
    """A change the return's status does not allow; the message says why, for a person."""


def status_after_tracking(status: ReturnStatus) -> ReturnStatus:
    """Registering a tracking number moves a waiting return in transit; later it changes nothing."""
    if status in FINISHED:
        raise TransitionRefused(f"the return is {status}; tracking can no longer change")
    return ReturnStatus.IN_TRANSIT if status == ReturnStatus.AWAITING_PARCEL else status


def status_after_cancel(status: ReturnStatus, *, parcel_received: bool) -> ReturnStatus:
    """Only a return none of whose parcels has arrived can be cancelled. A parcel scanned
    and matched to it counts as received, even before the parcel is closed (its status
    moves only then)."""
    if status == ReturnStatus.CANCELLED:
        raise TransitionRefused("the return is already cancelled")
    if status not in BEFORE_RECEIPT or parcel_received:
        raise TransitionRefused(f"the return is {status}: a parcel has been received already")
    return ReturnStatus.CANCELLED


def status_after_receipt(status: ReturnStatus, reception: str) -> ReturnStatus:
    """A closed parcel moves a return that was waiting (or partly in) to its reception status;
    a return already further along (inspected, refund requested …) keeps its status."""
    if status in FINISHED:
        raise TransitionRefused(f"the return is {status}; nothing more is expected")
    if status in BEFORE_RECEIPT or status == ReturnStatus.PARTIALLY_RECEIVED:
        return ReturnStatus(reception)
    return status


def status_after_inspection(status: ReturnStatus, *, all_units_inspected: bool) -> ReturnStatus:
    """The inspection of the last unit of a received return makes it inspected. A return not
    fully received keeps its status (more may come), and so does one already further along
    (an express refund requested at check-in: the inspection is then a finding, not a step),
    or one finished (the unit is still on the floor and must be graded and routed)."""
    if status == ReturnStatus.RECEIVED and all_units_inspected:
        return ReturnStatus.INSPECTED
    return status


def identifier_key(text: str) -> str:
    """The form in which identifiers are stored and looked up: upper case, no spaces or dashes.

    A buyer types "sf 1234-5678" (maybe full-width, through a Chinese input method), a
    scanner reads "SF12345678": both must find the return. The scanner library's cleaning
    does the heavy lifting, so stores' text and scans are normalised the same way.
    """
    return "".join(ch for ch in clean(text).text.upper() if ch not in " -")


def identifier_variants(key: str) -> list[str]:
    """The keys a tracking number is indexed and looked up under: with and without the
    carrier's letter prefix ("SF1234567890123" and "1234567890123"), since buyers register
    either and labels print either."""
    variants = [key]
    prefix_length = len(key) - len(key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if 2 <= prefix_length <= 3 and key[prefix_length:].isdigit() and len(key) - prefix_length >= 8:
        variants.append(key[prefix_length:])
    return variants


#: What the item scan takes as an item's code (`warehouse.receiving.services.ITEM_CODE_KINDS`).
ITEM_SCAN_KINDS = frozenset({"gtin", "gs1", "unknown"})


def unscannable(text: str) -> str | None:
    """Why an item scan could never read `text` back as written (None when it can).

    A serial number, or the SKU of a line without a GTIN, is matched by scanning it; a
    keyboard-wedge scanner types printable ASCII only, and the scan is cleaned and read
    (`scanners.parse`) before it is compared. Text that comes out as something else (a
    carrier's tracking number, an LPN, full-width letters folded to ASCII, a code whose
    check digit fails) can never match, so the item would be taken for a wrong one.
    """
    if not (text.isascii() and text.isprintable()):
        return "Only printable ASCII: a scanner cannot type other characters."
    scan = scanners.parse(text, context="item")
    if scan.problem:
        return f"A scan of it is refused: {scan.problem}."
    if scan.kind not in ITEM_SCAN_KINDS:
        return f"A scan of it reads as a {scan.kind} code, not an item's."
    if scan.value.upper() != text.upper():
        return f"A scan of it reads {scan.value!r}."
    return None


def tracking_unscannable(text: str) -> str | None:
    """Why a scan of the parcel label carrying tracking number `text` would never match it
    (None when it would): a number whose check digit fails its carrier's rule is refused
    at the parcel scan as a misread, so a return registered under it is never found by it."""
    scan = scanners.parse(text, context="parcel")
    if scan.problem:
        return f"A scan of its label would be refused: {scan.problem}."
    return None
