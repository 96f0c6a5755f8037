"""inspection and disposition: checklists and versions, photos, inspections, unit states,
deduction policies, bins, dispositions, refurbishments, unit locations

Revision ID: 0005_inspection
Revises: 0004_receiving
Create Date: 2026-11-22 02:27:56.533719
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import warehouse.db

revision: str = "0005_inspection"
down_revision: str | None = "0004_receiving"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=21), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bins")),
        sa.UniqueConstraint("code", name=op.f("uq_bins_code")),
    )
    op.create_table(
        "checklists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklists")),
        sa.UniqueConstraint("category", name=op.f("uq_checklists_category")),
    )
    op.create_table(
        "checklist_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("checklist_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_checklist_versions_checklist_id_checklists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_versions")),
        sa.UniqueConstraint(
            "checklist_id", "version", name=op.f("uq_checklist_versions_checklist_id_version")
        ),
    )
    op.create_table(
        "deduction_policies",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("max_percent", sa.Integer(), nullable=False),
        sa.Column("updated_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_deduction_policies_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_deduction_policies")),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("checklist_version_id", sa.Uuid(), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "photo_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("buyer_fault", sa.Boolean(), nullable=False),
        sa.Column("liability", sa.String(length=16), nullable=False),
        sa.Column("recommended_disposition", sa.String(length=24), nullable=False),
        sa.Column("deduction_amount", sa.BigInteger(), nullable=False),
        sa.Column("deduction_percent", sa.Integer(), nullable=False),
        sa.Column("deduction_reason", sa.String(length=500), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reject", sa.Boolean(), nullable=False),
        sa.Column("reject_reason", sa.String(length=32), nullable=True),
        sa.Column("no_resale", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("inspected_by", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checklist_version_id"],
            ["checklist_versions.id"],
            name=op.f("fk_inspections_checklist_version_id_checklist_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_inspections_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_inspections_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
        sa.UniqueConstraint("unit_id", "sequence", name=op.f("uq_inspections_unit_id_sequence")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_return_id"), ["return_id"], unique=False)

    op.create_table(
        "photos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("thumbnail_name", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_photos_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photos_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "unit_locations",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("bin_id", sa.Uuid(), nullable=False),
        sa.Column("placed_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["bins.id"], name=op.f("fk_unit_locations_bin_id_bins")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_locations_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_unit_locations")),
    )
    with op.batch_alter_table("unit_locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_locations_bin_id"), ["bin_id"], unique=False)

    op.create_table(
        "dispositions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=24), nullable=False),
        sa.Column("recommended", sa.String(length=24), nullable=False),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("bin_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bin_id"], ["bins.id"], name=op.f("fk_dispositions_bin_id_bins")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_dispositions_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_dispositions_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_dispositions_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispositions")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_dispositions_unit_id")),
    )
    with op.batch_alter_table("dispositions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispositions_return_id"), ["return_id"], unique=False)

    op.create_table(
        "unit_states",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("inspection_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_unit_states_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_unit_states_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_states_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_unit_states")),
    )
    with op.batch_alter_table("unit_states", schema=None) as batch_op:
        batch_op.create_index("ix_unit_states_return", ["return_id", "state"], unique=False)

    op.create_table(
        "refurbishments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("disposition_id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "notes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("opened_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("scrap_reason", sa.String(length=32), nullable=True),
        sa.Column("bin_id", sa.Uuid(), nullable=True),
        sa.Column("completed_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["bin_id"], ["bins.id"], name=op.f("fk_refurbishments_bin_id_bins")
        ),
        sa.ForeignKeyConstraint(
            ["disposition_id"],
            ["dispositions.id"],
            name=op.f("fk_refurbishments_disposition_id_dispositions"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_refurbishments_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_refurbishments_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refurbishments")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_refurbishments_unit_id")),
    )
    with op.batch_alter_table("refurbishments", schema=None) as batch_op:
        batch_op.create_index("ix_refurbishments_queue", ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refurbishments", schema=None) as batch_op:
        batch_op.drop_index("ix_refurbishments_queue")

    op.drop_table("refurbishments")
    with op.batch_alter_table("unit_states", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_states_return")

    op.drop_table("unit_states")
    with op.batch_alter_table("dispositions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispositions_return_id"))

    op.drop_table("dispositions")
    with op.batch_alter_table("unit_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_locations_bin_id"))

    op.drop_table("unit_locations")
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photos_unit_id"))

    op.drop_table("photos")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_return_id"))

    op.drop_table("inspections")
    op.drop_table("deduction_policies")
    op.drop_table("checklist_versions")
    op.drop_table("checklists")
    op.drop_table("bins")
