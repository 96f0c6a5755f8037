"""`Idempotency-Key` on every write, for every view, in one place.

A handheld on flaky Wi-Fi retries whatever it got no answer to. Any POST/PUT/PATCH/DELETE a
terminal, the floor UI or a store sends may carry `Idempotency-Key`: the first request with
a key runs as usual, and its answer (status, body, content type, `Location`, and a page's
banners) is kept in the same transaction as its write; a retry with the same key, method,
path and body gets that answer back with `Idempotency-Replayed: true` and writes nothing;
the same key on another request is 409. Keys are the credential's (a store's, whichever of
its API keys sent it; a staff member's, whichever token), so another caller's key never
answers. Without the header a request costs nothing more.

How the answer commits with the write: while a keyed request runs, `transaction()` blocks
make all their statements but hold the commit (`warehouse.db.hold_commits`); once the view
has made its response, the edge inserts the kept answer and commits once. A request that
fails (4xx/5xx) keeps no answer (its transaction rolled back; a retry simply runs again),
but work it finished before failing commits as it would have without a key. Two requests
with one key at once: on SQLite they queue for the write lock and the second finds the
first's answer; on PostgreSQL the second's insert of the answer waits for the first to
commit, finds its row, rolls its own work back and replays the first's answer (and a second
that failed on the first's locks meanwhile replays it too), so both databases answer alike.

Every write is covered, including routes added later, but sign-in (no credential yet),
views marked `@own_key` (they honour the key themselves, as `POST /returns` does with its
per-store keys), pages' posts marked `@writes_nothing` and writes marked `@answers_a_secret`.
A page's form, which cannot send headers, carries its key as the field `idempotency_key`.
The OpenAPI document lists the header on each such operation (`DocPlugin`).
"""

from __future__ import annotations

from collections.abc import Callable

from apispec import BasePlugin
from flask import Flask, current_app, flash, g, request
from flask import session as cookie_session
from sqlalchemy.exc import IntegrityError

from warehouse import api
from warehouse.auth.guard import check_access
from warehouse.db import has_held_work, hold_commits
from warehouse.errors import Conflict, InvalidInput
from warehouse.idempotency import rules, services
from warehouse.problems import PROBLEM_MIMETYPE

#: Attribute set on a view that handles `Idempotency-Key` itself.
OWN_KEY = "idempotency_own_key"
#: Attribute set on a POST that writes nothing (a page's "back" button): keys mean nothing.
WRITES_NOTHING = "idempotency_writes_nothing"
#: Attribute set on a write whose answer holds a secret: kept nowhere.
ANSWERS_A_SECRET = "idempotency_answers_a_secret"
_FLASHES = "_flashes"
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def own_key(view):
    """Marks a view that honours `Idempotency-Key` itself (documented like the others)."""
    setattr(view, OWN_KEY, True)
    return view


def writes_nothing(view):
    """Marks a POST that only shows a page (a form's "back"): its key is not spent on it."""
    setattr(view, WRITES_NOTHING, True)
    return view


def answers_a_secret(view):
    """Marks a write whose answer shows a secret once (a new webhook secret): its answer is
    never kept, so it is not retried by key either (done again, it makes another secret and
    the one never seen is only the previous, in its grace period)."""
    setattr(view, ANSWERS_A_SECRET, True)
    return view


def _handlers(app: Flask, endpoint: str | None, method: str) -> list:
    """What serves `method` at `endpoint`: its view class, handler and view function (each
    may carry marks), or nothing for an unknown endpoint."""
    view = app.view_functions.get(endpoint) if endpoint is not None else None
    if view is None:
        return []
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class is not None else view
    return [obj for obj in (view_class, handler, view) if obj is not None]


def coverage(app: Flask, endpoint: str | None, method: str) -> str | None:
    """ "generic" when the edge handles keys for this endpoint and method, "own" when the
    view does, None when keys mean nothing there (reads, and sign-in: no credential yet)."""
    if method.upper() not in rules.WRITE_METHODS:
        return None
    marked = _handlers(app, endpoint, method)
    if not marked:
        return None
    unkeyed = (WRITES_NOTHING, ANSWERS_A_SECRET)
    if any(
        getattr(obj, "public", False) or any(hasattr(obj, mark) for mark in unkeyed)
        for obj in marked
    ):
        return None
    if any(getattr(obj, OWN_KEY, False) for obj in marked):
        return "own"
    return "generic"


def init_app(app: Flask) -> None:
    """Runs every view through `dispatch` (after every before-request hook: the caller is
    known, and a form's body limit is set, when it runs)."""
    view_dispatch = app.dispatch_request
    app.dispatch_request = lambda: dispatch(view_dispatch)  # type: ignore[method-assign]


def _keyed() -> str | None:
    """The request's key when the edge handles it (a covered write with the header)."""
    if request.method not in rules.WRITE_METHODS:
        return None
    if coverage(current_app, request.endpoint, request.method) != "generic":
        return None
    key = request.headers.get(rules.HEADER)
    if key is None and request.mimetype in FORM_TYPES:
        # A page's form cannot send headers: it carries its key as a field.
        key = request.form.get(rules.FORM_FIELD)
    return key


def _body() -> bytes:
    """The body as the fingerprint takes it: a form by its fields and files (parsed, as
    the view will parse it), anything else byte for byte."""
    if request.mimetype not in FORM_TYPES:
        return request.get_data(cache=True)
    files = []
    for name, upload in request.files.items(multi=True):
        content = upload.stream.read()
        upload.stream.seek(0)
        files.append((name, upload.filename, content))
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in rules.TRANSPORT_FIELDS]
    return rules.form_bytes(fields, files)


def dispatch(view_dispatch: Callable):
    """Runs the view, answering a retried keyed write from its kept answer."""
    key = _keyed()
    owner = rules.owner_of(g.get("actor")) if key is not None else None
    if key is None or owner is None:
        return view_dispatch()
    problem = rules.key_problem(key)
    if problem:
        raise InvalidInput({rules.HEADER: [problem]})
    # The query as sent (`full_path` decodes it, and stripping its "?" would make `?a=?`
    # and `?a=` one request).
    query = request.query_string.decode("latin-1")
    path = f"{request.path}?{query}" if query else request.path
    fingerprint = rules.fingerprint(request.method, path, _body())
    db = api.session()
    kept = services.find(db, owner, key)
    if kept is not None:
        # The view's own role check, which a replay would skip: a caller whose role changed
        # since is refused as the view would refuse it now.
        for obj in _handlers(current_app, request.endpoint, request.method):
            if hasattr(obj, "access"):
                check_access(g.actor, obj.access)
        return _replay(kept, fingerprint)

    flashed = len(cookie_session.get(_FLASHES, []))
    hold_commits(db)
    try:
        response = current_app.make_response(view_dispatch())
    except Exception as exc:
        hold_commits(db, False)
        _settle(db)
        if _is_conflict(exc):
            # Perhaps a request with this key won a race against this one meanwhile.
            kept = services.find(db, owner, key)
            if kept is not None:
                db.rollback()
                return _replay(kept, fingerprint)
        raise
    hold_commits(db, False)
    flashes = [list(f) for f in cookie_session.get(_FLASHES, [])[flashed:]]
    banners = [message for _category, message in flashes]
    if not rules.should_keep(response.status_code, banners) or response.is_streamed:
        _settle(db)
        return response
    answer = rules.Answer(
        status=response.status_code,
        content_type=response.headers.get("Content-Type"),
        body=response.get_data(),
        headers={h: response.headers[h] for h in rules.KEPT_HEADERS if h in response.headers},
        flashes=flashes,
    )
    now = current_app.extensions["warehouse.clock"].now()
    if not services.keep(db, owner, key, fingerprint, answer, now):
        # Another request with this key committed first: its answer is the answer.
        db.rollback()
        kept = services.find(db, owner, key)
        if kept is None:  # it was forgotten meanwhile (pruned): nothing to replay
            raise Conflict(rules.KEY_BUSY)
        if flashed < len(cookie_session.get(_FLASHES, [])):
            cookie_session[_FLASHES] = cookie_session[_FLASHES][:flashed]
        return _replay(kept, fingerprint)
    db.commit()
    return response


def _settle(db) -> None:
    """After a request that keeps no answer: what it finished commits, as without a key."""
    if has_held_work(db):
        db.commit()
    else:
        db.rollback()


def _is_conflict(exc: Exception) -> bool:
    return isinstance(exc, Conflict | IntegrityError) or getattr(exc, "code", None) == 409


def _replay(kept: tuple[str, rules.Answer], fingerprint: str):
    first_fingerprint, answer = kept
    if first_fingerprint != fingerprint:
        from_form = rules.HEADER not in request.headers
        raise Conflict(rules.FORM_RESENT if from_form else rules.KEY_REUSED)
    response = current_app.response_class(
        answer.body, status=answer.status, content_type=answer.content_type
    )
    response.headers.update(answer.headers)
    response.headers[rules.REPLAYED_HEADER] = "true"
    for category, message in answer.flashes:
        flash(message, category)
    return response


# --- the OpenAPI document -------------------------------------------------------------------

KEY_PARAMETER = {
    "in": "header",
    "name": rules.HEADER,
    "required": False,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": rules.MAX_KEY_LENGTH,
        "pattern": "^[\\x20-\\x7E]+$",
    },
    "description": (
        "Makes the call safe to retry: the same key with the same method, path and body "
        "answers the first answer again (with `Idempotency-Replayed: true`) and writes nothing; "
        "the same key on another request is 409. 1 to 200 printable ASCII characters, one "
        "per request (a UUID, say); the credential's own (a store's, or a staff member's), "
        f"kept {rules.RETENTION.days} days."
    ),
}
KEY_REUSED_DOC = "The Idempotency-Key was used for another request."
REFUSED_KEY = {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"}
REPLAYED_HEADER_DOC = {
    "description": "`true` when this is the kept answer to an earlier request with the key.",
    "schema": {"type": "string", "enum": ["true"]},
}


class DocPlugin(BasePlugin):
    """Adds `Idempotency-Key` and `Idempotency-Replayed` to every operation that takes a key,
    with the 409 (key reused) and 422 (not a key) it may answer."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for method, operation in operations.items():
            if coverage(self._app, rule.endpoint, method) is None:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == rules.HEADER for p in parameters if "name" in p):
                parameters.append(dict(KEY_PARAMETER))
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if str(status).startswith("2") and isinstance(response, dict):
                    response.setdefault("headers", {})[rules.REPLAYED_HEADER] = dict(
                        REPLAYED_HEADER_DOC
                    )
            conflict = responses.get("409", responses.get(409))
            if conflict is None:
                responses["409"] = {
                    "description": KEY_REUSED_DOC,
                    "content": {
                        PROBLEM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                }
            elif isinstance(conflict, dict) and "description" in conflict:
                conflict["description"] += f" Or: {KEY_REUSED_DOC[0].lower()}{KEY_REUSED_DOC[1:]}"
            if "422" not in responses and 422 not in responses:
                responses["422"] = dict(REFUSED_KEY)
