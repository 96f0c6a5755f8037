"""Random credentials and how they are stored: shown once, kept as a SHA-256.

API keys and tokens carry 256 bits of randomness, so a plain SHA-256 is enough to store
them (a slow KDF protects guessable secrets such as PINs, not these) and lets a request be
authenticated with one indexed lookup.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

STORE_KEY_PREFIX = "wsk_"
STAFF_TOKEN_PREFIX = "wst_"
WEBHOOK_SECRET_PREFIX = "whsec_"


def new_store_api_key() -> str:
    return STORE_KEY_PREFIX + secrets.token_urlsafe(32)


def new_staff_token() -> str:
    return STAFF_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def digest(secret: str) -> str:
    """The stored form of a high-entropy secret."""
    return hashlib.sha256(secret.encode()).hexdigest()
