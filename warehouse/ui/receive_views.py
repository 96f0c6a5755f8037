"""Sign-in and receiving at the dock: scan a parcel, scan its items, close it."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from flask import current_app, g, jsonify, redirect, request, session, url_for

from scanners import codes
from scanners.guard import DEFAULT_WINDOW_MS
from warehouse import api, flow
from warehouse.auth import services as auth
from warehouse.auth.roles import Permission
from warehouse.context import SYSTEM, Context
from warehouse.edge import ascii_int
from warehouse.errors import DomainError, InvalidInput
from warehouse.inspection.units import states_of
from warehouse.printing import services as printing
from warehouse.printing.answers import label_answer
from warehouse.receiving import queries as receiving_queries
from warehouse.ui import i18n
from warehouse.ui.i18n import N_
from warehouse.ui.web import (
    KEPT_PREFIX,
    banner,
    bp,
    error_banner,
    home_for,
    kept_fields,
    render,
    requires,
    resumable,
    sign_in,
    sign_out,
)

LABEL_DPI = 203
#: A second read of one code from one terminal this soon is the trigger held too long.
GUARD_WINDOW_MS = DEFAULT_WINDOW_MS
#: The longest a browser's queue may say it held a scan (a handheld off the network a week).
MAX_QUEUED_MS = 7 * 24 * 3600 * 1000
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
    kept = kept_fields(request.form, prefix=KEPT_PREFIX)
    resume = resumable(request.form.get("resume"))
    if request.method == "GET":
        return render("login.html", next=_next_url() or "")
    settings = current_app.extensions["warehouse.settings"]
    ctx = Context(
        actor=SYSTEM,
        now=current_app.extensions["warehouse.clock"].now(),
        terminal_id=request.headers.get("X-Terminal-Id") or None,
    )
    try:
        issued = auth.sign_in(
            api.session(),
            ctx,
            settings,
            badge=request.form.get("badge", "").strip(),
            username=request.form.get("username", ""),
            pin=request.form.get("pin", ""),
        )
    except DomainError as exc:
        error_banner(exc)
        return render(
            "login.html",
            status=exc.status,
            next=_next_url() or "",
            kept=kept,
            resume=resume,
            username=request.form.get("username", ""),
        )
    sign_in(issued.token)
    if resume:  # signed out mid-form: the form, as typed, one tap from being sent
        g.ui_user = issued.user
        banner("ok", i18n.gettext("Signed in again. Send what you typed?"))
        return render("resume.html", kept=kept, resume=resume)
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
            auth.change_language(api.session(), api.context(), user.id, code)
    back = request.referrer or ""
    host = request.host_url
    return redirect(back if back.startswith(host) else url_for("ui.index"), code=303)


# --- receiving -------------------------------------------------------------------------------
#
# Each POST answers a 303 to the page that shows its outcome (forms work without JS); when
# the browser's scan queue (static/scan-queue.js) asks for JSON, the same outcome comes as
# {"next": page, "parcel_id": …, "items": bool}, the banners wait in the session for `next`,
# and the queue can resolve scans it took offline for a parcel only the server can name.


@bp.get("/ui/receive")
@requires(Permission.RECEIVE)
def receive():
    """Scan a parcel."""
    return render("receive.html", **_queue_settings())


@bp.post("/ui/receive")
@requires(Permission.RECEIVE)
def receive_scan():
    """A parcel scan: matched → its page; unmatched → the exception shelf."""
    ctx = api.context()
    code = _code()
    try:
        scanned_at = _scanned_at(ctx.now)
        answer = flow.scan_parcel(
            api.session(), ctx, scan_id=_scan_id(), code=code, scanned_at=scanned_at
        )
    except DomainError as exc:
        error_banner(exc)
        return _answer(url_for("ui.receive"))
    return _parcel_scan_answer(answer)


def _parcel_scan_answer(answer):
    """A parcel scan's outcome: matched → its page; unmatched, ambiguous or finished → a
    warning to put it on the exception shelf."""
    result = answer.result
    parcel = result["parcel"]
    if result.get("warning"):
        banner("warn", i18n.gettext("Return is finished: put the parcel on the exception shelf."))
        return _answer(url_for("ui.receive"), parcel_id=parcel["id"])
    if (result.get("exception") or {}).get("kind") == "ambiguous_parcel":
        banner(
            "warn",
            i18n.gettext(
                "Several buyers' returns carry this code: put the parcel on the exception "
                "shelf for a supervisor to choose."
            ),
        )
        return _answer(url_for("ui.receive"), parcel_id=parcel["id"])
    if parcel["status"] != "matched":
        banner("warn", i18n.gettext("Unmatched: put the parcel on the exception shelf."))
        return _answer(url_for("ui.receive"), parcel_id=parcel["id"])
    banner("ok", i18n.gettext("Parcel matched: {rma}", rma=parcel["rma_number"]))
    return _answer(url_for("ui.parcel", parcel_id=parcel["id"]), parcel_id=parcel["id"], items=True)


@bp.get("/ui/receive/parcels/<parcel_id>")
@requires(Permission.RECEIVE)
def parcel(parcel_id: str):
    """An open parcel: its return, the lines still expected and the units scanned so far.
    A closed one: what arrived, short or extra (so the page after closing survives a reload)."""
    pid = api.parse_id(parcel_id, "parcel")
    db = api.session()
    ctx = api.context()
    view = receiving_queries.get_parcel(db, ctx, pid)["parcel"]
    units = receiving_queries.units_of(db, pid)
    states = {
        unit_id: state.value for unit_id, state in states_of(db, [u.id for u in units]).items()
    }
    if view["state"] == "closed":
        return render(
            "closed.html",
            summary=receiving_queries.closed_summary(db, ctx, view, units),
            units=units,
            states=states,
            **_queue_settings(),
        )
    return render(
        "parcel.html",
        parcel=view,
        units=units,
        states=states,
        returns=receiving_queries.returns_with_store(db, view),
        **_queue_settings(),
    )


@bp.post("/ui/receive/parcels/<parcel_id>/items")
@requires(Permission.RECEIVE)
def item_scan(parcel_id: str):
    """An item scan: a new LPN, with a warning for wrong item, extra, serial mismatch.

    A repeat of the same code from this terminal within the double-scan window (a trigger
    held too long) is ignored; scans the browser queued are not held to it, since their
    queue already dropped repeats when they were scanned and replays them back to back."""
    pid = api.parse_id(parcel_id, "parcel")
    here = url_for("ui.parcel", parcel_id=parcel_id)
    ctx = api.context()
    code = _code()
    guarded = bool(code) and not _is_replay()
    terminal = _terminal()
    try:
        scanned_at = _scanned_at(ctx.now)
        scanned = flow.scan_on_item_page(
            api.session(),
            ctx,
            pid,
            scan_id=_scan_id(),
            code=code,
            scanned_at=scanned_at,
            terminal=terminal if guarded else None,
        )
    except DomainError as exc:
        error_banner(exc)
        if flow.starts_next_parcel(code):  # the next parcel's scan: shown where parcels are
            return _answer(url_for("ui.receive"))
        return _answer(here, parcel_id=parcel_id, items=True)
    if scanned.parcel is not None:
        # The next parcel's RMA slip scanned without closing this one: that parcel's page.
        return _parcel_scan_answer(scanned.parcel)
    if scanned.item.repeat:
        banner("warn", i18n.gettext("Repeat ignored: {code} was just scanned.", code=code))
        return _answer(here, parcel_id=parcel_id, items=True)
    unit, exception = scanned.item.answer.result["unit"], scanned.item.answer.result["exception"]
    if exception:
        text = ITEM_WARNINGS.get(exception["kind"], exception["kind"])
        banner("warn", i18n.gettext(text), lpn=unit["lpn"])
    else:
        banner("ok", i18n.gettext("Received as {lpn}", lpn=unit["lpn"]), lpn=unit["lpn"])
    return _answer(here, parcel_id=parcel_id, items=True)


@bp.post("/ui/receive/parcels/<parcel_id>/close")
@requires(Permission.RECEIVE)
def close(parcel_id: str):
    """Closes the parcel and shows what was short or extra; the next scan is the next parcel.

    A close the browser queued may reach the server twice (the answer to the first was lost
    with the network): finding the parcel already closed then is its own success."""
    pid = api.parse_id(parcel_id, "parcel")
    here = url_for("ui.parcel", parcel_id=parcel_id)
    ctx = api.context()
    try:
        summary = flow.close_parcel(api.session(), ctx, pid)
    except DomainError as exc:
        if _is_replay() and exc.extra.get("parcel_state") == "closed":
            banner("ok", i18n.gettext("Closed."))
        else:
            error_banner(exc)
            return _answer(here, parcel_id=parcel_id, items=True)
        return _answer(here, parcel_id=parcel_id)
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
    return _answer(here, parcel_id=parcel_id)


@bp.get("/ui/labels/units/<lpn>.png")
@requires(Permission.VIEW)
def unit_label(lpn: str):
    """The unit's label as PNG for the handheld's printer, from the same printing service."""
    document = printing.unit_document(api.session(), api.context(), lpn, "png", LABEL_DPI)
    return label_answer(document, "lpn")


def _queue_settings() -> dict:
    """What the browser's scan queue mirrors of the server's rules while it works offline:
    the double-scan window, and what an RMA label looks like (scanned where an item was
    expected, it is the next parcel: see item_scan)."""
    rma_body = codes.CODE_LENGTH[codes.RMA_PREFIX] - len(codes.RMA_PREFIX)
    return {
        "guard_ms": GUARD_WINDOW_MS,
        "parcel_pattern": f"^{codes.RMA_PREFIX}[0-9A-Z]{{{rma_body}}}$",
    }


def _wants_json() -> bool:
    """The browser's scan queue asks for JSON; a plain form post gets pages."""
    return request.accept_mimetypes.best == "application/json"


def _answer(next_url: str, *, parcel_id: str | None = None, items: bool = False):
    """Where the outcome shows: a 303 there, or (for the scan queue) JSON naming it, the
    parcel the scan was about and whether that page takes item scans."""
    if _wants_json():
        return jsonify(next=next_url, parcel_id=parcel_id, items=items)
    return redirect(next_url, code=303)


def _is_replay() -> bool:
    """A scan the browser's queue held back (offline, or behind other scans) and sends now
    (the queue says so in a header; a form may in a field)."""
    return (request.headers.get("X-Scan-Replay") or request.form.get("replay")) == "1"


def _scanned_at(now: dt.datetime) -> dt.datetime | None:
    """When the terminal took a scan its queue held back: the queue says how long ago
    (`scanned_ago_ms`, measured on the handheld's own clock, so a handheld whose clock is
    set wrong still dates its scans right). None for a scan sent at once: it is now."""
    raw = (
        request.headers.get("X-Scanned-Ago-Ms") or request.form.get("scanned_ago_ms", "")
    ).strip()
    if not raw:
        return None
    ago = ascii_int(raw, max_digits=12)  # int() would also read "1_000" or "١٢"
    if ago is None or not 0 <= ago <= MAX_QUEUED_MS:
        raise InvalidInput({"scanned_ago_ms": ["Not a number of milliseconds the queue held."]})
    return now - dt.timedelta(milliseconds=ago)


def _terminal() -> str:
    """This terminal for the double-scan guard: its X-Terminal-Id, else its signed-in
    session (a new sign-in is a new session)."""
    header = request.headers.get("X-Terminal-Id")
    if header:
        return f"id:{header}"
    if "terminal" not in session:
        session["terminal"] = secrets.token_hex(8)
    return f"session:{session['terminal']}"
