"""A label document as an HTTP answer: the same for the API's label files and the floor UI's
label images."""

from __future__ import annotations

from flask import Response, request

from labels import LabelError
from warehouse.errors import InvalidInput
from warehouse.printing.documents import LabelDocument


def label_answer(document: LabelDocument, field: str) -> Response:
    """The document's bytes, or 304 when the client's copy (If-None-Match) is still right.
    A label that cannot be drawn is refused as invalid `field`."""
    etag = document.etag
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        try:
            body = document.render()
        except LabelError as exc:
            raise InvalidInput({field: [str(exc)]}) from exc
        response = Response(body, mimetype=document.media_type)
        response.headers["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"private, max-age={document.max_age}"
    return response
