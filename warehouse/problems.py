"""Domain errors and their one mapping to `application/problem+json` (RFC 9457).

Services raise these; `register_error_handlers` turns them, and every HTTP error Flask or
the schema layer raises, into `{"type","title","status","detail"}` (+ `"errors"` for 422).
Nothing ever answers with an HTML page or a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, json
from gunicorn.http.errors import NoMoreData, ParseException
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from warehouse.errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://warehouse.example/problems/"


def problem(
    status: int, title: str, detail: str, slug: str | None = None, extra: dict | None = None
) -> Response:
    """A problem+json response; `extra` members (e.g. `errors`) never override the standard four."""
    body = {
        **(extra or {}),
        "type": PROBLEM_TYPE_BASE + (slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
    }
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)


def http_exception_problem(exc: HTTPException) -> Response:
    """The problem for a werkzeug/flask-smorest HTTP error, flattening schema messages."""
    status = exc.code or 500
    extra: dict = {}
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    detail = exc.description or exc.name
    if messages:
        errors = _flatten_locations(messages)
        if status == 400 and list(errors) == ["_body"]:
            detail = " ".join(errors["_body"])
        else:
            extra["errors"] = errors
            detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items())
    response = problem(status, exc.name, detail, extra=extra)
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    for key, value in (data.get("headers") or {}).items() if isinstance(data, dict) else ():
        response.headers[key] = value
    return response


def _flatten_locations(messages: dict) -> dict[str, list[str]]:
    """webargs nests messages by location ({"json": {...}, "query": {...}}); stores want fields."""
    errors: dict[str, list[str]] = {}
    for location, fields in messages.items():
        if isinstance(fields, list):
            errors.setdefault("_body" if location == "json" else location, []).extend(fields)
            continue
        for name, msgs in _flatten(fields):
            errors.setdefault(name, []).extend(msgs)
    return errors


def _flatten(fields, prefix: str = ""):
    """Turns {"lines": {0: {"quantity": ["…"]}}} into ("lines.0.quantity", ["…"])."""
    if isinstance(fields, dict):
        for key, value in fields.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema" and prefix:
                name = prefix
            yield from _flatten(value, name)
    elif isinstance(fields, list) and all(isinstance(m, str) for m in fields):
        yield prefix or "_body", fields
    else:
        yield prefix or "_body", [str(fields)]


def register_error_handlers(app: Flask) -> None:
    """Maps every error the app can raise to problem+json, once, for the whole app."""

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        return problem(exc.status, exc.title, exc.detail, exc.slug, exc.extra)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return http_exception_problem(exc)

    @app.errorhandler(ParseException)
    @app.errorhandler(NoMoreData)
    def _unreadable_body(exc: Exception):
        # gunicorn reads the body as the app asks for it: a malformed chunk (or a body cut
        # short) surfaces here, mid-request. It is the client's request that is wrong.
        log.warning("request body unreadable: %s", exc)
        return problem(400, "Bad request", f"The request body could not be read: {exc}")

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError):
        # Services check the constraints they expect; reaching here means two requests raced
        # past that check. The transaction was rolled back, so nothing was written.
        log.warning("integrity error answered as 409: %s", exc.orig)
        return problem(409, "Conflict", "The request conflicts with a concurrent change; retry it.")

    @app.errorhandler(DataError)
    def _unstorable_value(exc: DataError):
        # A backstop: views validate their input, but a value the database refuses (text
        # too long for its column, a character it cannot store) must still be the client's
        # 422, not our 500. The transaction was rolled back, so nothing was written.
        log.warning("database refused a value, answered as 422: %s", exc.orig)
        return problem(
            422,
            "Unprocessable content",
            "A value could not be stored (too long, or characters the database refuses).",
            "validation",
        )

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError):
        log.error("database unavailable: %s", exc.orig)
        response = problem(
            503, "Service unavailable", "The database is unavailable; retry shortly.", "unavailable"
        )
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return problem(500, "Internal server error", "An unexpected error occurred; it was logged.")
