"""Receiving tables: parcels, units (one per physical item, known by its LPN), scans, exceptions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.db import Base, JSONType, UTCDateTime, serial_pk, uuid_pk


class Parcel(Base):
    """One physical package at the dock, known by the code it was first scanned by.

    The unique `code` is what makes two terminals scanning the same new parcel at the same
    moment end up with one parcel: the second insert fails and that scan finds the first.
    """

    __tablename__ = "parcels"
    __table_args__ = (Index("ix_parcels_scanned_at", "scanned_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    #: What the scanner said the code was: tracking, rma, or unknown (order or external id).
    code_kind: Mapped[str] = mapped_column(String(16))
    carrier: Mapped[str | None] = mapped_column(String(32))
    #: matched (to at least one return) or unmatched (quarantined in the exception queue).
    match_status: Mapped[str] = mapped_column(String(16))
    #: open while items are being scanned, closed once the receiver says it is empty.
    state: Mapped[str] = mapped_column(String(16))
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    opened_by: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: When the terminal says it scanned the parcel (it may have been offline).
    scanned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))

    links: Mapped[list[ParcelReturn]] = relationship(
        back_populates="parcel", order_by="ParcelReturn.id"
    )


class ParcelReturn(Base):
    """A return whose items are in a parcel: a parcel may carry several returns of one buyer."""

    __tablename__ = "parcel_returns"
    __table_args__ = (UniqueConstraint("parcel_id", "return_id"),)

    id: Mapped[int] = serial_pk()
    parcel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parcels.id"))
    return_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("returns.id"), index=True)
    #: scan (matched by the code) or manual (a supervisor matched it).
    matched_by: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    parcel: Mapped[Parcel] = relationship(back_populates="links")


class Unit(Base):
    """One physical item taken out of a parcel, labelled with its LPN."""

    __tablename__ = "units"
    __table_args__ = (Index("ix_units_scanned_at", "scanned_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    lpn: Mapped[str] = mapped_column(String(20), unique=True)
    parcel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parcels.id"), index=True)
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"), index=True)
    return_line_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("return_lines.id"))
    store_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: received · damaged_in_transit · serial_mismatch · wrong_item · extra
    reception_status: Mapped[str] = mapped_column(String(24))
    scanned_code: Mapped[str] = mapped_column(String(200))
    gtin: Mapped[str | None] = mapped_column(String(14))
    sku: Mapped[str | None] = mapped_column(String(64))
    serial: Mapped[str | None] = mapped_column(String(64), index=True)
    received_by: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    scanned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Scan(Base):
    """Every accepted scan, keyed by the terminal's `scan_id`, with the answer it got.

    A terminal on flaky Wi-Fi retries: the same `scan_id` is answered from here, unchanged.
    """

    __tablename__ = "scans"
    __table_args__ = (Index("ix_scans_parcel", "parcel_id", "received_at"),)

    scan_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: parcel or item
    scan_type: Mapped[str] = mapped_column(String(16))
    raw_code: Mapped[str] = mapped_column(String(500))
    parsed_kind: Mapped[str] = mapped_column(String(16))
    parsed_value: Mapped[str] = mapped_column(String(500))
    parcel_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parcels.id"))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_label: Mapped[str] = mapped_column(String(200))
    terminal_id: Mapped[str | None] = mapped_column(String(64))
    scanned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: The exact answer the terminal got, replayed for a retried `scan_id`.
    result: Mapped[dict] = mapped_column(JSONType)


class ReceivingException(Base):
    """Something a person must resolve: unmatched parcel, short, extra, wrong item, …"""

    __tablename__ = "receiving_exceptions"
    __table_args__ = (Index("ix_receiving_exceptions_queue", "status", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(24))
    #: open · claimed · resolved
    status: Mapped[str] = mapped_column(String(16))
    parcel_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parcels.id"), index=True)
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"), index=True)
    return_line_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("return_lines.id"))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"))
    store_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The evidence: codes scanned, expected vs found, weight, counts.
    details: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(String(1000))
