"""The floor UI's plumbing: the blueprint, the signed-in staff member per request, CSRF,
role checks, banners and HTML error pages (the API keeps its problem+json)."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
import secrets
import uuid
from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from warehouse import api
from warehouse.auth.roles import Permission, Role, may
from warehouse.auth.services import staff_actor, user_for_token
from warehouse.problems import DomainError
from warehouse.ui import i18n
from warehouse.ui.i18n import N_

log = logging.getLogger(__name__)

bp = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/ui/static",
)

#: A signed-in terminal left alone this long is signed out.
IDLE_TIMEOUT = dt.timedelta(minutes=30)
#: Pages that need nobody signed in.
OPEN_ENDPOINTS = frozenset({"ui.login", "ui.language", "ui.static", "ui.index"})


# --- who is acting ---------------------------------------------------------------------------


@bp.before_app_request
def _load_staff() -> None:
    """Resolves the session's staff token to an actor on every UI request (not the API's)."""
    if request.blueprint != "ui":
        return
    g.ui_user = None
    token = session.get("token")
    if not token:
        return
    now = current_app.extensions["warehouse.clock"].now()
    seen = session.get("seen")
    if seen is not None and now - dt.datetime.fromtimestamp(seen, dt.UTC) > IDLE_TIMEOUT:
        _forget()
        flash({"kind": "warn", "text": i18n.gettext("Signed out after inactivity.")})
        return
    found = user_for_token(api.session(), token, now)
    if found is None:
        _forget()
        return
    user, _expires = found
    g.ui_user = user
    g.actor = staff_actor(user)
    session["seen"] = int(now.timestamp())


@bp.before_request
def _guard() -> None:
    """Signed-out visitors go to sign-in; every POST carries the session's CSRF token."""
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, description="csrf")
    if request.endpoint not in OPEN_ENDPOINTS and g.get("ui_user") is None:
        return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
    return None


def _forget() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def sign_in(token: str) -> None:
    """Keeps the staff token in the (signed) session, with a fresh CSRF token."""
    lang = session.get("lang")
    session.clear()
    session["token"] = token
    session["csrf"] = secrets.token_urlsafe(32)
    session["seen"] = int(current_app.extensions["warehouse.clock"].now().timestamp())
    if lang:
        session["lang"] = lang
    session.permanent = False


def sign_out() -> None:
    _forget()


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def requires(permission: Permission) -> Callable:
    """Lets a page through for staff holding `permission`; others get the 403 page."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not may(g.ui_user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def home_for(role: str) -> str:
    """The page a role lands on after sign-in."""
    if role == Role.RECEIVER:
        return url_for("ui.receive")
    if role == Role.INSPECTOR:
        return url_for("ui.inspect")
    return url_for("ui.exceptions")


# --- banners ---------------------------------------------------------------------------------


def banner(kind: str, text: str, **extra) -> None:
    """A full-width ok / warn / error banner (colour and sound) on the next page."""
    flash({"kind": kind, "text": text, **extra})


def error_banner(exc: DomainError) -> None:
    banner("error", describe(exc))


def describe(exc: DomainError) -> str:
    """A domain error in the user's language where we know the text, else as raised."""
    return i18n.gettext(exc.detail)


def render(template: str, status: int = 200, **values):
    messages = get_flashed_messages()
    kinds = [m.get("kind") for m in messages if isinstance(m, dict)]
    tone = "error" if "error" in kinds else "warn" if "warn" in kinds else "ok" if kinds else ""
    return (
        render_template(
            template,
            banners=[m for m in messages if isinstance(m, dict)],
            tone=tone,
            scan_id=str(uuid.uuid4()),
            **values,
        ),
        status,
    )


@bp.app_context_processor
def _template_globals() -> dict:
    if request.blueprint != "ui":
        return {}
    return {
        "_": i18n.gettext,
        "lang": i18n.current(),
        "languages": i18n.LANGUAGES,
        "csrf_token": csrf_token,
        "user": g.get("ui_user"),
        "idle_seconds": int(IDLE_TIMEOUT.total_seconds()),
        "may": lambda perm: g.get("ui_user") is not None and may(g.ui_user.role, Permission(perm)),
    }


# --- errors as pages -------------------------------------------------------------------------


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    titles = {
        400: N_("The form had expired; please try again.") if exc.description == "csrf" else None,
        403: N_("Your role may not open this page."),
        404: N_("Not found."),
        414: N_("This address is too long."),
    }
    text = titles.get(exc.code) or exc.name
    return render_template(
        "error.html", status=exc.code, text=i18n.gettext(text), **_template_globals()
    ), exc.code


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return render_template(
        "error.html", status=exc.status, text=describe(exc), **_template_globals()
    ), exc.status


@bp.errorhandler(DataError)
def _unstorable_value(exc: DataError):
    """A value the database refused (too long, a character it cannot store): nothing was
    written; the user can correct it."""
    log.warning("database refused a value on %s: %s", request.path, exc.orig)
    return render_template(
        "error.html",
        status=422,
        text=i18n.gettext(
            "A value could not be stored: it is too long or has characters that cannot be kept."
        ),
        **_template_globals(),
    ), 422


@bp.errorhandler(OperationalError)
def _database_unavailable(exc: OperationalError):
    """The database is down or busy: say so (the scan can be repeated), not "a bug"."""
    log.error("database unavailable on %s: %s", request.path, exc.orig)
    page = render_template(
        "error.html",
        status=503,
        text=i18n.gettext("The system is briefly unavailable; scan again in a moment."),
        **_template_globals(),
    )
    return page, 503, {"Retry-After": "2"}


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    """A bug or an outage: logged with its traceback, shown as a plain error page."""
    log.exception("unhandled error on %s", request.path)
    return render_template(
        "error.html", status=500, text=i18n.gettext("Something went wrong."), **_template_globals()
    ), 500
