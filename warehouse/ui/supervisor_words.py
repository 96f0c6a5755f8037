"""Codes the supervisor's pages show as words (timeline actions, detail names, statuses),
marked here so the catalogue extraction finds them; the templates translate with `_(code)`,
and an exception's or a timeline entry's details through the `details` and `detail_key`
filters (names and code values as words, lists as lists, never Python's notation).

A code missing here is shown spelled out (`parcel_code` → "parcel code"), never as an error.
"""

from __future__ import annotations

from warehouse.ui import i18n
from warehouse.ui.i18n import N_
from warehouse.ui.web import bp

#: What happened, in a return's timeline: audit actions, scans, refunds, events, webhooks.
ACTIONS = (
    N_("scan.parcel"),
    N_("scan.item"),
    N_("return.created"),
    N_("return.tracking_registered"),
    N_("return.cancelled"),
    N_("return.received"),
    N_("return.inspected"),
    N_("return.rejected"),
    N_("return.closed"),
    N_("return.shortage_accepted"),
    N_("return.decision_overridden"),
    N_("return.deadline_passed"),
    N_("return.refund_requested"),
    N_("return.exchange_requested"),
    N_("parcel.opened"),
    N_("parcel.matched"),
    N_("parcel.closed"),
    N_("unit.received"),
    N_("unit.photo_added"),
    N_("unit.inspected"),
    N_("unit.reinspected"),
    N_("unit.disposed"),
    N_("unit.refurbished"),
    N_("unit.moved"),
    N_("exception.opened"),
    N_("exception.claimed"),
    N_("exception.resolved"),
    N_("refund.requested"),
    N_("exchange.requested"),
    N_("refund.confirmed"),
    N_("refund.failed"),
    N_("refund.retried"),
    N_("refund.express_declined"),
    N_("event.replayed"),
    N_("webhook.attempt"),
    N_("label.printed"),
    N_("label.print_failed"),
)

#: Names of the details shown beside a timeline entry.
DETAILS = (
    N_("kind"),
    N_("grade"),
    N_("liability"),
    N_("recommended_disposition"),
    N_("recommended"),
    N_("deduction"),
    N_("reject_reason"),
    N_("reject"),
    N_("findings"),
    N_("notes"),
    N_("mode"),
    N_("amount"),
    N_("status"),
    N_("webhook"),
    N_("attempt"),
    N_("latency_ms"),
    N_("error"),
    N_("state"),
    N_("decision"),
    N_("override"),
    N_("reason"),
    N_("bin"),
    N_("checklist"),
    N_("inspection_id"),
    N_("outcome"),
    N_("scrap_reason"),
    N_("serial"),
    N_("reception_status"),
    N_("rma_number"),
    N_("total_amount"),
    N_("units"),
    N_("lines"),
    N_("due_at"),
    N_("exceptions"),
    N_("photo_id"),
    N_("width"),
    N_("height"),
    N_("code"),
    N_("match_status"),
    N_("external_id"),
    N_("order_id"),
    N_("line_id"),
    N_("quantity"),
    N_("deduction_reason"),
    N_("scanned"),
    N_("missing"),
    N_("parcel_code"),
    N_("expected_serials"),
    N_("expected_quantity"),
    N_("sku"),
    N_("weight_grams"),
    N_("returns"),
    N_("photos"),
    N_("note"),
    N_("text"),
    N_("action"),
    N_("parcel_id"),
    N_("return_line_id"),
    N_("unit_id"),
    N_("return_id"),
    N_("claimed_by"),
    N_("resolution"),
    N_("refund_id"),
    N_("tracking_number"),
    N_("deduction_total"),
    N_("buyer_fault"),
    N_("no_resale"),
    N_("remaining"),
    N_("raw_code"),
    N_("terminal_id"),
    N_("category"),
    # Names whose plain code means something else as a value ("expected": as expected).
    N_("detail.expected"),
    N_("detail.received"),
)

#: Details whose values are codes (kinds, statuses, reasons, routes), shown as words.
CODE_VALUES = frozenset(
    {
        "kind",
        "status",
        "reason",
        "decision",
        "recommended",
        "recommended_disposition",
        "liability",
        "mode",
        "state",
        "outcome",
        "scrap_reason",
        "reception_status",
        "match_status",
        "deduction_reason",
        "reject_reason",
        "action",
        "resolution",
    }
)
#: Details whose values are carriers' codes, shown as carriers write them (SF, YTO).
UPPER_VALUES = frozenset({"carrier"})

#: Statuses and other values shown as words (and the objects a "No such …" names).
VALUES = (
    N_("event"),
    N_("exception"),
    N_("inspection"),
    N_("parcel"),
    N_("photo"),
    N_("return"),
    N_("store"),
    N_("awaiting_parcel"),
    N_("in_transit"),
    N_("inspected"),
    N_("refund_requested"),
    N_("rejected"),
    N_("exchange_requested"),
    N_("closed"),
    N_("cancelled"),
    N_("awaiting"),
    N_("refund_none"),
    N_("refund_requested"),
    N_("refund_confirmed"),
    N_("refund_failed"),
    N_("pending"),
    N_("delivered"),
    N_("dead"),
    N_("skipped"),
    N_("open"),
    N_("claimed"),
    N_("resolved"),
    N_("unmatched"),
    N_("quality_issue"),
    N_("not_as_described"),
    N_("wrong_item_sent"),
    N_("damaged_in_transit"),
    N_("other"),
    N_("buyer"),
    N_("carrier"),
    N_("warehouse"),
    N_("manufacturer"),
    N_("none"),
    N_("return_to_vendor"),
    N_("liquidate"),
    N_("finding_after_refund"),
    N_("express"),
    N_("after_inspection"),
    N_("refunding"),
    N_("restocked"),
    N_("refurbishing"),
    N_("scrapped"),
    N_("tracking"),
    N_("rma"),
    N_("lpn"),
    N_("gtin"),
    N_("gs1"),
    N_("unknown"),
)


def detail_key(key: str) -> str:
    """A detail's name as a word in the page's language (spelled out when unknown)."""
    for msgid in (f"detail.{key}", key):
        shown = i18n.gettext(msgid)
        if shown != msgid:
            return shown
    return key.replace("_", " ")


def detail_value(key: str, value: object) -> str:
    """A detail's value as a person reads it: codes as words, lists joined, yes/no."""
    if isinstance(value, bool):
        return i18n.gettext("yes") if value else i18n.gettext("no")
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(detail_value(key, v) for v in value)
    if isinstance(value, dict):
        if "rma_number" in value:  # a return named in a detail: its RMA and status
            status = value.get("status")
            return f"{value['rma_number']}" + (f" ({i18n.gettext(status)})" if status else "")
        return "; ".join(f"{detail_key(k)}: {detail_value(k, v)}" for k, v in value.items())
    if key in UPPER_VALUES and isinstance(value, str):
        return value.upper()
    if key in CODE_VALUES and isinstance(value, str):
        shown = i18n.gettext(value)
        return shown.replace("_", " ") if shown == value else shown
    return str(value)


def shown_details(details: dict | None) -> list[tuple[str, str]]:
    """Every filled detail as (name, value) in words, in the order they were recorded."""
    return [
        (detail_key(k), detail_value(k, v))
        for k, v in (details or {}).items()
        if v not in (None, "", [], {})
    ]


#: A form's own fields, not typed by anyone: left out when a kept form is shown.
FORM_PLUMBING = frozenset({"scan_id", "override", "replay", "scanned_ago_ms", "next"})


@bp.app_template_filter("typed")
def typed(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What a person typed or chose in a kept form, in words (its plumbing left out)."""
    return [(detail_key(k), detail_value(k, v)) for k, v in fields if v and k not in FORM_PLUMBING]


@bp.app_template_filter("details")
def _details_filter(details: dict | None) -> list[tuple[str, str]]:
    return shown_details(details)


@bp.app_template_filter("detail_key")
def _detail_key_filter(key: str) -> str:
    return detail_key(key)
