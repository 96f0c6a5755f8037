"""Text no database can store is refused at the door, as a 422 naming the field.

JSON may carry a NUL character (`\\u0000`) or half of a UTF-16 surrogate pair (`\\ud800`);
so may a query string or a urlencoded form. PostgreSQL refuses NUL in text and no driver
can encode a lone surrogate, so such a value would reach the database and fail there as a
500 after part of the work was done. Every request's query, urlencoded form and JSON body
is checked before any view runs (after authentication, so an anonymous caller still gets
its 401), and so are the headers whose value is stored (`X-Terminal-Id` also for its
length). Multipart bodies (photo uploads) are left to their views.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, request

from warehouse.errors import InvalidInput

MESSAGE = "Text may not contain NUL characters or unpaired surrogates."
#: The same for a key of an object (metadata, labels, answers), which OpenAPI 3.0 cannot
#: give a pattern: told apart, so a client sees which of the two the document could say.
KEY_MESSAGE = "Keys may not contain NUL characters or unpaired surrogates."
#: Headers whose value is stored (`terminal_id` columns are 64 characters long), and the
#: longest value each may have; the views check their other limits themselves.
STORED_HEADERS = {"X-Terminal-Id": 64, "Idempotency-Key": None}


def unstorable(text) -> bool:
    """Whether `text` is a string holding a NUL or a lone surrogate."""
    if not isinstance(text, str):
        return False
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable_fields(value, path: str = "") -> Iterator[tuple[str, str]]:
    """The dotted name (`lines.0.title`) and message of every unstorable string inside
    `value`; a key is named by the object holding it."""
    if isinstance(value, str):
        if unstorable(value):
            yield path or "_body", MESSAGE
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and unstorable(key):
                yield path or "_body", KEY_MESSAGE
            else:
                yield from unstorable_fields(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_fields(item, f"{path}.{index}" if path else str(index))


def refuse_unstorable_text() -> None:
    """Raises a 422 naming each field of the request that holds unstorable text."""
    fields: list[tuple[str, str]] = []
    sources = [request.args]
    # Multipart bodies (photos) are left to their view, which sets its own size limit
    # before the body is read; reading the form here would apply the small JSON limit.
    if request.mimetype == "application/x-www-form-urlencoded":
        sources.append(request.form)
    for source in sources:
        for key, values in source.lists():
            if unstorable(key):
                fields.append(("_query", KEY_MESSAGE))
            elif any(unstorable(v) for v in values):
                fields.append((key, MESSAGE))
    if request.is_json:
        fields.extend(unstorable_fields(request.get_json(silent=True)))
    errors = {field: [message] for field, message in fields}
    for name, longest in STORED_HEADERS.items():
        value = request.headers.get(name)
        if value is None:
            continue
        if unstorable(value):
            errors[name] = [MESSAGE]
        elif longest is not None and len(value) > longest:
            errors[name] = [f"At most {longest} characters."]
    if errors:
        raise InvalidInput(errors)


def init_text_guard(app: Flask) -> None:
    """Registers the check; call it after authentication is bound, so 401 comes first."""
    app.before_request(refuse_unstorable_text)
