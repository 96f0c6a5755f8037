"""What the store webhook endpoints take and answer."""

from __future__ import annotations

import marshmallow as ma

from warehouse.schemas import StrictInteger, UTCDateTime
from warehouse.stores.services import DEFAULT_GRACE_HOURS, MAX_GRACE_HOURS


class RotateSecretSchema(ma.Schema):
    grace_hours = StrictInteger(
        load_default=DEFAULT_GRACE_HOURS,
        validate=ma.validate.Range(min=0, max=MAX_GRACE_HOURS),
        metadata={
            "example": 24,
            "description": "Hours the old secret keeps signing beside the new one (0: none).",
        },
    )


class RotatedSecretSchema(ma.Schema):
    store_id = ma.fields.UUID()
    webhook_secret = ma.fields.String(
        metadata={"description": "The new `whsec_` secret, shown only this once."}
    )
    previous_secret_expires_at = UTCDateTime(
        allow_none=True,
        metadata={"description": "Until then every webhook carries both signatures."},
    )


class WebhookUrlSchema(ma.Schema):
    webhook_url = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "example": "https://shop.example/hooks/returns",
            "description": "Public http(s) URL; null stops webhooks (the feed remains).",
        },
    )


class StoreWebhookSchema(ma.Schema):
    id = ma.fields.UUID()
    webhook_url = ma.fields.String(allow_none=True)
