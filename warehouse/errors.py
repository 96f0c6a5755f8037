"""The domain's errors: what a service raises for a person or system to act on.

Plain Python, no Flask or SQLAlchemy, so pure rules and stage services can raise them without
loading a web framework. `warehouse.problems` maps each to `application/problem+json` once.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a service function raises for a person or system to act on."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, **extra) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Unauthorized(DomainError):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(DomainError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(DomainError):
    """Also what another store's object answers: its existence is not confirmed."""

    status, title, slug = 404, "Not found", "not-found"


class Conflict(DomainError):
    """The request is well-formed but clashes with the current state."""

    status, title, slug = 409, "Conflict", "conflict"


class InvalidInput(DomainError):
    """Per-field errors, answered as 422 with `errors: {field: [messages]}`."""

    status, title, slug = 422, "Unprocessable content", "validation"

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None) -> None:
        detail = detail or "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items())
        super().__init__(detail, errors=errors)


class BadJSON(DomainError):
    """A body that is not JSON, or nests deeper than the edge reads (`warehouse.edge`)."""

    status, title, slug = 400, "Bad request", "bad-json"


class URITooLong(DomainError):
    status, title, slug = 414, "URI too long", "uri-too-long"


class UnsupportedMediaType(DomainError):
    """A body of another media type (or charset) than the operation takes."""

    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"
