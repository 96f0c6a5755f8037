"""Inspection tables: checklist templates and their versions, photos, inspections, each unit's
state on the floor, and each store's deduction policy."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warehouse.db import Base, JSONType, UTCDateTime, uuid_pk


class Checklist(Base):
    """A checklist template for one product category ("default" for the rest).

    Its content lives in immutable versions; an edit adds a version and moves
    `current_version`, so every inspection keeps the version it was filled against.
    """

    __tablename__ = "checklists"

    id: Mapped[uuid.UUID] = uuid_pk()
    category: Mapped[str] = mapped_column(String(64), unique=True)
    current_version: Mapped[int] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ChecklistVersion(Base):
    """One version of a template, never changed once written."""

    __tablename__ = "checklist_versions"
    __table_args__ = (UniqueConstraint("checklist_id", "version"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    checklist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("checklists.id"))
    version: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    #: The items in canonical form (`warehouse.inspection.rules.Item.to_dict`).
    items: Mapped[list] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class Photo(Base):
    """A photo of a unit: the re-encoded image (upright, without EXIF) and its thumbnail,
    stored as files under the data directory; this row is written only once both exist."""

    __tablename__ = "photos"

    id: Mapped[uuid.UUID] = uuid_pk()
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), index=True)
    store_id: Mapped[uuid.UUID | None] = mapped_column()
    #: Paths relative to the photo directory.
    file_name: Mapped[str] = mapped_column(String(120))
    thumbnail_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Inspection(Base):
    """One filled checklist for one unit and what it concluded. A re-inspection (by a
    supervisor) adds a row with the next `sequence`; earlier rows are kept as they were."""

    __tablename__ = "inspections"
    __table_args__ = (
        UniqueConstraint("unit_id", "sequence"),
        Index("ix_inspections_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"))
    #: 1 for the first inspection, 2 for the first re-inspection, …
    sequence: Mapped[int] = mapped_column()
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"), index=True)
    store_id: Mapped[uuid.UUID | None] = mapped_column()
    checklist_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("checklist_versions.id"))
    answers: Mapped[dict] = mapped_column(JSONType)
    findings: Mapped[list] = mapped_column(JSONType)
    photo_ids: Mapped[list] = mapped_column(JSONType)
    grade: Mapped[str] = mapped_column(String(1))
    buyer_fault: Mapped[bool] = mapped_column()
    liability: Mapped[str] = mapped_column(String(16))
    recommended_disposition: Mapped[str] = mapped_column(String(24))
    #: In minor units of `currency` (the return's).
    deduction_amount: Mapped[int] = mapped_column(BigInteger)
    deduction_percent: Mapped[int] = mapped_column()
    deduction_reason: Mapped[str] = mapped_column(String(500))
    currency: Mapped[str] = mapped_column(String(3))
    reject: Mapped[bool] = mapped_column()
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    no_resale: Mapped[bool] = mapped_column()
    notes: Mapped[str | None] = mapped_column(String(2000))
    inspected_by: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class UnitStatus(Base):
    """Where a unit is in its life after check-in (`warehouse.inspection.lifecycle`).

    Written at its first inspection; a unit without a row is `received`.
    """

    __tablename__ = "unit_states"
    __table_args__ = (Index("ix_unit_states_return", "return_id", "state"),)

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), primary_key=True)
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"))
    store_id: Mapped[uuid.UUID | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(24))
    #: The current grade: the latest inspection's, or B after refurbishment.
    grade: Mapped[str | None] = mapped_column(String(1))
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("inspections.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class DeductionPolicy(Base):
    """A store's rule for deductions: at most this percentage of a unit's price (100 by
    default, 0 turns deductions off). A store without a row has the default."""

    __tablename__ = "deduction_policies"

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    max_percent: Mapped[int] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))
