"""The outbox table: every event a store is told, written in the transaction that caused it."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from warehouse.db import Base, JSONType, UTCDateTime, new_id


class Event(Base):
    """One fact sent to one store, numbered by `sequence` (strictly increasing per store)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("store_id", "sequence"),
        Index("ix_events_return", "return_id", "sequence"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    sequence: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(48))
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(JSONType)
