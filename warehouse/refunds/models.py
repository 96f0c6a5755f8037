"""Refund tables: one refund request per decision, and the units (slots) it covers."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.db import Base, JSONType, UTCDateTime, serial_pk, uuid_pk


class Refund(Base):
    """What the store was asked to do for a return: refund an amount, or ship an exchange."""

    __tablename__ = "refunds"

    id: Mapped[uuid.UUID] = uuid_pk()
    return_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("returns.id"), index=True)
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: refund or exchange
    kind: Mapped[str] = mapped_column(String(16))
    #: express (at the parcel scan) or after_inspection
    mode: Mapped[str] = mapped_column(String(24))
    #: requested · confirmed · failed
    status: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    #: The lines as the event carried them (line_id, quantity, amount, deduction, reason).
    lines: Mapped[list] = mapped_column(JSONType)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    #: The store's own refund id, from its confirmation.
    store_refund_id: Mapped[str | None] = mapped_column(String(64))
    confirmed_amount: Mapped[int | None] = mapped_column(BigInteger)
    #: How often the request was sent again after the store reported a failure.
    retries: Mapped[int] = mapped_column(Integer, default=0)

    units: Mapped[list[RefundUnit]] = relationship(back_populates="refund")


class RefundUnit(Base):
    """One unit's share of a refund. The unique (line, slot) is the "one refund per unit"."""

    __tablename__ = "refund_units"
    __table_args__ = (UniqueConstraint("return_line_id", "slot"),)

    id: Mapped[int] = serial_pk()
    refund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("refunds.id"), index=True)
    return_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("return_lines.id"))
    #: The n-th unit of the line (0-based).
    slot: Mapped[int] = mapped_column(Integer)
    #: The unit, once it exists (an express refund comes before any unit is scanned).
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"))

    refund: Mapped[Refund] = relationship(back_populates="units")
