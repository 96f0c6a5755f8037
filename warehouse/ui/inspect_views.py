"""Inspection at the QC bench: scan an LPN, answer its checklist (the "all fine" answers
pre-selected), take photos, see the grade, route and deduction, confirm.

Every conclusion comes from the inspection service (`preview_inspection` before the
inspector confirms, `inspect_unit` when they do): the pages only read answers from the form
and show what the service says. Photos go through the same photo service and limits as
the API's upload.
"""

from __future__ import annotations

from flask import current_app, g, redirect, request, send_file, url_for

from warehouse import api, flow
from warehouse.auth.roles import Permission, may
from warehouse.edge import ascii_int
from warehouse.errors import DomainError, InvalidInput, NotFound
from warehouse.idempotency import edge as idempotency
from warehouse.inspection import photos, queries, rules
from warehouse.inspection import services as inspection
from warehouse.inspection.lifecycle import UnitState
from warehouse.inspection.models import UnitStatus
from warehouse.inspection.units import find_unit, state_of
from warehouse.inspection.views import MULTIPART_ALLOWANCE, PHOTO_MAX_AGE, photo_storage
from warehouse.ui import i18n
from warehouse.ui import inspect_form as form
from warehouse.ui.i18n import N_
from warehouse.ui.scans import back_to, lpn_scanned
from warehouse.ui.unit_words import ShownRefusal, answer_words, label_of, word
from warehouse.ui.web import banner, bp, describe, error_banner, render, requires

#: Photos one checklist form may carry (each within the photo service's own limit).
MAX_PHOTOS_PER_FORM = 10

#: Service messages shown as raised (listed so they are translated).
SHOWN_AS_RAISED = (
    N_("No unit with that LPN."),
    N_("The unit belongs to no return; resolve its exception first."),
    N_("The unit is inspected already; only a supervisor may re-inspect it."),
    N_("Required: answer this item."),
    N_("Required: take at least one photo."),
    N_("A number."),
    N_("A deduction needs evidence: attach a photo of the damage."),
)
#: Photo problems, as the inspector is told of them.
PHOTO_PROBLEMS = {
    413: N_("Photo too large: take it again at a lower resolution."),
    422: N_("Not a photo this service can read: JPEG, PNG or WebP only."),
    503: N_("Photos cannot be stored right now; nothing was kept. Call a supervisor."),
    507: N_("The photo store is full; nothing was kept. Call a supervisor."),
}


@bp.before_app_request
def _room_for_photos() -> None:
    """The checklist form carries photos: allow them before the CSRF check reads the form
    (the app's own body limit is sized for JSON)."""
    if request.endpoint == "ui.inspect_check":
        settings = current_app.extensions["warehouse.settings"]
        request.max_content_length = (
            MAX_PHOTOS_PER_FORM * settings.photo_max_bytes + MULTIPART_ALLOWANCE
        )


# --- pages -----------------------------------------------------------------------------------


@bp.get("/ui/inspect")
@requires(Permission.INSPECT)
def inspect():
    """Scan an LPN to inspect it."""
    return render("inspect.html")


@bp.post("/ui/inspect")
@requires(Permission.INSPECT)
def inspect_scan():
    """An LPN scan: its checklist, or a red banner saying why not."""
    return lpn_scanned(
        lambda lpn: _inspectable(lpn).lpn, scan_page="ui.inspect", unit_page="ui.inspect_unit"
    )


@bp.get("/ui/inspect/units/<lpn>")
@requires(Permission.INSPECT)
def inspect_unit(lpn: str):
    """The unit and its checklist, the "all fine" answers pre-selected."""
    try:
        sheet = _sheet(_inspectable(lpn))
    except DomainError as exc:
        return back_to("ui.inspect", exc)
    previous = sheet["previous"]
    answers = (
        form.defaults(sheet["items"])
        if previous is None
        else form.previous_answers(previous, sheet)
    )
    return render("inspect_form.html", **sheet, answers=answers, errors={})


@bp.post("/ui/inspect/units/<lpn>/check")
@requires(Permission.INSPECT)
def inspect_check(lpn: str):
    """Keeps the new photos, then shows what the answers conclude, before confirming.
    Wrong or missing answers come back on the form, each with its message."""
    try:
        sheet = _sheet(_inspectable(lpn))
    except DomainError as exc:
        return back_to("ui.inspect", exc)
    posted = form.posted_answers(sheet["items"])
    lpn = sheet["unit"].lpn
    try:
        form.keep_new_photos(lpn, sheet["items"], posted)
    except DomainError as exc:
        text = PHOTO_PROBLEMS.get(exc.status)
        banner("error", i18n.gettext(text) if text else describe(exc))
        return render("inspect_form.html", status=exc.status, **sheet, answers=posted, errors={})
    try:
        answers, errors = form.service_answers(sheet["items"], posted)
        if errors:
            raise InvalidInput(errors)
        version, assessment = inspection.preview_inspection(
            api.session(),
            api.context(),
            lpn,
            answers=answers,
            version=sheet["version"].version,
            photo_ids=posted["photos"],
        )
    except InvalidInput as exc:
        return _form_again(sheet, posted, exc)
    except DomainError as exc:
        error_banner(exc)
        return render("inspect_form.html", status=exc.status, **sheet, answers=posted, errors={})
    return render(
        "inspect_result.html",
        **{**sheet, "version": version},
        answers=posted,
        assessment=assessment,
        findings=[_finding(f) for f in assessment.findings],
    )


@bp.post("/ui/inspect/units/<lpn>/edit")
@requires(Permission.INSPECT)
@idempotency.writes_nothing  # the confirm form's "Change": its key is the confirm's
def inspect_edit(lpn: str):
    """Back from the result to the form, answers and photos kept."""
    try:
        sheet = _sheet(_inspectable(lpn))
    except DomainError as exc:
        return back_to("ui.inspect", exc)
    return render(
        "inspect_form.html", **sheet, answers=form.posted_answers(sheet["items"]), errors={}
    )


@bp.post("/ui/inspect/units/<lpn>/confirm")
@requires(Permission.INSPECT)
def inspect_confirm(lpn: str):
    """Records the inspection (and whatever it triggers: the return's refund decision and
    the store's events); the next scan is the next LPN."""
    ctx = api.context()
    db = api.session()
    try:
        unit = find_unit(db, ctx, lpn)
        sheet = _sheet(unit)
        posted = form.posted_answers(sheet["items"])
        answers, errors = form.service_answers(sheet["items"], posted)
        if errors:
            raise InvalidInput(errors)
        version = request.form.get("version", "")
        done = flow.inspect_unit(
            db,
            ctx,
            unit.lpn,
            answers=answers,
            version=ascii_int(version),
            photo_ids=posted["photos"],
            notes=posted["notes"] or None,
        )
    except InvalidInput as exc:
        return _form_again(sheet, posted, exc)
    except DomainError as exc:
        if "current_version" in exc.extra:
            banner("error", i18n.gettext("The checklist changed meanwhile: answer it again."))
            return redirect(url_for("ui.inspect_unit", lpn=lpn), code=303)
        error_banner(exc)
        return redirect(url_for("ui.inspect"), code=303)
    route = done["recommended_disposition"]
    banner(
        "ok",
        i18n.gettext(
            "Inspected {lpn}: grade {grade}, {route}.",
            lpn=done["lpn"],
            grade=done["grade"],
            route=word(route),
        ),
    )
    return redirect(url_for("ui.inspect"), code=303)


@bp.get("/ui/photos/<photo_id>/thumbnail")
@requires(Permission.VIEW)
def photo_thumbnail(photo_id: str):
    """A photo's thumbnail for the pages (the API's needs a bearer token)."""
    photo = photos.get_photo(api.session(), api.context(), api.parse_id(photo_id, "photo"))
    stream = photos.open_photo_file(photo_storage(), photo, thumbnail=True)
    response = send_file(
        stream, mimetype=photo.content_type, etag=f"{photo.sha256}-t", max_age=PHOTO_MAX_AGE
    )
    response.headers["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE}, immutable"
    return response


# --- the unit and its checklist --------------------------------------------------------------


def _inspectable(lpn: str):
    """The unit, if this person may inspect it now; else a DomainError saying why not, in
    words for the floor."""
    if not lpn:
        raise NotFound("No unit with that LPN.")
    db = api.session()
    unit = find_unit(db, api.context(), lpn)
    status = db.get(UnitStatus, unit.id)
    state = state_of(status)
    if state == UnitState.INSPECTED and not may(g.ui_user.role, Permission.SUPERVISE):
        raise ShownRefusal(
            i18n.gettext(
                "{lpn} is inspected already (grade {grade}): take it to disposition.",
                lpn=unit.lpn,
                grade=status.grade,
            )
        )
    if state not in (UnitState.RECEIVED, UnitState.INSPECTED):
        raise ShownRefusal(
            i18n.gettext(
                "{lpn} was disposed of already ({state}): it can no longer be inspected.",
                lpn=unit.lpn,
                state=word(state.value),
            )
        )
    if unit.return_id is None:
        raise ShownRefusal(
            i18n.gettext("The unit belongs to no return; resolve its exception first.")
        )
    return unit


def _sheet(unit) -> dict:
    """What the inspector sees of the unit, and the checklist of its category."""
    sheet = queries.inspection_sheet(api.session(), unit)
    version = sheet["version"]
    if version is None:
        raise ShownRefusal(
            i18n.gettext(
                "No checklist for {category}: a supervisor must create one.",
                category=sheet["category"],
            )
        )
    items = [form.item_view(item) for item in rules.build_template(version.items).items]
    return {**sheet, "items": items}


# --- reading the form ------------------------------------------------------------------------


def _form_again(sheet: dict, posted: dict, exc: InvalidInput):
    """The form with the posted answers and, by each item, what is wrong with it."""
    errors = {
        name.removeprefix("answers."): [i18n.translate(m) for m in messages]
        for name, messages in exc.extra["errors"].items()
    }
    shown = {item["key"] for item in sheet["items"]}
    elsewhere = [m for name, ms in errors.items() if name not in shown for m in ms]
    banner("error", " ".join(elsewhere) or i18n.gettext("Check the marked answers."))
    return render("inspect_form.html", status=422, **sheet, answers=posted, errors=errors)


def _finding(finding: rules.Finding) -> dict:
    return {
        "label": label_of(finding.label),
        "answer": answer_words(finding.answer),
        "grade_cap": str(finding.grade_cap),
        "liability": i18n.gettext(str(finding.liability)),
    }
