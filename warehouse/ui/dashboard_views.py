"""Supervisors: the dashboard of one day in the warehouse's time zone, the list behind each
figure, and each list as a CSV file (UTF-8 with a BOM, so Excel shows Chinese correctly)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from flask import Response, abort, current_app, request, stream_with_context, url_for

from warehouse import api
from warehouse.auth.roles import Permission
from warehouse.db import read_only_transactions
from warehouse.errors import InvalidInput
from warehouse.reports import dashboard, lists
from warehouse.reports.periods import Day
from warehouse.ui import i18n
from warehouse.ui.i18n import N_
from warehouse.ui.web import bp, render, requires

#: Rows a list page shows; its CSV export has up to `CSV_ROWS`.
PAGE_ROWS = 500
CSV_ROWS = 100_000
#: Each hourly series as the chart names it.
SERIES_LABELS = {
    "parcels": N_("Parcels"),
    "units": N_("Units"),
    "inspections": N_("Inspections"),
    "dispositions": N_("Dispositions"),
}
#: Cells a spreadsheet would run as a formula (CSV injection) start with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _zone():
    return current_app.config["WAREHOUSE_TIMEZONE"]


def _day() -> Day:
    """The day asked for by `?day=YYYY-MM-DD`, else today in the warehouse's time zone."""
    zone = _zone()
    raw = request.args.get("day", "")
    if not raw:
        return Day.containing(api.context().now, zone)
    try:
        return Day.of(dt.date.fromisoformat(raw), zone)
    except (ValueError, OverflowError):  # not a date, or one at the calendar's very ends
        raise InvalidInput({"day": ["A date, YYYY-MM-DD."]}, detail="Not a date.") from None


def _list_url(name: str, day: Day, **filters) -> str:
    return url_for("ui.dashboard_list", name=name, day=day.date.isoformat(), **filters)


@bp.get("/ui/dashboard")
@requires(Permission.SUPERVISE)
def dashboard_page():
    """Today's work per hour, the disposition mix, what needs attention, and abuse signals."""
    db = api.session()
    now = api.context().now
    day = _day()
    hourly = dashboard.hourly(db, day)
    totals = {name: sum(counts) for name, counts in hourly.items()}
    mix = dashboard.disposition_mix(db, day)
    chart = {
        "hours": day.hour_labels(),
        "series": [
            {
                "key": name,
                "label": i18n.gettext(SERIES_LABELS[name]),
                "counts": counts,
                "href": _list_url("activity", day, kind=name),
            }
            for name, counts in hourly.items()
        ],
        "mix": [
            {
                "label": i18n.gettext(decision),
                "count": n,
                "href": _list_url("activity", day, kind="dispositions", decision=decision),
            }
            for decision, n in mix
        ],
    }
    return render(
        "dashboard.html",
        day=day,
        today=Day.containing(now, day.zone).date,
        previous=(day.date - dt.timedelta(days=1)).isoformat(),
        following=(day.date + dt.timedelta(days=1)).isoformat(),
        chart=chart,
        series_labels=SERIES_LABELS,
        totals=totals,
        mix=mix,
        exceptions=dashboard.open_exceptions_by_kind(db),
        deadlines=dashboard.deadlines(db, now),
        near_hours=dashboard.NEAR_DEADLINE_HOURS,
        skus=dashboard.returns_by_sku(db, day),
        reasons=dashboard.returns_by_reason(db, day),
        flagged=dashboard.flagged_buyers(db, day),
        top=dashboard.TOP,
        swaps=dashboard.serial_swaps(db, day),
        dead_letters=dashboard.dead_letters(db),
        failing_webhooks=dashboard.failing_webhooks(db),
        list_url=lambda name, **filters: _list_url(name, day, **filters),
    )


def _listing(name: str) -> tuple[Day, lists.Listing]:
    if name not in lists.LISTS:
        abort(404)
    day = _day()
    args = {key: value for key, value in request.args.items() if key != "day"}
    return day, lists.build(api.session(), name, day, args, api.context().now)


def _cell(value, column: lists.Column, day: Day) -> str:
    """A value as a person reads it: local times, translated codes, blanks for nothing."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return day.local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):  # messages (what a return needs), each in the reader's words
        return " ".join(i18n.translate(v) for v in value)
    if column.code:
        return i18n.gettext(str(value))
    return str(value)


def _link(listing: lists.Listing, key, day: Day) -> str | None:
    if key is None:
        return url_for("ui.exceptions") if listing.otherwise == "exceptions" else None
    if listing.links_to == "buyer":
        store_id, buyer_id = str(key).split("/", 1)
        return _list_url("buyer", day, store_id=store_id, buyer_id=buyer_id)
    return url_for("ui.return_timeline", return_id=str(key))


@bp.get("/ui/dashboard/lists/<name>")
@requires(Permission.SUPERVISE)
def dashboard_list(name: str):
    """The rows behind one figure, each linking to its return (or buyer)."""
    day, listing = _listing(name)
    found = list(lists.rows(api.session(), listing, PAGE_ROWS + 1))
    shown = [
        (
            _link(listing, row[0], day),
            [_cell(v, c, day) for v, c in zip(row[1:], listing.columns, strict=True)],
        )
        for row in found[:PAGE_ROWS]
    ]
    args = {key: value for key, value in request.args.items() if key != "day"}
    return render(
        "dashboard_list.html",
        day=day,
        name=name,
        title=listing.title,
        columns=listing.columns,
        rows=shown,
        truncated=len(found) > PAGE_ROWS,
        page_rows=PAGE_ROWS,
        csv_url=url_for("ui.dashboard_csv", name=name, day=day.date.isoformat(), **args),
        back_url=url_for("ui.dashboard_page", day=day.date.isoformat()),
    )


def _safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@bp.get("/ui/dashboard/lists/<name>.csv")
@requires(Permission.SUPERVISE)
def dashboard_csv(name: str):
    """The list as CSV, up to `CSV_ROWS` rows, streamed as it is read (in the request's
    context, so the reader's language and the request's session serve the whole stream)."""
    day, listing = _listing(name)
    headings = [i18n.gettext(c.heading) for c in listing.columns]
    db = api.session()

    def cell(value, column: lists.Column) -> str:
        return _safe(_cell(value, column, day))

    def produce() -> Iterator[str]:
        # The rows are read while the response streams, after the view has returned: the
        # read is made read-only here (no SQLite write lock) and ended with the stream.
        with read_only_transactions():
            try:
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                buffer.write("\ufeff")
                writer.writerow(headings)
                for row in lists.rows(db, listing, CSV_ROWS):
                    cells = zip(row[1:], listing.columns, strict=True)
                    writer.writerow([cell(v, c) for v, c in cells])
                    if buffer.tell() > 64 * 1024:
                        yield buffer.getvalue()
                        buffer.seek(0)
                        buffer.truncate()
                yield buffer.getvalue()
            finally:
                db.rollback()

    filename = f"{name}-{day.date.isoformat()}.csv"
    return Response(
        stream_with_context(produce()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
