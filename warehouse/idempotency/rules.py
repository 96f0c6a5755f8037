"""What an `Idempotency-Key` is, whose it is and what it is bound to: pure rules, no Flask,
no database.

A key belongs to a credential: a store system's keys are its store's (any of its API keys),
a staff member's are theirs (any token, so a handheld that signs in again still replays).
Within it a key is bound to one request: method, path with query, and the body (its bytes;
a form's fields and files).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field

from warehouse.context import Actor

HEADER = "Idempotency-Key"
#: The same, as a field of a page's form (a browser's form post cannot send a header).
FORM_FIELD = "idempotency_key"
#: Form fields that say how a request travels, not what it asks: left out of the
#: fingerprint (a new sign-in gives the page a new CSRF token; the retry is the same).
TRANSPORT_FIELDS = frozenset({"csrf_token"})
#: Sent on a replayed answer (and only there).
REPLAYED_HEADER = "Idempotency-Replayed"
MAX_KEY_LENGTH = 200
#: Methods that change something; a key on any other request is ignored.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Answer headers kept with the body (the others are the edge's to make afresh each time).
KEPT_HEADERS = ("Location",)
#: How long an answer is kept for a retry; the delivery worker prunes older ones.
RETENTION = dt.timedelta(days=7)


def N_(text: str) -> str:
    """Marks text the floor UI translates when it shows it (`warehouse.ui.catalogs`)."""
    return text


#: The 409 of a key used again on another request.
KEY_REUSED = N_(
    "This Idempotency-Key was used for another request (method, path or body); "
    "a new request needs a new key."
)
#: The same, as a page's form meets it (sent again after its values were changed).
FORM_RESENT = N_("This form was sent already, with other values: open the page again.")
#: The 409 of a key whose first request committed and was forgotten at once (pruned).
KEY_BUSY = N_("This Idempotency-Key was in use by a concurrent request; send it again.")


def key_problem(key: str) -> str | None:
    """Why `key` is no key (a 422's message), or None: 1 to 200 printable ASCII characters."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        return f"1 to {MAX_KEY_LENGTH} characters."
    if not all(" " <= c <= "~" for c in key):
        return "Printable ASCII characters only."
    return None


def owner_of(actor: Actor | None) -> tuple[str, uuid.UUID] | None:
    """Whose keys a caller's are: its store's, or the staff member's; None for nobody."""
    if actor is None or actor.id is None:
        return None
    if actor.is_store:
        return ("store", actor.store_id or actor.id)
    if actor.kind == "staff":
        return ("staff", actor.id)
    return None


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of the request a key was first used for: method, path (with query), body."""
    digest = hashlib.sha256()
    digest.update(method.upper().encode() + b" " + path.encode("utf-8", "surrogateescape"))
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def form_bytes(fields: list[tuple[str, str]], files: list[tuple[str, str | None, bytes]]) -> bytes:
    """What a form body is, whatever its encoding: its fields and its files' names and
    contents, in a fixed order. A multipart body's boundary is drawn afresh each time a
    client encodes it (a browser's FormData, werkzeug's test client), so the bytes of a
    retried photo upload differ though the request is the same."""
    parts = [json.dumps(["field", name, value], ensure_ascii=False) for name, value in fields]
    parts += [
        json.dumps(["file", name, filename, hashlib.sha256(content).hexdigest()])
        for name, filename, content in files
    ]
    return "\n".join(sorted(parts)).encode("utf-8", "surrogateescape")


def should_keep(status: int, banners: list | tuple = ()) -> bool:
    """An answer is kept when the request went through (2xx, or a page's 3xx) and showed no
    error banner (a page answers a refusal with a redirect and an error banner): an error
    wrote nothing, so a retry may simply run again — and succeed once what stood in its way
    is settled (a supervisor matched the parcel, say)."""
    refused = any(isinstance(b, dict) and b.get("kind") == "error" for b in banners)
    return status < 400 and not refused


@dataclass(frozen=True)
class Answer:
    """A kept answer: replayed byte for byte, with the headers that belong to it and (for
    the floor UI's pages) the banners it showed."""

    status: int
    content_type: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    flashes: list = field(default_factory=list)
