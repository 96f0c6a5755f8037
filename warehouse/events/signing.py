"""Standard Webhooks signatures (https://www.standardwebhooks.com/), in plain Python.

A webhook carries `webhook-id` (the event id, the same on every retry so a store can drop
duplicates), `webhook-timestamp` (Unix seconds, so a store can refuse replays of old
messages) and `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`,
keyed with the bytes of the store's secret (`whsec_` and base64). A dozen lines of `hmac`
rather than a dependency; the spec's published test vector checks them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from warehouse.secrets import WEBHOOK_SECRET_PREFIX

SIGNATURE_VERSION = "v1"


def secret_key(secret: str) -> bytes:
    """The HMAC key a `whsec_…` secret stands for (the prefix is optional, as in the spec)."""
    encoded = secret.removeprefix(WEBHOOK_SECRET_PREFIX)
    return base64.b64decode(encoded, validate=True)


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256>`."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def webhook_headers(
    secret: str,
    msg_id: str,
    timestamp: int,
    body: bytes,
    *,
    previous_secret: str | None = None,
) -> dict[str, str]:
    """Every header a Standard Webhooks message carries, signed over exactly `body`.

    During a secret rotation's grace period the message is signed with both secrets, the
    new one first (`v1,<new> v1,<old>`, space-separated as the specification allows), so a
    store verifies with whichever secret it holds while it switches over.
    """
    signatures = [signature(secret, msg_id, timestamp, body)]
    if previous_secret:
        signatures.append(signature(previous_secret, msg_id, timestamp, body))
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }
