"""Store tables."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.db import Base, UTCDateTime, uuid_pk

DEFAULT_EXPRESS_REFUND_LIMIT = 50_000
DEFAULT_DECISION_HOURS = 48


class Store(Base):
    """A merchant tenant. Its policy decides express refunds and decision deadlines."""

    __tablename__ = "stores"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    # Kept in clear: it keys the HMAC of every webhook, so it must be readable to sign.
    webhook_secret: Mapped[str] = mapped_column(String(100))
    #: The secret before the last rotation: it still signs (beside the new one) until
    #: `previous_secret_expires_at`, so a store can switch over without a failed delivery.
    previous_webhook_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Express refunds are allowed for returns worth up to this many minor units; 0 is off.
    express_refund_limit: Mapped[int] = mapped_column(Integer, default=DEFAULT_EXPRESS_REFUND_LIMIT)
    #: Hours the store has to decide after a return is received before platforms auto-refund.
    decision_hours: Mapped[int] = mapped_column(Integer, default=DEFAULT_DECISION_HOURS)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: The `sequence` of the store's latest event; the next event takes this plus one.
    event_sequence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    api_keys: Mapped[list[StoreApiKey]] = relationship(back_populates="store")


class StoreApiKey(Base):
    """An API key, stored as its SHA-256: the key itself is shown once, at creation."""

    __tablename__ = "store_api_keys"

    id: Mapped[uuid.UUID] = uuid_pk()
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the key, so a person can tell keys apart without the secret.
    key_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    store: Mapped[Store] = relationship(back_populates="api_keys")
