"""Creating stores, recognising their API keys, and their webhook URL and secret."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse import secrets
from warehouse.audit.services import record
from warehouse.config import Settings
from warehouse.context import Context
from warehouse.db import unit_of_work
from warehouse.errors import InvalidInput, NotFound
from warehouse.stores.models import (
    DEFAULT_DECISION_HOURS,
    DEFAULT_EXPRESS_REFUND_LIMIT,
    Store,
    StoreApiKey,
)
from warehouse.stores.webhook_urls import url_problem

#: The longest grace period of a secret rotation: both secrets sign for at most a week.
MAX_GRACE_HOURS = 24 * 7
DEFAULT_GRACE_HOURS = 24


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
    webhook_allow_private: bool = True,
    webhook_allow_loopback: bool = False,
) -> NewStore:
    """Adds a store with one API key and a webhook secret. The caller commits.

    The CLI and the API pass `webhook_allow_private` from the settings (off by default), so
    a store's URL cannot point into the centre's own network; code that builds stores
    directly (tests, benchmarks, the demo) may aim them at 127.0.0.1.
    """
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not 1 <= len(name) <= 200:
        errors["name"] = ["A store name is 1 to 200 characters."]
    if webhook_url is not None and (
        problem := url_problem(
            webhook_url, allow_private=webhook_allow_private, allow_loopback=webhook_allow_loopback
        )
    ):
        errors["webhook_url"] = [problem]
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
    _record(
        session,
        ctx,
        store,
        "store.created",
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
    _record(session, ctx, store, "store.api_key_issued", after={"key_prefix": key[:10]})
    return key


def replace_api_keys(session: Session, ctx: Context, store_id: uuid.UUID) -> NewStore:
    """Issues the store a new API key and revokes every key it had: a key is shown only
    once, so one that was lost (or seen by someone else) must stop working; the store's
    system switches to the new key. Answers the store and the new key."""
    store = _store_for_update(session, ctx, store_id)
    revoked = list(
        session.scalars(
            select(StoreApiKey).where(
                StoreApiKey.store_id == store.id, StoreApiKey.revoked_at.is_(None)
            )
        )
    )
    for old in revoked:
        old.revoked_at = ctx.now
    _record(
        session,
        ctx,
        store,
        "store.api_keys_revoked",
        after={"key_prefixes": [k.key_prefix for k in revoked]},
    )
    api_key = issue_api_key(session, ctx, store)
    session.flush()
    return NewStore(store=store, api_key=api_key)


def store_for_api_key(session: Session, api_key: str) -> Store | None:
    """The store an unrevoked API key belongs to, or None."""
    return session.scalar(
        select(Store)
        .join(StoreApiKey)
        .where(StoreApiKey.key_hash == secrets.digest(api_key), StoreApiKey.revoked_at.is_(None))
    )


def _record(session: Session, ctx: Context, store: Store, action: str, **change) -> None:
    """Audits a change to the store itself, in its own trail (`change`: `before`, `after`)."""
    record(session, ctx, action, "store", store.id, store_id=store.id, **change)


def _store_for_update(session: Session, ctx: Context, store_id: uuid.UUID) -> Store:
    """The store, locked; a store system reaches only its own (another's is not found)."""
    if ctx.store_scope is not None and ctx.store_scope != store_id:
        raise NotFound("No such store.")
    store = session.scalar(select(Store).where(Store.id == store_id).with_for_update())
    if store is None:
        raise NotFound("No such store.")
    return store


def set_webhook_url(
    session: Session,
    ctx: Context,
    store_id: uuid.UUID,
    webhook_url: str | None,
    *,
    webhook_allow_private: bool,
    webhook_allow_loopback: bool = False,
) -> Store:
    """Points the store's webhooks at `webhook_url` (None: feed only), checked as at creation."""
    if webhook_url is not None and (
        problem := url_problem(
            webhook_url, allow_private=webhook_allow_private, allow_loopback=webhook_allow_loopback
        )
    ):
        raise InvalidInput({"webhook_url": [problem]})
    store = _store_for_update(session, ctx, store_id)
    before = {"webhook_url": store.webhook_url}
    store.webhook_url = webhook_url
    _record(
        session,
        ctx,
        store,
        "store.webhook_url_set",
        before=before,
        after={"webhook_url": webhook_url},
    )
    session.flush()
    return store


@dataclass(frozen=True)
class RotatedSecret:
    """A new webhook secret, shown only this once, and until when the old one still signs."""

    store: Store
    webhook_secret: str
    previous_secret_expires_at: dt.datetime | None


def rotate_webhook_secret(
    session: Session,
    ctx: Context,
    store_id: uuid.UUID,
    *,
    grace_hours: int = DEFAULT_GRACE_HOURS,
) -> RotatedSecret:
    """Gives the store a new webhook secret; the current one keeps signing beside it for
    `grace_hours` (0: stops at once), so the store can deploy the new one without failing
    a delivery. A second rotation within the grace period drops the oldest secret."""
    if not 0 <= grace_hours <= MAX_GRACE_HOURS:
        raise InvalidInput({"grace_hours": [f"Between 0 and {MAX_GRACE_HOURS} hours."]})
    store = _store_for_update(session, ctx, store_id)
    expires_at = ctx.now + dt.timedelta(hours=grace_hours) if grace_hours else None
    store.previous_webhook_secret = store.webhook_secret if expires_at else None
    store.previous_secret_expires_at = expires_at
    store.webhook_secret = secrets.new_webhook_secret()
    _record(
        session,
        ctx,
        store,
        "store.webhook_secret_rotated",
        after={
            "grace_hours": grace_hours,
            "previous_secret_expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    session.flush()
    return RotatedSecret(store, store.webhook_secret, expires_at)


# --- use cases: each one transaction of its own, for the API views and the CLI -------------------


@unit_of_work
def add_store(session: Session, ctx: Context, settings: Settings, **fields) -> NewStore:
    """Creates a store from `create_store`'s fields, its webhook URL checked as the settings
    allow."""
    return create_store(
        session,
        ctx,
        **fields,
        webhook_allow_private=settings.webhook_allow_private,
        webhook_allow_loopback=settings.webhook_allow_loopback,
    )


@unit_of_work
def reissue_api_key(session: Session, ctx: Context, store_id: uuid.UUID) -> NewStore:
    """Issues the store a new API key and revokes its old ones (`replace_api_keys`)."""
    return replace_api_keys(session, ctx, store_id)


@unit_of_work
def change_webhook_url(
    session: Session,
    ctx: Context,
    settings: Settings,
    store_id: uuid.UUID,
    webhook_url: str | None,
) -> Store:
    """Points the store's webhooks at `webhook_url` (`set_webhook_url`), checked as the
    settings allow."""
    return set_webhook_url(
        session,
        ctx,
        store_id,
        webhook_url,
        webhook_allow_private=settings.webhook_allow_private,
        webhook_allow_loopback=settings.webhook_allow_loopback,
    )


@unit_of_work
def rotate_secret(
    session: Session, ctx: Context, store_id: uuid.UUID, *, grace_hours: int = DEFAULT_GRACE_HOURS
) -> RotatedSecret:
    """Gives the store a new webhook secret (`rotate_webhook_secret`)."""
    return rotate_webhook_secret(session, ctx, store_id, grace_hours=grace_hours)
