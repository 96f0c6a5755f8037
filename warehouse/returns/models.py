"""Return-request tables."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.db import Base, JSONType, UTCDateTime, serial_pk, uuid_pk
from warehouse.refunds.models import Refund

#: The statuses in which a received return still awaits the store's decision (kept equal to
#: `warehouse.returns.rules.AWAITING_DECISION`; a test checks).
AWAITING_DECISION_SQL = "status IN ('partially_received', 'received', 'inspected')"


class Return(Base):
    """One approved return request from one store."""

    __tablename__ = "returns"
    __table_args__ = (
        UniqueConstraint("store_id", "external_id"),
        Index("ix_returns_store_status", "store_id", "status", "id"),
        Index("ix_returns_store_buyer", "store_id", "buyer_id", "created_at"),
        Index("ix_returns_due", "due_at"),
        # The dashboard: returns created in a period, any store's returns of one buyer, and
        # the undecided returns by deadline (a partial index: decided returns keep their
        # due_at forever, and a deadline list must not walk past them).
        Index("ix_returns_created_at", "created_at"),
        Index("ix_returns_buyer", "buyer_id"),
        Index(
            "ix_returns_awaiting_due",
            "due_at",
            postgresql_where=text(AWAITING_DECISION_SQL),
            sqlite_where=text(AWAITING_DECISION_SQL),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    rma_number: Mapped[str] = mapped_column(String(20), unique=True)
    external_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    reason_detail: Mapped[str | None] = mapped_column(String(500))
    buyer_id: Mapped[str] = mapped_column(String(64))
    buyer_name: Mapped[str | None] = mapped_column(String(100))
    buyer_phone: Mapped[str | None] = mapped_column(String(32))
    express_refund: Mapped[bool] = mapped_column(Boolean, default=False)
    exchange: Mapped[bool] = mapped_column(Boolean, default=False)
    carrier: Mapped[str | None] = mapped_column(String(32))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    # "metadata" is taken by SQLAlchemy's declarative base; the column keeps the contract's name.
    store_metadata: Mapped[dict] = mapped_column("metadata", JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(24))
    #: awaiting · partially_received · received: what has physically arrived, kept apart from
    #: the decision and refund states.
    reception_status: Mapped[str] = mapped_column(
        String(24), default="awaiting", server_default="awaiting"
    )
    #: none · requested · confirmed · failed: the refund's own state, beside `status`.
    refund_status: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    #: Set once the decision deadline passed undecided (the store was told).
    deadline_passed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: When the store must have decided; platforms auto-refund after it.
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    refund_id: Mapped[str | None] = mapped_column(String(64))
    refund_amount: Mapped[int | None] = mapped_column(BigInteger)
    refund_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="return_", order_by="ReturnLine.position", cascade="all, delete-orphan"
    )
    #: What the store was asked to refund or exchange (loaded only when read).
    refund_requests: Mapped[list[Refund]] = relationship(
        "Refund", order_by="Refund.requested_at", viewonly=True
    )

    @property
    def total_amount(self) -> int:
        """What the buyer paid for everything on the return, in minor units."""
        return sum(line.quantity * line.unit_price for line in self.lines)


class ReturnLine(Base):
    """One order line the buyer is sending back: a SKU, how many, at what price."""

    __tablename__ = "return_lines"
    __table_args__ = (UniqueConstraint("return_id", "line_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    return_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("returns.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: The store's own id of the line.
    line_id: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64))
    gtin: Mapped[str | None] = mapped_column(String(14))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    #: Price paid per unit, in minor units of the return's currency.
    unit_price: Mapped[int] = mapped_column(BigInteger)
    serial_numbers: Mapped[list] = mapped_column(JSONType, default=list)
    # Reception counts, kept by check-in; remaining = quantity - received_quantity.
    received_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    damaged_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extra_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    short_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def remaining_quantity(self) -> int:
        return max(self.quantity - self.received_quantity, 0)

    return_: Mapped[Return] = relationship(back_populates="lines")


class ReturnIdentifier(Base):
    """Every code a parcel scan may carry for a return: RMA, order id, external id, tracking.

    One index on `value` answers "which return is this parcel?" in one lookup, however many
    returns are open.
    """

    __tablename__ = "return_identifiers"
    __table_args__ = (UniqueConstraint("return_id", "kind", "value"),)

    id: Mapped[int] = serial_pk()
    return_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("returns.id"), index=True)
    store_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """A store's `Idempotency-Key` on create: the same key and body answer the same return."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("store_id", "key"),)

    id: Mapped[int] = serial_pk()
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    key: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the request body in canonical form.
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    return_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("returns.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
