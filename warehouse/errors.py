"""The domain's errors: what a service raises for a person or system to act on.

Plain Python, no Flask or SQLAlchemy, so pure rules and stage services can raise them without
loading a web framework. `warehouse.problems` maps each to `application/problem+json` once:
each kind names its HTTP status, title and problem-type slug where it is declared.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a service function raises for a person or system to act on."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init_subclass__(cls, status: int = 0, title: str = "", slug: str = "", **kw) -> None:
        super().__init_subclass__(**kw)
        cls.status, cls.title, cls.slug = status or cls.status, title or cls.title, slug or cls.slug

    def __init__(self, detail: str, **extra) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Unauthorized(DomainError, status=401, title="Unauthorized", slug="unauthorized"):
    """No credentials, or credentials that name nobody."""


class Forbidden(DomainError, status=403, title="Forbidden", slug="forbidden"):
    """Known credentials that may not do this."""


class NotFound(DomainError, status=404, title="Not found", slug="not-found"):
    """Also what another store's object answers: its existence is not confirmed."""


class Conflict(DomainError, status=409, title="Conflict", slug="conflict"):
    """The request is well-formed but clashes with the current state."""


class InvalidInput(DomainError, status=422, title="Unprocessable content", slug="validation"):
    """Per-field errors, answered as 422 with `errors: {field: [messages]}`."""

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None) -> None:
        detail = detail or "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items())
        super().__init__(detail, errors=errors)


class BadJSON(DomainError, slug="bad-json"):
    """A body that is not JSON, or nests deeper than the edge reads (`warehouse.edge`)."""


class PayloadTooLarge(DomainError, status=413, title="Payload too large", slug="payload-too-large"):
    """A body (a photo) larger than the service takes."""


class URITooLong(DomainError, status=414, title="URI too long", slug="uri-too-long"):
    """A request target longer than the edge reads."""


class UnsupportedMediaType(
    DomainError, status=415, title="Unsupported media type", slug="unsupported-media-type"
):
    """A body of another media type (or charset) than the operation takes."""


class StorageUnavailable(
    DomainError, status=503, title="Service unavailable", slug="storage-unavailable"
):
    """The photo store cannot be reached; retry shortly."""


class StorageFull(
    DomainError, status=507, title="Insufficient storage", slug="insufficient-storage"
):
    """The photo store has no room left."""
