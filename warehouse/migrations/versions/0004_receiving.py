"""receiving: parcels, units, scans, exceptions, reception counts

Revision ID: 0004_receiving
Revises: 0002_events_outbox
Create Date: 2026-11-22 02:16:48.309069
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # autogenerate writes JSONB(astext_type=sa.Text())
from sqlalchemy.dialects import postgresql

import warehouse.db

revision: str = "0004_receiving"
down_revision: str | None = "0002_events_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parcels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("code_kind", sa.String(length=16), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=True),
        sa.Column("match_status", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scanned_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcels")),
        sa.UniqueConstraint("code", name=op.f("uq_parcels_code")),
    )
    op.create_table(
        "parcel_returns",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("parcel_id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("matched_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["parcels.id"], name=op.f("fk_parcel_returns_parcel_id_parcels")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_parcel_returns_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel_returns")),
        sa.UniqueConstraint(
            "parcel_id", "return_id", name=op.f("uq_parcel_returns_parcel_id_return_id")
        ),
    )
    with op.batch_alter_table("parcel_returns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_parcel_returns_return_id"), ["return_id"], unique=False
        )

    op.create_table(
        "units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lpn", sa.String(length=20), nullable=False),
        sa.Column("parcel_id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("return_line_id", sa.Uuid(), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("reception_status", sa.String(length=24), nullable=False),
        sa.Column("scanned_code", sa.String(length=200), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("serial", sa.String(length=64), nullable=True),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scanned_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["parcels.id"], name=op.f("fk_units_parcel_id_parcels")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_units_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["return_line_id"],
            ["return_lines.id"],
            name=op.f("fk_units_return_line_id_return_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("lpn", name=op.f("uq_units_lpn")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_parcel_id"), ["parcel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_units_return_id"), ["return_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_units_serial"), ["serial"], unique=False)

    op.create_table(
        "receiving_exceptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parcel_id", sa.Uuid(), nullable=True),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("return_line_id", sa.Uuid(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=24), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["parcels.id"], name=op.f("fk_receiving_exceptions_parcel_id_parcels")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_receiving_exceptions_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["return_line_id"],
            ["return_lines.id"],
            name=op.f("fk_receiving_exceptions_return_line_id_return_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_receiving_exceptions_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receiving_exceptions")),
    )
    with op.batch_alter_table("receiving_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_receiving_exceptions_parcel_id"), ["parcel_id"], unique=False
        )
        batch_op.create_index(
            "ix_receiving_exceptions_queue", ["status", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_receiving_exceptions_return_id"), ["return_id"], unique=False
        )

    op.create_table(
        "scans",
        sa.Column("scan_id", sa.Uuid(), nullable=False),
        sa.Column("scan_type", sa.String(length=16), nullable=False),
        sa.Column("raw_code", sa.String(length=500), nullable=False),
        sa.Column("parsed_kind", sa.String(length=16), nullable=False),
        sa.Column("parsed_value", sa.String(length=500), nullable=False),
        sa.Column("parcel_id", sa.Uuid(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("scanned_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["parcels.id"], name=op.f("fk_scans_parcel_id_parcels")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_scans_unit_id_units")),
        sa.PrimaryKeyConstraint("scan_id", name=op.f("pk_scans")),
    )
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.create_index("ix_scans_parcel", ["parcel_id", "received_at"], unique=False)

    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("received_quantity", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("damaged_quantity", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("extra_quantity", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("short_quantity", sa.Integer(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reception_status", sa.String(length=24), server_default="awaiting", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("reception_status")

    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_column("short_quantity")
        batch_op.drop_column("extra_quantity")
        batch_op.drop_column("damaged_quantity")
        batch_op.drop_column("received_quantity")

    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_index("ix_scans_parcel")

    op.drop_table("scans")
    with op.batch_alter_table("receiving_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receiving_exceptions_return_id"))
        batch_op.drop_index("ix_receiving_exceptions_queue")
        batch_op.drop_index(batch_op.f("ix_receiving_exceptions_parcel_id"))

    op.drop_table("receiving_exceptions")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_serial"))
        batch_op.drop_index(batch_op.f("ix_units_return_id"))
        batch_op.drop_index(batch_op.f("ix_units_parcel_id"))

    op.drop_table("units")
    with op.batch_alter_table("parcel_returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parcel_returns_return_id"))

    op.drop_table("parcel_returns")
    op.drop_table("parcels")
