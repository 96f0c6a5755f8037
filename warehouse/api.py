"""The HTTP API's plumbing: the flask-smorest `Api`, per-request session and context, cursors.

Views stay thin: load input with a schema, call one service function with `session()` and
`context()`, dump the result.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid

import marshmallow as ma
from flask import Flask, current_app, g, request
from flask_smorest import Api as SmorestApi
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from warehouse import edge
from warehouse.context import Context
from warehouse.db import _sqlite_begin
from warehouse.errors import InvalidInput, NotFound
from warehouse.problems import PROBLEM_MIMETYPE, http_exception_problem
from warehouse.schemas import QueryInteger
from warehouse.texts import Text

API_PREFIX = "/api/v1"
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
#: Methods that never write; their SQLite transactions take no write lock.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem, as every error is answered; extension members may follow
    (e.g. `return_status` on a 409), so the document allows more properties."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(metadata={"example": "https://warehouse.example/problems/not-found"})
    title = ma.fields.String(metadata={"example": "Not found"})
    status = ma.fields.Integer(metadata={"example": 404})
    detail = ma.fields.String(metadata={"example": "No return with that id."})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Per-field messages (422 only)."},
    )


class Api(SmorestApi):
    """flask-smorest's Api, answering and documenting its errors as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return http_exception_problem(error)

    def _register_responses(self):
        # flask-smorest documents error responses as application/json; ours are problems.
        content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_MIMETYPE
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = content_type


def problem_response(blueprint, status: int, description: str):
    """Documents an error answer of a view: `@problem_response(blp, 409, "why")`."""
    return blueprint.alt_response(
        status, schema=ProblemSchema, content_type=PROBLEM_MIMETYPE, description=description
    )


def api_config(app: Flask) -> None:
    """The OpenAPI settings flask-smorest reads from the app config."""
    app.config.update(
        API_TITLE="Return centre",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=f"{API_PREFIX}/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {
                "description": (
                    "Return requests from store systems, parcel check-in on handheld "
                    "terminals, inspection, disposition and refund triggers. Errors are "
                    "application/problem+json. Store systems authenticate with "
                    "`Authorization: Bearer <api_key>`; staff with a token from "
                    "`POST /api/v1/auth/token`. Bodies are `application/json` in UTF-8 "
                    f"(415 otherwise), nesting at most {edge.MAX_JSON_DEPTH} levels (400); the "
                    f"path and query together are at most {edge.MAX_TARGET_BYTES} bytes (414). "
                    "Text may not hold NUL (U+0000), as "
                    "each text field's `pattern` says, nor unpaired surrogates (U+D800–U+DFFF, "
                    "which no portable pattern can name); either is a 422 naming the field."
                )
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )


def session() -> Session:
    """The request's database session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["warehouse.sessions"]()
    return g.db_session


def context() -> Context:
    """Who is acting (set by authentication), now, and from which terminal."""
    return Context(
        actor=g.actor,
        now=current_app.extensions["warehouse.clock"].now(),
        terminal_id=(request.headers.get("X-Terminal-Id") or None),
    )


def bind_request_lifecycle(app: Flask) -> None:
    """Read-only requests take no SQLite write lock; every request's session is closed."""

    @app.before_request
    def _choose_transaction_mode():
        if request.method in READ_ONLY_METHODS:
            g.sqlite_begin_token = _sqlite_begin.set("DEFERRED")

    @app.teardown_request
    def _close_session(_exc):
        db_session = g.pop("db_session", None)
        if db_session is not None:
            try:
                db_session.close()
            except DBAPIError as exc:
                # The database went away after the answer was made (PostgreSQL restarting):
                # the answer stands, and the dead connection is discarded, not pooled.
                current_app.logger.warning("database lost while closing a session: %s", exc.orig)
                db_session.invalidate()
        token = g.pop("sqlite_begin_token", None)
        if token is not None:
            _sqlite_begin.reset(token)


#: What a cursor this API issues looks like: URL-safe base64 without padding.
CURSOR_PATTERN = "^[A-Za-z0-9_-]{1,512}$"
CURSOR_FORM = "A cursor is 1 to 512 characters of URL-safe base64 (A–Z, a–z, 0–9, -, _)."


class Cursor(ma.fields.String):
    """`next_cursor` of a previous page, handed back; documented with its format, so that a
    generated client sends nothing else."""

    def __init__(self, description: str = "`next_cursor` of the previous page.", **kwargs) -> None:
        kwargs.setdefault("load_default", None)
        super().__init__(
            validate=ma.validate.Regexp(CURSOR_PATTERN, error=CURSOR_FORM),
            metadata={
                "description": f"{description} Opaque: URL-safe base64 (A–Z, a–z, 0–9, `-`, "
                "`_`), at most 512 characters; only a cursor this API issued is read.",
            },
            **kwargs,
        )


class PageQuerySchema(ma.Schema):
    """`?limit=&cursor=` for every list endpoint."""

    limit = QueryInteger(
        load_default=DEFAULT_PAGE_SIZE,
        validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Page size, at most {MAX_PAGE_SIZE}."},
    )
    cursor = Cursor()


def encode_cursor(position: dict) -> str:
    """An opaque cursor for the keyset position after the last item of a page."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, field: str = "cursor") -> dict | None:
    """The position a cursor stands for; a cursor we did not issue is a 422."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = edge.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(position, dict):
            raise ValueError
        return position
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput({field: ["Not a cursor this API issued."]}) from None


def paging(query: dict) -> dict:
    """A list query's page: its `limit`, and `after` (its `cursor` decoded), as the list
    functions take them."""
    return {"limit": query["limit"], "after": decode_cursor(query["cursor"])}


def page_answer(items: list, position: dict | None) -> dict:
    """A list endpoint's answer: the page's items, and the cursor of the page after it (None
    on the last page)."""
    return {"items": items, "next_cursor": encode_cursor(position) if position else None}


def parse_id(text: str, what: str) -> uuid.UUID:
    """The UUID in a URL; a malformed one names nothing, so it is answered like an unknown one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(Text("No such {what}.", what=what)) from None


def fast_json(body: dict, status: int = 200):
    """Answers a body the service already built in the documented shape, skipping the
    schema's dump: on the hot scan endpoints that dump cost more than the database work."""
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )
