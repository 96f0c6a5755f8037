"""The refurbishment queue: open work orders, oldest first, each with what inspection found
(what to fix); a technician adds notes and completes the order as restock (open box, into a
scanned bin) or scrap, through `warehouse.flow` (the disposition services)."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for

from warehouse import api, flow
from warehouse.auth.roles import Permission
from warehouse.disposition import queries as disposition_queries
from warehouse.disposition import rules as disposition_rules
from warehouse.disposition import services as disposition
from warehouse.errors import DomainError, InvalidInput
from warehouse.inspection.models import Inspection
from warehouse.receiving.models import Unit
from warehouse.ui import i18n
from warehouse.ui.i18n import N_
from warehouse.ui.scans import back_to, lpn_scanned
from warehouse.ui.unit_words import answer_words, label_of
from warehouse.ui.web import banner, bp, render, requires

#: Work orders the queue shows at once (the oldest).
QUEUE_PAGE = 50
SHOWN_AS_RAISED = (
    N_("No such refurbishment order."),
    N_("The work order is done; it takes no more notes."),
)


@bp.get("/ui/refurbish")
@requires(Permission.DISPOSE)
def refurbish():
    """Open work orders, the one waiting longest first; scan an LPN to open its order."""
    db = api.session()
    page, more = disposition_queries.list_refurbishments(
        db, status="open", limit=QUEUE_PAGE, after=None
    )
    now = current_app.extensions["warehouse.clock"].now()
    units = disposition_queries.units_with_findings(db, [order.unit_id for order in page])
    orders = [
        {
            "order": order,
            "unit": units[order.unit_id][0],
            "line": units[order.unit_id][1],
            "hours": int((now - order.opened_at).total_seconds() // 3600),
            "findings": _findings(units[order.unit_id][2]),
        }
        for order in page
    ]
    return render("refurbish.html", orders=orders, more=more is not None)


@bp.post("/ui/refurbish")
@requires(Permission.DISPOSE)
def refurbish_scan():
    """An LPN scan: its open work order."""

    def lpn_of_order(lpn: str) -> str:
        order = disposition_queries.open_order_of(api.session(), api.context(), lpn)
        return api.session().get_one(Unit, order.unit_id).lpn

    return lpn_scanned(lpn_of_order, scan_page="ui.refurbish", unit_page="ui.refurbish_order")


@bp.get("/ui/refurbish/units/<lpn>")
@requires(Permission.DISPOSE)
def refurbish_order(lpn: str):
    """One work order: what to fix, photos, notes; restock into a bin, scrap, or add a note."""
    try:
        order = disposition_queries.open_order_of(api.session(), api.context(), lpn)
    except DomainError as exc:
        return back_to("ui.refurbish", exc)
    unit, line, inspection = disposition_queries.order_unit(api.session(), order)
    return render(
        "refurbish_order.html",
        order=order,
        unit=unit,
        line=line,
        inspection=inspection,
        findings=_findings(inspection),
        scrap_reasons=list(disposition_rules.ScrapReason),
    )


@bp.post("/ui/refurbish/units/<lpn>/complete")
@requires(Permission.DISPOSE)
def refurbish_complete(lpn: str):
    """Completes the order: restock (a bin scanned) or scrap (with a reason)."""
    ctx = api.context()
    try:
        outcome = disposition_rules.RefurbishOutcome(request.form.get("outcome", ""))
    except ValueError:
        banner("error", i18n.gettext("Choose restock or scrap."))
        return redirect(url_for("ui.refurbish_order", lpn=lpn), code=303)
    bin_code = request.form.get("bin", "").strip() or None
    reason = request.form.get("reason", "").strip() or None
    notes = request.form.get("notes", "").strip()[:1000] or None
    try:
        done = flow.complete_refurbishment(
            api.session(), ctx, lpn, outcome=outcome, notes=notes, bin_code=bin_code, reason=reason
        )
    except InvalidInput as exc:
        messages = [i18n.translate(m) for ms in exc.extra["errors"].values() for m in ms]
        banner("error", " ".join(messages))
        return redirect(url_for("ui.refurbish_order", lpn=lpn), code=303)
    except DomainError as exc:
        return back_to("ui.refurbish", exc)
    if done["bin"]:
        text = i18n.gettext("{lpn} refurbished: restocked into {bin}.", **done)
    else:
        text = i18n.gettext("{lpn} scrapped.", lpn=done["lpn"])
    banner("ok", text)
    return redirect(url_for("ui.refurbish"), code=303)


@bp.post("/ui/refurbish/units/<lpn>/notes")
@requires(Permission.DISPOSE)
def refurbish_note(lpn: str):
    """Adds a technician's note to the open order."""
    ctx = api.context()
    text = request.form.get("text", "").strip()[:1000]
    if not text:
        banner("error", i18n.gettext("Write the note first."))
        return redirect(url_for("ui.refurbish_order", lpn=lpn), code=303)
    try:
        order = disposition_queries.open_order_of(api.session(), api.context(), lpn)
        order_id = order.id
        disposition.add_note(api.session(), ctx, order_id, text)
    except DomainError as exc:
        return back_to("ui.refurbish", exc)
    banner("ok", i18n.gettext("Note added."))
    return redirect(url_for("ui.refurbish_order", lpn=lpn), code=303)


def _findings(inspection: Inspection | None) -> list[dict]:
    """What inspection found: the technician's to-do list."""
    if inspection is None:
        return []
    return [
        {"label": label_of(f["label"]), "answer": answer_words(f["answer"])}
        for f in inspection.findings
    ]
