"""Disposition tables: bins, each unit's disposition, refurbishment work orders, and which
bin each restocked unit sits in."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from warehouse.db import Base, JSONType, UTCDateTime, uuid_pk


class Bin(Base):
    """A storage location, known by its code (name + check character, as on its label)."""

    __tablename__ = "bins"

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(21), unique=True)
    description: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class Disposition(Base):
    """The route chosen for an inspected unit: one per unit (a second one is refused)."""

    __tablename__ = "dispositions"
    __table_args__ = (Index("ix_dispositions_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), unique=True)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"))
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"), index=True)
    store_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decision: Mapped[str] = mapped_column(String(24))
    recommended: Mapped[str] = mapped_column(String(24))
    #: A supervisor chose another route than the recommended one.
    override: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(1000))
    bin_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bins.id"))
    decided_by: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Refurbishment(Base):
    """A refurbishment work order: open until completed as restock (grade B) or scrap."""

    __tablename__ = "refurbishments"
    __table_args__ = (Index("ix_refurbishments_queue", "status", "id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), unique=True)
    disposition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dispositions.id"))
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"))
    store_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: open · done
    status: Mapped[str] = mapped_column(String(16))
    #: [{"at", "by", "text"}], oldest first.
    notes: Mapped[list] = mapped_column(JSONType)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(16))
    scrap_reason: Mapped[str | None] = mapped_column(String(32))
    bin_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bins.id"))
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(64))


class UnitLocation(Base):
    """The bin a restocked unit is in (what is in each bin, and where to find a unit)."""

    __tablename__ = "unit_locations"

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), primary_key=True)
    bin_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bins.id"), index=True)
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    placed_by: Mapped[str] = mapped_column(String(64))
