"""Sign-in and receiving at the dock: scan a parcel, scan its items, close it."""

from __future__ import annotations

import uuid

from flask import current_app, g, redirect, request, session, url_for
from sqlalchemy import select

import scanners
from warehouse import api
from warehouse.auth import services as auth
from warehouse.auth.roles import Permission
from warehouse.context import SYSTEM, Context
from warehouse.db import run_in_transaction, transaction
from warehouse.printing import services as printing
from warehouse.printing.views import _answer as label_answer
from warehouse.problems import DomainError
from warehouse.receiving import services as receiving
from warehouse.receiving.models import Unit
from warehouse.ui import i18n
from warehouse.ui.i18n import N_
from warehouse.ui.web import banner, bp, error_banner, home_for, render, requires, sign_in, sign_out

LABEL_DPI = 203
#: Exception kinds an item scan can raise, as the receiver is warned of them.
ITEM_WARNINGS = {
    "wrong_item": N_("Wrong item: put it on the exception shelf."),
    "extra": N_("Extra: not expected in this return."),
    "serial_mismatch": N_("Serial number does not match: possible swap."),
    "transit_damage": N_("Damaged in transit: recorded."),
}


def _scan_id() -> uuid.UUID:
    """The form's scan id (one per rendered form, so a re-sent form replays); a new one if
    the form lost it."""
    try:
        return uuid.UUID(request.form.get("scan_id", ""))
    except ValueError:
        return uuid.uuid4()


def _code() -> str:
    return request.form.get("code", "").strip()


def _next_url() -> str | None:
    target = request.values.get("next", "")
    return target if target.startswith("/ui/") and not target.startswith("//") else None


# --- sign-in ---------------------------------------------------------------------------------


@bp.get("/")
def index():
    """Signed out: the sign-in page; signed in: the page for the user's role."""
    if g.get("ui_user") is None:
        return redirect(url_for("ui.login"))
    return redirect(home_for(g.ui_user.role))


@bp.route("/ui/login", methods=["GET", "POST"])
def login():
    """Scan a badge, or type username and PIN."""
    if request.method == "GET":
        return render("login.html", next=_next_url() or "")
    settings = current_app.extensions["warehouse.settings"]
    ctx = Context(
        actor=SYSTEM,
        now=current_app.extensions["warehouse.clock"].now(),
        terminal_id=request.headers.get("X-Terminal-Id") or None,
    )
    badge = request.form.get("badge", "").strip()
    db = api.session()
    try:
        with transaction(db):
            if badge:
                issued = auth.sign_in_with_badge(
                    db, ctx, badge=badge, token_hours=settings.token_hours
                )
            else:
                issued = auth.sign_in_with_pin(
                    db,
                    ctx,
                    username=request.form.get("username", ""),
                    pin=request.form.get("pin", ""),
                    token_hours=settings.token_hours,
                    max_failed=settings.max_failed_logins,
                    lockout_minutes=settings.lockout_minutes,
                )
    except DomainError as exc:
        error_banner(exc)
        return render("login.html", status=exc.status, next=_next_url() or "")
    sign_in(issued.token)
    return redirect(_next_url() or home_for(issued.user.role), code=303)


@bp.post("/ui/logout")
def logout():
    sign_out()
    return redirect(url_for("ui.login"), code=303)


@bp.post("/ui/lang/<code>")
def language(code: str):
    """Switches the pages' language: for this terminal, and saved for the signed-in user so
    every terminal they sign in on follows it."""
    if code in i18n.LANGUAGES:
        session["lang"] = code
        user = g.get("ui_user")
        if user is not None:
            run_in_transaction(
                api.session(), lambda db: auth.set_language(db, api.context(), user.id, code)
            )
    back = request.referrer or ""
    host = request.host_url
    return redirect(back if back.startswith(host) else url_for("ui.index"), code=303)


# --- receiving -------------------------------------------------------------------------------


@bp.get("/ui/receive")
@requires(Permission.RECEIVE)
def receive():
    """Scan a parcel."""
    return render("receive.html")


@bp.post("/ui/receive")
@requires(Permission.RECEIVE)
def receive_scan():
    """A parcel scan: matched → its page; unmatched → the exception shelf."""
    ctx = api.context()
    code = _code()
    try:
        answer = run_in_transaction(
            api.session(),
            lambda db: receiving.scan_parcel(db, ctx, scan_id=_scan_id(), code=code),
        )
    except DomainError as exc:
        error_banner(exc)
        return redirect(url_for("ui.receive"), code=303)
    result = answer.result
    parcel = result["parcel"]
    if result.get("warning"):
        banner("warn", i18n.gettext("Return is finished: put the parcel on the exception shelf."))
        return redirect(url_for("ui.receive"), code=303)
    if parcel["status"] != "matched":
        banner("warn", i18n.gettext("Unmatched: put the parcel on the exception shelf."))
        return redirect(url_for("ui.receive"), code=303)
    banner("ok", i18n.gettext("Parcel matched: {rma}", rma=parcel["rma_number"]))
    return redirect(url_for("ui.parcel", parcel_id=parcel["id"]), code=303)


@bp.get("/ui/receive/parcels/<parcel_id>")
@requires(Permission.RECEIVE)
def parcel(parcel_id: str):
    """The parcel: its return, the lines still expected and the units scanned so far."""
    pid = api.parse_id(parcel_id, "parcel")
    db = api.session()
    view = receiving.get_parcel(db, api.context(), pid)["parcel"]
    return render("parcel.html", parcel=view, units=_units_of(db, pid), returns=_returns(db, view))


@bp.post("/ui/receive/parcels/<parcel_id>/items")
@requires(Permission.RECEIVE)
def item_scan(parcel_id: str):
    """An item scan: a new LPN, with a warning for wrong item, extra, serial mismatch."""
    pid = api.parse_id(parcel_id, "parcel")
    ctx = api.context()
    code = _code()
    if code and _is_parcel_code(code):
        # The next parcel's label scanned without closing: treat it as a parcel scan.
        return receive_scan()
    try:
        answer = run_in_transaction(
            api.session(),
            lambda db: receiving.scan_item(db, ctx, pid, scan_id=_scan_id(), code=code),
        )
    except DomainError as exc:
        error_banner(exc)
        return redirect(url_for("ui.parcel", parcel_id=parcel_id), code=303)
    unit, exception = answer.result["unit"], answer.result["exception"]
    if exception:
        text = ITEM_WARNINGS.get(exception["kind"], exception["kind"])
        banner("warn", i18n.gettext(text), lpn=unit["lpn"])
    else:
        banner("ok", i18n.gettext("Received as {lpn}", lpn=unit["lpn"]), lpn=unit["lpn"])
    return redirect(url_for("ui.parcel", parcel_id=parcel_id), code=303)


@bp.post("/ui/receive/parcels/<parcel_id>/close")
@requires(Permission.RECEIVE)
def close(parcel_id: str):
    """Closes the parcel and shows what was short or extra; the next scan is the next parcel."""
    pid = api.parse_id(parcel_id, "parcel")
    ctx = api.context()
    try:
        summary = run_in_transaction(api.session(), lambda db: receiving.close_parcel(db, ctx, pid))
    except DomainError as exc:
        error_banner(exc)
        return redirect(url_for("ui.parcel", parcel_id=parcel_id), code=303)
    problems = [
        line
        for ret in summary["returns"]
        for line in ret["lines"]
        if line["short"] or line["extra"] or line["damaged"]
    ]
    if problems or summary["exceptions"]:
        banner("warn", i18n.gettext("Closed with differences."))
    else:
        banner("ok", i18n.gettext("Closed: everything arrived."))
    return render("closed.html", summary=summary, problems=problems)


@bp.get("/ui/labels/units/<lpn>.png")
@requires(Permission.VIEW)
def unit_label(lpn: str):
    """The unit's label as PNG for the handheld's printer, from the same printing service."""
    document = printing.unit_document(api.session(), api.context(), lpn, "png", LABEL_DPI)
    return label_answer(document, "lpn")


def _is_parcel_code(code: str) -> bool:
    return scanners.parse(code, context="item").kind == "rma"


def _units_of(db, parcel_id: uuid.UUID) -> list[Unit]:
    return list(
        db.scalars(select(Unit).where(Unit.parcel_id == parcel_id).order_by(Unit.created_at))
    )


def _returns(db, view: dict) -> list:
    """(return, store name) for each return in the parcel: the receiver sees whose it is."""
    from warehouse.returns.models import Return
    from warehouse.stores.models import Store

    ids = [uuid.UUID(r["id"]) for r in view["returns"]]
    if not ids:
        return []
    return list(
        db.execute(
            select(Return, Store.name)
            .join(Store, Store.id == Return.store_id)
            .where(Return.id.in_(ids))
        )
    )
