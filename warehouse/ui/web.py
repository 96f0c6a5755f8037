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
from warehouse.errors import DomainError
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
#: Posted fields never carried over a sign-in (secrets, and the tokens of the old session).
NOT_KEPT = frozenset({"csrf_token", "pin", "badge", "password"})
#: Prefix of a kept field on the sign-in form (`keep:note`), sent on once signed in.
KEPT_PREFIX = "keep:"


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
    if user.language in i18n.LANGUAGES and session.get("lang") != user.language:
        session["lang"] = user.language  # pages after a sign-out keep the user's language


@bp.before_request
def _guard() -> None:
    """Signed-out visitors go to sign-in; every POST carries the session's CSRF token (a
    form's field, or the `X-CSRF-Token` header of the scan queue's posts)."""
    if request.method == "POST":
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            return _expired_form()
    if request.endpoint not in OPEN_ENDPOINTS and g.get("ui_user") is None:
        return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
    return None


def kept_fields(form, *, prefix: str = "") -> list[tuple[str, str]]:
    """What a person typed into a posted form (fields named `prefix…`, the prefix removed),
    without secrets or the old session's token; files are not kept."""
    return [
        (name[len(prefix) :], value)
        for name in form
        if name.startswith(prefix) and name[len(prefix) :] not in NOT_KEPT
        for value in form.getlist(name)
    ]


def resumable(path: str | None) -> str | None:
    """A page's own path a kept form may be sent to again, else None."""
    if path and path.startswith("/ui/") and not path.startswith("//") and "\\" not in path:
        return path
    return None


def _expired_form():
    """A form posted without this session's CSRF token: its session ended (signed out after
    inactivity, or the token expired) or was replaced. Nothing is done, and nothing typed is
    lost: signed out, the sign-in page carries the form's fields and sends them on once
    signed in; still signed in, the form is offered again to send with one tap. The browser's
    scan queue (JSON) keeps its scans and is answered 400 as before."""
    target = resumable(request.path)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.endpoint == "ui.logout" and g.get("ui_user") is None:
        return redirect(url_for("ui.login"), code=303)  # signed out already: nothing to send
    if wants_json or target is None or request.endpoint in ("ui.language", "ui.logout"):
        abort(400, description="csrf")
    if request.endpoint == "ui.login":
        banner("warn", i18n.gettext("The sign-in page had expired; sign in again."))
        return render(
            "login.html",
            status=400,
            next=request.args.get("next", ""),
            kept=kept_fields(request.form, prefix=KEPT_PREFIX),
            resume=resumable(request.form.get("resume")),
            username=request.form.get("username", ""),
        )
    kept = kept_fields(request.form)
    if g.get("ui_user") is None:
        banner(
            "warn",
            i18n.gettext("You were signed out. Sign in again to send what you typed."),
        )
        return render("login.html", status=401, next="", kept=kept, resume=target)
    banner("warn", i18n.gettext("The form had expired: nothing was sent. Send it now?"))
    return render("resume.html", status=400, kept=kept, resume=target)


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
    """A domain error in the user's language where we know the text, else as raised. A
    422 whose detail only joins its fields' messages (in English) is shown as those
    messages, each translated."""
    return " ".join(field_messages(exc)) or i18n.translate(exc.detail)


def field_messages(exc: DomainError) -> list[str]:
    """A 422's messages per field in the user's language, when they are service messages
    (`warehouse.texts.Text`) and its detail is not a message of its own; else none."""
    errors = exc.extra.get("errors") or {}
    messages = [m for ms in errors.values() for m in ms]
    if getattr(exc.detail, "template", None) or not any(hasattr(m, "template") for m in messages):
        return []
    if i18n.translate(exc.detail) != exc.detail:
        return []
    return [i18n.translate(m) for m in messages]


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


@bp.app_template_filter("translated")
def _translated(message: str) -> str:
    """A service's message (`warehouse.texts.Text`) in the page's language."""
    return i18n.translate(message)


@bp.app_template_filter("local")
def local_time(moment: dt.datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment (a datetime, or ISO 8601 text as the services answer it) on the
    warehouse's clock (`WAREHOUSE_TIMEZONE`), as every page shows times."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # the database keeps UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(current_app.config["WAREHOUSE_TIMEZONE"]).strftime(fmt)


@bp.app_context_processor
def _template_globals() -> dict:
    if request.blueprint != "ui":
        return {}
    return {
        "_": i18n.gettext,
        "lang": i18n.current(),
        "languages": i18n.LANGUAGES,
        "csrf_token": csrf_token,
        # A form's Idempotency-Key (`idempotency_key`): sent again, it gets its first answer.
        "new_idempotency_key": lambda: str(uuid.uuid4()),
        "user": g.get("ui_user"),
        "idle_seconds": int(IDLE_TIMEOUT.total_seconds()),
        "may": lambda perm: g.get("ui_user") is not None and may(g.ui_user.role, Permission(perm)),
    }


# --- errors as pages -------------------------------------------------------------------------


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    titles = {
        400: (
            N_("The form had expired; please try again.")
            if exc.description == "csrf"
            else N_("The request could not be read; please try again.")
        ),
        403: N_("Your role may not open this page."),
        404: N_("Not found."),
        413: N_("What was sent is too large."),
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
