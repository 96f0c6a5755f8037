"""The answers kept for `Idempotency-Key`s."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from warehouse.db import Base, JSONType, UTCDateTime, serial_pk


class KeptAnswer(Base):
    """The first answer to a write sent with an `Idempotency-Key`, written in the same
    transaction as the write itself: a retry with the same key and request gets it back."""

    __tablename__ = "idempotency_answers"
    __table_args__ = (UniqueConstraint("owner_kind", "owner_id", "key"),)

    id: Mapped[int] = serial_pk()
    #: "store" (any API key of the store) or "staff" (any token of the staff member).
    owner_kind: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of method, path and body (rules.fingerprint).
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict] = mapped_column(JSONType)
    flashes: Mapped[list] = mapped_column(JSONType)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
