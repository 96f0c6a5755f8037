"""The lists behind the dashboard's figures (drill-down pages and their CSV exports).

Each list is a query over the same bounded rows the figure counted, newest or most urgent
first; its first selected column is what each row links to, the rest are shown. A list is
named in the URL (`LISTS`) with its filters as query parameters; a filter it does not know,
or a value outside its choices, is refused as `InvalidInput` (shown as an error page).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from warehouse.disposition.models import Disposition
from warehouse.errors import InvalidInput
from warehouse.inspection.models import Inspection, UnitStatus
from warehouse.inspection.units import STATE_SQL
from warehouse.queue.rules import OPEN_STATES
from warehouse.receiving.models import Parcel, ParcelReturn, ReceivingException, Unit
from warehouse.refunds.services import FREQUENT_RETURNS_WINDOW
from warehouse.reports import dashboard, progress
from warehouse.reports.periods import Day
from warehouse.returns.models import Return, ReturnLine
from warehouse.stores.models import Store

#: Rows read (and annotated) at a time.
BATCH = 500


def N_(text: str) -> str:
    """Marks a heading or title for the floor UI's catalogue; the page translates it."""
    return text


@dataclass(frozen=True)
class Column:
    """A shown column: its heading (English, translated when shown) and whether its values
    are codes to translate (reasons, statuses, routes)."""

    heading: str
    code: bool = False


@dataclass(frozen=True)
class Listing:
    """A list ready to run: what its rows link to ("return" or "buyer"), its columns, and
    its query (or, for a list computed from a figure, its rows)."""

    title: str
    links_to: str
    columns: tuple[Column, ...]
    query: Select | None
    found: list[tuple] | None = None
    #: What the title is about (a SKU, a buyer id), shown after it untranslated.
    subject: str = ""
    #: Adds computed cells to a batch of the query's rows (the last columns), if any.
    annotate: Callable[[Session, list[tuple]], list[tuple]] | None = None
    #: Where a row with nothing to link to opens instead ("exceptions": the queue, where an
    #: unmatched parcel is matched), so no row is a dead end.
    otherwise: str | None = None


WHEN = Column(N_("When"))
RMA = Column(N_("RMA"))
STORE = Column(N_("Store"))
LPN = Column(N_("LPN"))
SKU = Column(N_("SKU"))
BY = Column(N_("By"))


def _hour_bounds(day: Day, hour: str | None) -> tuple[dt.datetime, dt.datetime]:
    if hour in (None, ""):
        return day.start, day.end
    try:
        if not (hour.isascii() and hour.isdecimal() and len(hour) <= 2):
            raise ValueError(hour)  # int() would also read "1_6", " 16" or "١٦"
        return day.hour_range(int(hour))
    except ValueError:
        raise InvalidInput(
            {"hour": [f"An hour of the day, 0–{day.hours - 1}."]}, N_("Not an hour of the day.")
        ) from None


def _choice(value: str | None, name: str, choices, *, required: bool = True) -> str | None:
    if value in (None, "") and not required:
        return None
    if value not in choices:
        raise InvalidInput(
            {name: [f"One of: {', '.join(sorted(choices))}."]}, N_("Not one of the list's choices.")
        )
    return value


def _required(value: str | None, name: str) -> str:
    if not value:
        raise InvalidInput({name: ["Required."]}, N_("A filter this list needs is missing."))
    return value


def activity(session: Session, day: Day, args: Mapping[str, str]) -> Listing:
    """The parcels, units, inspections or dispositions of the day (or of one hour of it)."""
    kind = _choice(args.get("kind"), "kind", dashboard.ACTIVITY)
    start, end = _hour_bounds(day, args.get("hour"))
    if kind == "parcels":
        query = _happened(Parcel, start, end, Parcel.code, Parcel.match_status)
        columns = (WHEN, Column(N_("Parcel")), Column(N_("Status"), code=True), RMA, BY)
        return Listing(N_("Parcels"), "return", columns, query, otherwise="exceptions")
    if kind == "units":
        query = _happened(Unit, start, end, Unit.lpn, Unit.sku, STATE_SQL, Unit.reception_status)
        status, at_check_in = Column(N_("Status"), code=True), Column(N_("At check-in"), code=True)
        columns = (WHEN, LPN, SKU, status, at_check_in, RMA, BY)
        return Listing(N_("Units"), "return", columns, query)
    if kind == "inspections":
        shown = (Unit.lpn, Inspection.grade, Inspection.recommended_disposition)
        query = _happened(Inspection, start, end, *shown)
        columns = (WHEN, LPN, Column(N_("Grade")), Column(N_("Recommended"), code=True), RMA, BY)
        return Listing(N_("Inspections"), "return", columns, query)
    decision = args.get("decision") or None
    query = _happened(Disposition, start, end, Unit.lpn, Disposition.decision, Disposition.reason)
    if decision is not None:
        query = query.where(Disposition.decision == decision)
    # A scrap reason is a code (hygiene); an override's reason is text, shown as typed.
    columns = (WHEN, LPN, Column(N_("Route"), code=True), Column(N_("Reason"), code=True), RMA, BY)
    return Listing(N_("Dispositions"), "return", columns, query)


#: Each activity's table: when a row happened, who did it and the return it links to.
_HAPPENINGS = {
    Parcel: (Parcel.scanned_at, Parcel.opened_by, ParcelReturn.return_id),
    Unit: (Unit.scanned_at, Unit.received_by, Unit.return_id),
    Inspection: (Inspection.created_at, Inspection.inspected_by, Inspection.return_id),
    Disposition: (Disposition.created_at, Disposition.decided_by, Disposition.return_id),
}


def _happened(table: type, start, end, *shown) -> Select:
    """Rows of `table` (parcels, units, inspections, dispositions) that happened between
    `start` and `end`, newest first: the return each links to, when, the columns `shown`,
    the return's RMA and who did it."""
    when, by, links_to = _HAPPENINGS[table]
    query = select(links_to, when, *shown, Return.rma_number, by)
    if table is Parcel:
        query = query.outerjoin(ParcelReturn, ParcelReturn.parcel_id == Parcel.id)
    elif table is Unit:
        query = query.outerjoin(UnitStatus, UnitStatus.unit_id == Unit.id)
    else:  # an inspection's or a disposition's unit, for its LPN
        query = query.join(Unit, Unit.id == table.unit_id)
    return (
        query.outerjoin(Return, Return.id == links_to)
        .where(when >= start, when < end)
        .order_by(when.desc())
    )


def exceptions(session: Session, day: Day, args: Mapping[str, str]) -> Listing:
    """Unresolved exceptions (of one kind, or all), oldest first: the queue's order."""
    query = (
        select(
            ReceivingException.return_id,
            ReceivingException.created_at,
            ReceivingException.kind,
            ReceivingException.status,
            Return.rma_number,
            ReceivingException.claimed_by,
        )
        .outerjoin(Return, Return.id == ReceivingException.return_id)
        .where(ReceivingException.status.in_(OPEN_STATES))
        .order_by(ReceivingException.created_at)
    )
    if args.get("kind"):
        query = query.where(ReceivingException.kind == args["kind"])
    columns = (
        WHEN,
        Column(N_("Kind"), code=True),
        Column(N_("Status"), code=True),
        RMA,
        Column(N_("Claimed by")),
    )
    return Listing(N_("Open exceptions"), "return", columns, query, otherwise="exceptions")


def deadlines(session: Session, day: Day, args: Mapping[str, str], now: dt.datetime) -> Listing:
    """Undecided returns past their deadline, or due within the next hours; soonest first."""
    which = _choice(args.get("which"), "which", {"past", "near"})
    query = (
        select(
            Return.id,
            Return.due_at,
            Return.rma_number,
            Store.name,
            Return.status,
            Return.received_at,
        )
        .join(Store, Store.id == Return.store_id)
        .where(dashboard.AWAITING)
        .order_by(Return.due_at, Return.id)
    )
    if which == "past":
        query = query.where(Return.due_at <= now)
        title = N_("Past their deadline")
    else:
        query = query.where(Return.due_at > now, Return.due_at <= dashboard.deadline_horizon(now))
        title = N_("Near their deadline")
    columns = (
        Column(N_("Due")),
        RMA,
        STORE,
        Column(N_("Status"), code=True),
        Column(N_("Received")),
        Column(N_("To decide it")),
    )
    return Listing(title, "return", columns, query, annotate=_with_steps)


def _with_steps(session: Session, batch: list[tuple]) -> list[tuple]:
    """Each undecided return's row with what must be done to decide it."""
    steps = progress.steps(session, [row[0] for row in batch])
    return [(*row, steps.get(row[0], [])) for row in batch]


def _return_rows():
    """A return's row as RETURN_COLUMNS shows it, newest first."""
    return (
        select(
            Return.id,
            Return.created_at,
            Return.rma_number,
            Store.name,
            Return.order_id,
            Return.buyer_id,
            Return.reason,
            Return.status,
        )
        .join(Store, Store.id == Return.store_id)
        .order_by(Return.created_at.desc())
    )


def _returns_of_day(day: Day):
    return _return_rows().where(Return.created_at >= day.start, Return.created_at < day.end)


RETURN_COLUMNS = (
    WHEN,
    RMA,
    STORE,
    Column(N_("Order")),
    Column(N_("Buyer")),
    Column(N_("Reason"), code=True),
    Column(N_("Status"), code=True),
)


def sku(session: Session, day: Day, args: Mapping[str, str]) -> Listing:
    """The day's returns that ask to send back one SKU."""
    wanted = _required(args.get("sku"), "sku")
    lines = select(ReturnLine.return_id).where(ReturnLine.sku == wanted)
    query = _returns_of_day(day).where(Return.id.in_(lines))
    return Listing(N_("SKU"), "return", RETURN_COLUMNS, query, subject=wanted)


def reason(session: Session, day: Day, args: Mapping[str, str]) -> Listing:
    """The day's returns for one reason (or every return of the day)."""
    query = _returns_of_day(day)
    if args.get("reason"):
        query = query.where(Return.reason == args["reason"])
    return Listing(N_("Returns"), "return", RETURN_COLUMNS, query)


def flagged(session: Session, day: Day, args: Mapping[str, str]) -> Listing:
    """Every buyer of the day flagged for frequent returns; each links to their returns."""
    figures = dashboard.flagged_buyers(session, day, limit=None)
    columns = (STORE, Column(N_("Buyer")), Column(N_("Returns in 30 days")))
    found = [(f"{f.store_id}/{f.buyer_id}", f.store_name, f.buyer_id, f.returns) for f in figures]
    return Listing(N_("Flagged buyers"), "buyer", columns, None, found)


def buyer(session: Session, day: Day, args: Mapping[str, str]) -> Listing:
    """One buyer's returns at one store within the flagging window up to the day's end."""
    try:
        store_id = uuid.UUID(_required(args.get("store_id"), "store_id"))
    except ValueError:
        raise InvalidInput({"store_id": ["Not a store id."]}, N_("Not a store id.")) from None
    buyer_id = _required(args.get("buyer_id"), "buyer_id")
    query = _return_rows().where(
        Return.store_id == store_id,
        Return.buyer_id == buyer_id,
        Return.created_at >= day.end - FREQUENT_RETURNS_WINDOW,
        Return.created_at < day.end,
    )
    return Listing(N_("Buyer"), "return", RETURN_COLUMNS, query, subject=buyer_id)


def serial_swaps(session: Session, day: Day, args: Mapping[str, str]) -> Listing:
    """The day's units whose serial number was not one the store sold."""
    query = _happened(Unit, day.start, day.end, Unit.lpn, Unit.sku, Unit.serial)
    query = query.where(Unit.reception_status == dashboard.SERIAL_SWAP)
    columns = (WHEN, LPN, SKU, Column(N_("Serial")), RMA, BY)
    return Listing(N_("Serial swaps"), "return", columns, query)


LISTS: dict[str, Callable[..., Listing]] = {
    "activity": activity,
    "exceptions": exceptions,
    "deadlines": deadlines,
    "sku": sku,
    "reason": reason,
    "flagged": flagged,
    "buyer": buyer,
    "serial-swaps": serial_swaps,
}
#: The lists that depend on the moment, not only on the day.
NEEDS_NOW = frozenset({"deadlines"})


def build(
    session: Session, name: str, day: Day, args: Mapping[str, str], now: dt.datetime
) -> Listing:
    """The named list with its filters; an unknown name is not found by the caller."""
    make = LISTS[name]
    if name in NEEDS_NOW:
        return make(session, day, args, now)
    return make(session, day, args)


def rows(session: Session, listing: Listing, limit: int) -> Iterator[tuple]:
    """The list's rows, at most `limit`, fetched in batches (a CSV export may be long)."""
    if listing.query is None:
        yield from (listing.found or [])[:limit]
        return
    result = session.execute(listing.query.limit(limit).execution_options(yield_per=BATCH))
    if listing.annotate is None:
        for row in result:
            yield tuple(row)
        return
    for batch in result.partitions(BATCH):
        yield from listing.annotate(session, [tuple(row) for row in batch])
