"""Creating stores and recognising their API keys."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse import secrets
from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.problems import InvalidInput
from warehouse.stores.models import (
    DEFAULT_DECISION_HOURS,
    DEFAULT_EXPRESS_REFUND_LIMIT,
    Store,
    StoreApiKey,
)


@dataclass(frozen=True)
class NewStore:
    """A created store and its secrets, which are shown only this once."""

    store: Store
    api_key: str


def create_store(
    session: Session,
    ctx: Context,
    *,
    name: str,
    webhook_url: str | None = None,
    express_refund_limit: int = DEFAULT_EXPRESS_REFUND_LIMIT,
    decision_hours: int = DEFAULT_DECISION_HOURS,
) -> NewStore:
    """Adds a store with one API key and a webhook secret. The caller commits."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not 1 <= len(name) <= 200:
        errors["name"] = ["A store name is 1 to 200 characters."]
    if webhook_url is not None and not _is_http_url(webhook_url):
        errors["webhook_url"] = ["The webhook URL must be an absolute http(s) URL."]
    if express_refund_limit < 0:
        errors["express_refund_limit"] = ["Must be 0 (off) or more."]
    if not 1 <= decision_hours <= 24 * 30:
        errors["decision_hours"] = ["Must be between 1 and 720 hours."]
    if errors:
        raise InvalidInput(errors)

    store = Store(
        name=name,
        webhook_url=webhook_url,
        webhook_secret=secrets.new_webhook_secret(),
        express_refund_limit=express_refund_limit,
        decision_hours=decision_hours,
        created_at=ctx.now,
    )
    session.add(store)
    session.flush()
    api_key = issue_api_key(session, ctx, store)
    record(
        session,
        ctx,
        "store.created",
        "store",
        store.id,
        store_id=store.id,
        after={
            "name": name,
            "webhook_url": webhook_url,
            "express_refund_limit": express_refund_limit,
            "decision_hours": decision_hours,
        },
    )
    return NewStore(store=store, api_key=api_key)


def issue_api_key(session: Session, ctx: Context, store: Store) -> str:
    """A new API key for `store`; only its digest is kept."""
    key = secrets.new_store_api_key()
    session.add(
        StoreApiKey(
            store_id=store.id,
            key_hash=secrets.digest(key),
            key_prefix=key[:10],
            created_at=ctx.now,
        )
    )
    record(
        session,
        ctx,
        "store.api_key_issued",
        "store",
        store.id,
        store_id=store.id,
        after={"key_prefix": key[:10]},
    )
    return key


def store_for_api_key(session: Session, api_key: str) -> Store | None:
    """The store an unrevoked API key belongs to, or None."""
    return session.scalar(
        select(Store)
        .join(StoreApiKey)
        .where(StoreApiKey.key_hash == secrets.digest(api_key), StoreApiKey.revoked_at.is_(None))
    )


def _is_http_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc) and len(url) <= 2000
