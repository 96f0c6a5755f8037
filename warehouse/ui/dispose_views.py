"""Disposition on the floor: scan an LPN, see its recommended route; for a restock the next
scan is the bin. Any other route than the recommended one is a supervisor's override, with
a reason. All through `warehouse.flow.dispose_unit`, whose disposition service judges every
choice."""

from __future__ import annotations

from flask import redirect, request, url_for

from warehouse import api, flow
from warehouse.auth.roles import Permission
from warehouse.disposition import rules as disposition_rules
from warehouse.errors import DomainError, InvalidInput
from warehouse.inspection.lifecycle import Route, UnitState
from warehouse.inspection.models import Inspection, UnitStatus
from warehouse.inspection.units import find_unit, state_of
from warehouse.receiving.models import Unit
from warehouse.returns.models import ReturnLine
from warehouse.ui import i18n
from warehouse.ui.i18n import N_
from warehouse.ui.scans import back_to, lpn_scanned
from warehouse.ui.unit_words import ShownRefusal, answer_words, label_of, word
from warehouse.ui.web import banner, bp, error_banner, render, requires

#: Service messages shown as raised (listed so they are translated).
SHOWN_AS_RAISED = (
    N_("Restocking needs a bin: scan the bin's label."),
    N_("Not a bin code: the check character does not match. Scan the label again."),
    N_("Only a restocked unit goes into a bin."),
)
#: Scrap reasons and unit states as words.
CODES_SHOWN = (
    N_("damaged_beyond_repair"),
    N_("hygiene"),
    N_("missing_parts"),
    N_("counterfeit"),
    N_("expired"),
    N_("hazardous"),
    N_("no_resale_value"),
    N_("refurbishment_failed"),
    N_("refurbishing"),
    N_("restocked"),
    N_("scrapped"),
    N_("returned_to_vendor"),
    N_("liquidated"),
    N_("returned_to_buyer"),
)


@bp.get("/ui/dispose")
@requires(Permission.DISPOSE)
def dispose():
    """Scan an LPN to route it."""
    return render("dispose.html")


@bp.post("/ui/dispose")
@requires(Permission.DISPOSE)
def dispose_scan():
    """An LPN scan: the unit's route page, or a red banner saying why not."""
    return lpn_scanned(
        lambda lpn: _routable(lpn)[0].lpn, scan_page="ui.dispose", unit_page="ui.dispose_unit"
    )


@bp.get("/ui/dispose/units/<lpn>")
@requires(Permission.DISPOSE)
def dispose_unit(lpn: str):
    """The recommended route: for a restock, the bin scan; else one button. Supervisors may
    choose another route, with a reason."""
    try:
        return _unit_page(lpn)
    except DomainError as exc:
        return back_to("ui.dispose", exc)


def _unit_page(lpn: str, *, chosen: dict | None = None, status_code: int = 200):
    """The unit's route page; `chosen`: an override refused, shown open with what was chosen
    (route, reason, scrap reason, bin) so the supervisor corrects it instead of starting over."""
    unit, status, inspection = _routable(lpn)
    db = api.session()
    line = db.get(ReturnLine, unit.return_line_id) if unit.return_line_id else None
    recommended = Route(inspection.recommended_disposition)
    return render(
        "dispose_unit.html",
        status=status_code,
        chosen=chosen,
        unit=unit,
        line=line,
        unit_status=status,
        inspection=inspection,
        findings=[
            {"label": label_of(f["label"]), "answer": answer_words(f["answer"])}
            for f in inspection.findings
        ],
        recommended=recommended,
        others=[r for r in Route if r != recommended],
        scrap_reasons=list(disposition_rules.ScrapReason),
        default_scrap_reason=(
            disposition_rules.ScrapReason.HYGIENE
            if inspection.no_resale
            else disposition_rules.ScrapReason.DAMAGED_BEYOND_REPAIR
        ),
    )


@bp.post("/ui/dispose/units/<lpn>")
@requires(Permission.DISPOSE)
def dispose_decide(lpn: str):
    """Routes the unit as chosen (the service judges who may choose what); on success the
    next scan is the next LPN, on a refusal the same unit's page with a red banner."""
    ctx = api.context()
    try:
        decision = Route(request.form.get("decision", ""))
    except ValueError:
        banner("error", i18n.gettext("Choose a route."))
        return redirect(url_for("ui.dispose_unit", lpn=lpn), code=303)
    reason = request.form.get("reason", "").strip() or None
    if decision == Route.SCRAP:
        reason = request.form.get("scrap_reason", "").strip() or reason
    bin_code = request.form.get("bin", "").strip() or None
    try:
        done = flow.dispose_unit(
            api.session(), ctx, lpn, decision=decision, bin_code=bin_code, reason=reason
        )
    except InvalidInput as exc:
        messages = [i18n.translate(m) for ms in exc.extra["errors"].values() for m in ms]
        banner("error", " ".join(messages))
        return _again(lpn, exc.status)
    except DomainError as exc:
        error_banner(exc)
        if exc.status == 404:
            return redirect(url_for("ui.dispose"), code=303)
        return _again(lpn, exc.status)
    if done["bin"]:
        text = i18n.gettext("{lpn} restocked into {bin}.", lpn=done["lpn"], bin=done["bin"])
    else:
        text = i18n.gettext("{lpn}: {route}.", lpn=done["lpn"], route=word(decision.value))
    banner("ok", text)
    return redirect(url_for("ui.dispose"), code=303)


def _again(lpn: str, status_code: int):
    """After a refusal: an override form again as it was filled in (the unit is unchanged),
    else the unit's page by a redirect."""
    if request.form.get("override") != "1":
        return redirect(url_for("ui.dispose_unit", lpn=lpn), code=303)
    chosen = {name: request.form.get(name, "") for name in ("decision", "reason", "scrap_reason")}
    chosen["bin"] = request.form.get("bin", "")
    try:
        return _unit_page(lpn, chosen=chosen, status_code=status_code)
    except DomainError as exc:
        error_banner(exc)
        return redirect(url_for("ui.dispose"), code=303)


def _routable(lpn: str) -> tuple[Unit, UnitStatus, Inspection]:
    """The unit, its state and its inspection, if it waits for a route; else a refusal in
    words for the floor."""
    db = api.session()
    unit = find_unit(db, api.context(), lpn or "-")
    status = db.get(UnitStatus, unit.id)
    state = state_of(status)
    if state == UnitState.RECEIVED:
        raise ShownRefusal(
            i18n.gettext("{lpn} is not inspected yet: inspect it first.", lpn=unit.lpn)
        )
    if state != UnitState.INSPECTED:
        raise ShownRefusal(
            i18n.gettext(
                "{lpn} was disposed of already: {state}.",
                lpn=unit.lpn,
                state=word(state.value),
            )
        )
    return unit, status, db.get_one(Inspection, status.inspection_id)
