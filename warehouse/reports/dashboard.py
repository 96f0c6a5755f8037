"""The supervisor dashboard's figures, each one aggregated in SQL.

Figures of a day (work per hour, disposition mix, returns by SKU and reason, serial swaps,
flagged buyers seen that day) read only that day's rows through a time index; figures of
"now" (open exceptions, undecided returns by deadline) read a set that stays small however
many returns are closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select, text, tuple_
from sqlalchemy.orm import Session

from warehouse.disposition.models import Disposition
from warehouse.events.models import EventDelivery
from warehouse.events.rules import DeliveryStatus
from warehouse.inspection.models import Inspection
from warehouse.queue.rules import OPEN_STATES
from warehouse.receiving.models import Parcel, ReceivingException, Unit
from warehouse.refunds.services import FREQUENT_RETURNS, FREQUENT_RETURNS_WINDOW
from warehouse.reports.periods import Day
from warehouse.returns.models import AWAITING_DECISION_SQL, Return, ReturnLine
from warehouse.stores.models import Store

#: Hours ahead that count as "near" the decision deadline (as `GET /returns/deadlines`).
NEAR_DEADLINE_HOURS = 12
#: The longest ranked lists (SKUs, flagged buyers) the dashboard shows; the list pages and
#: CSV exports behind them have the rest.
TOP = 10

#: Each hourly series: the table and the column saying when the work was done. Parcels and
#: units count when the terminal scanned them (an offline terminal's scans land in the
#: hour they were made).
ACTIVITY = {
    "parcels": Parcel.scanned_at,
    "units": Unit.scanned_at,
    "inspections": Inspection.created_at,
    "dispositions": Disposition.created_at,
}

#: Undecided received returns, written as the partial index `ix_returns_awaiting_due` is, so
#: both databases' planners see the index covers the query (a bound parameter would hide it).
AWAITING = text(f"returns.{AWAITING_DECISION_SQL}")
SERIAL_SWAP = "serial_mismatch"


def hour_of_day(session: Session, column, day: Day):
    """SQL for the elapsed hour of `day` (0-based) in which `column` falls."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite keeps naive UTC text; strftime('%s') is its Unix time in whole seconds.
        seconds = cast(func.strftime("%s", column), Integer) - int(day.start.timestamp())
        return cast(seconds / 3600, Integer)
    return cast(func.floor(func.extract("epoch", column - day.start) / 3600), Integer)


def hourly(session: Session, day: Day) -> dict[str, list[int]]:
    """Parcels, units, inspections and dispositions in each hour of the day."""
    series = {}
    for name, column in ACTIVITY.items():
        counts = [0] * day.hours
        hour = hour_of_day(session, column, day).label("hour")
        rows = session.execute(
            select(hour, func.count()).where(column >= day.start, column < day.end).group_by(hour)
        )
        for index, count in rows:
            if index is not None and 0 <= int(index) < day.hours:
                counts[int(index)] = count
        series[name] = counts
    return series


def disposition_mix(session: Session, day: Day) -> list[tuple[str, int]]:
    """How many units went each route during the day, the commonest first."""
    count = func.count().label("n")
    rows = session.execute(
        select(Disposition.decision, count)
        .where(Disposition.created_at >= day.start, Disposition.created_at < day.end)
        .group_by(Disposition.decision)
        .order_by(count.desc(), Disposition.decision)
    )
    return [(decision, n) for decision, n in rows]


def open_exceptions_by_kind(session: Session) -> list[tuple[str, int]]:
    """Unresolved exceptions (open or claimed) by kind, the commonest first."""
    count = func.count().label("n")
    rows = session.execute(
        select(ReceivingException.kind, count)
        .where(ReceivingException.status.in_(OPEN_STATES))
        .group_by(ReceivingException.kind)
        .order_by(count.desc(), ReceivingException.kind)
    )
    return [(kind, n) for kind, n in rows]


@dataclass(frozen=True)
class Deadlines:
    past: int
    near: int


def deadline_horizon(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(hours=NEAR_DEADLINE_HOURS)


def deadlines(session: Session, now: dt.datetime) -> Deadlines:
    """Undecided received returns past their decision deadline, and due within 12 hours."""
    past, near = session.execute(
        select(
            func.count().filter(Return.due_at <= now),
            func.count().filter(Return.due_at > now),
        ).where(AWAITING, Return.due_at <= deadline_horizon(now))
    ).one()
    return Deadlines(past=past, near=near)


@dataclass(frozen=True)
class SkuFigure:
    sku: str
    quantity: int
    returns: int
    share: float


def returns_by_sku(session: Session, day: Day, *, limit: int = TOP) -> list[SkuFigure]:
    """The SKUs buyers asked to return most during the day: units asked for, on how many
    returns, and the SKU's share of all units asked for that day.

    The service is not told what was sold, so this is each SKU's share of the returns, the
    early warning a store reads as its return rate; the store divides by its own sales.
    """
    quantity = func.sum(ReturnLine.quantity).label("quantity")
    # The day's total rides along as a window over the groups: one pass over the day's lines.
    total = func.sum(func.sum(ReturnLine.quantity)).over().label("total")
    rows = session.execute(
        select(ReturnLine.sku, quantity, func.count(func.distinct(ReturnLine.return_id)), total)
        .join(Return, Return.id == ReturnLine.return_id)
        .where(Return.created_at >= day.start, Return.created_at < day.end)
        .group_by(ReturnLine.sku)
        .order_by(quantity.desc(), ReturnLine.sku)
        .limit(limit)
    )
    return [SkuFigure(sku, int(q), n, int(q) / int(t) if t else 0.0) for sku, q, n, t in rows]


def returns_by_reason(session: Session, day: Day) -> list[tuple[str, int, float]]:
    """Returns created during the day by the buyer's reason, with each reason's share."""
    count = func.count().label("n")
    rows = list(
        session.execute(
            select(Return.reason, count)
            .where(Return.created_at >= day.start, Return.created_at < day.end)
            .group_by(Return.reason)
            .order_by(count.desc(), Return.reason)
        )
    )
    total = sum(n for _, n in rows)
    return [(reason, n, n / total) for reason, n in rows]


@dataclass(frozen=True)
class FlaggedBuyer:
    store_id: object
    store_name: str
    buyer_id: str
    returns: int


def flagged_buyers(session: Session, day: Day, *, limit: int | None = TOP) -> list[FlaggedBuyer]:
    """Buyers with a return during the day who are flagged for frequent returns: at least
    `FREQUENT_RETURNS` returns at one store within `FREQUENT_RETURNS_WINDOW` of the day's end
    (the rule that also withholds their express refunds)."""
    seen = (
        select(Return.store_id, Return.buyer_id)
        .where(Return.created_at >= day.start, Return.created_at < day.end)
        .distinct()
    )
    count = func.count().label("n")
    query = (
        select(Return.store_id, Store.name, Return.buyer_id, count)
        .join(Store, Store.id == Return.store_id)
        .where(
            tuple_(Return.store_id, Return.buyer_id).in_(seen),
            Return.created_at >= day.end - FREQUENT_RETURNS_WINDOW,
            Return.created_at < day.end,
        )
        .group_by(Return.store_id, Store.name, Return.buyer_id)
        .having(func.count() >= FREQUENT_RETURNS)
        .order_by(count.desc(), Return.buyer_id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [FlaggedBuyer(*row) for row in session.execute(query)]


def serial_swaps(session: Session, day: Day) -> int:
    """Units scanned during the day whose serial number was not the one sold (a possible
    swap: the buyer kept the good unit)."""
    return session.scalar(
        select(func.count())
        .select_from(Unit)
        .where(
            Unit.scanned_at >= day.start,
            Unit.scanned_at < day.end,
            Unit.reception_status == SERIAL_SWAP,
        )
    )


def dead_letters(session: Session) -> int:
    """Webhooks given up on and waiting for a supervisor's replay."""
    return session.scalar(
        select(func.count())
        .select_from(EventDelivery)
        .where(EventDelivery.status == DeliveryStatus.DEAD)
    )


@dataclass(frozen=True)
class FailingWebhooks:
    """A store whose webhooks are failing now, before any of them is dead: since when, its
    latest failure (and that event, whose attempts show the whole log), and how many of its
    events wait to be delivered (the failing ones and those held back behind them)."""

    store_id: object
    store_name: str
    webhook_url: str | None
    since: dt.datetime
    last_attempted_at: dt.datetime
    last_error: str | None
    last_status_code: int | None
    last_event_id: object
    failing: int
    waiting: int


def failing_webhooks(session: Session) -> list[FailingWebhooks]:
    """Stores with webhooks retried after a failure (pending with an attempt behind them),
    the longest-failing first. Reads only pending deliveries, through the status index: a
    set as large as the undelivered backlog, however many events were delivered."""
    pending = EventDelivery.status == DeliveryStatus.PENDING
    failed = EventDelivery.attempts > 0
    totals = (
        select(
            EventDelivery.store_id.label("store_id"),
            func.min(EventDelivery.first_attempted_at).filter(failed).label("since"),
            func.count().filter(failed).label("failing"),
            func.count().label("waiting"),
        )
        .where(pending)
        .group_by(EventDelivery.store_id)
        .having(func.count().filter(failed) > 0)
        .subquery()
    )
    latest = (
        select(
            EventDelivery.store_id.label("store_id"),
            EventDelivery.event_id.label("event_id"),
            EventDelivery.last_attempted_at.label("at"),
            EventDelivery.last_error.label("error"),
            EventDelivery.last_status_code.label("status_code"),
            func.row_number()
            .over(
                partition_by=EventDelivery.store_id,
                order_by=(EventDelivery.last_attempted_at.desc(), EventDelivery.event_id.desc()),
            )
            .label("n"),
        )
        .where(pending, failed)
        .subquery()
    )
    rows = session.execute(
        select(
            Store.id,
            Store.name,
            Store.webhook_url,
            totals.c.since,
            latest.c.at,
            latest.c.error,
            latest.c.status_code,
            latest.c.event_id,
            totals.c.failing,
            totals.c.waiting,
        )
        .join(totals, totals.c.store_id == Store.id)
        .join(latest, (latest.c.store_id == Store.id) & (latest.c.n == 1))
        .order_by(totals.c.since, Store.name)
    )
    return [FailingWebhooks(*row) for row in rows]
