"""Sign-in request and answer."""

from __future__ import annotations

import marshmallow as ma

from warehouse.schemas import Text, UTCDateTime


class TokenRequestSchema(ma.Schema):
    """Either username and PIN, or a scanned badge."""

    username = Text(max=64, load_default=None, metadata={"example": "recv1"})
    pin = ma.fields.String(load_default=None, metadata={"example": "1234"})
    badge = Text(max=20, load_default=None, metadata={"example": "BDG4KQ7ZP2"})

    @ma.validates_schema
    def _one_way_to_sign_in(self, data, **_kwargs):
        if data.get("badge"):
            if data.get("username") or data.get("pin"):
                raise ma.ValidationError("Send a badge, or a username and PIN, not both.", "badge")
            return
        errors = {}
        for name in ("username", "pin"):
            if not data.get(name):
                errors[name] = ["Required unless a badge is scanned."]
        if errors:
            raise ma.ValidationError(errors)


class TokenSchema(ma.Schema):
    token = ma.fields.String(metadata={"example": "wst_…"})
    expires_at = UTCDateTime()
    role = ma.fields.String(metadata={"example": "receiver"})
    username = ma.fields.String(metadata={"example": "recv1"})
