"""refunds, refund state and deadlines on returns

Revision ID: 0007_refunds
Revises: 0006_merge
Create Date: 2026-11-22 03:17:03.757730
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # autogenerate writes JSONB(astext_type=sa.Text())
from sqlalchemy.dialects import postgresql

import warehouse.db

revision: str = "0007_refunds"
down_revision: str | None = "0006_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "lines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("requested_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("store_refund_id", sa.String(length=64), nullable=True),
        sa.Column("confirmed_amount", sa.BigInteger(), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_refunds_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refunds_return_id"), ["return_id"], unique=False)

    op.create_table(
        "refund_units",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("refund_id", sa.Uuid(), nullable=False),
        sa.Column("return_line_id", sa.Uuid(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_refund_units_refund_id_refunds")
        ),
        sa.ForeignKeyConstraint(
            ["return_line_id"],
            ["return_lines.id"],
            name=op.f("fk_refund_units_return_line_id_return_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_refund_units_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_units")),
        sa.UniqueConstraint(
            "return_line_id", "slot", name=op.f("uq_refund_units_return_line_id_slot")
        ),
    )
    with op.batch_alter_table("refund_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_units_refund_id"), ["refund_id"], unique=False)

    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refund_status", sa.String(length=16), server_default="none", nullable=False)
        )
        batch_op.add_column(
            sa.Column("deadline_passed_at", warehouse.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_returns_due", ["due_at"], unique=False)
        batch_op.create_index(
            "ix_returns_store_buyer", ["store_id", "buyer_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index("ix_returns_store_buyer")
        batch_op.drop_index("ix_returns_due")
        batch_op.drop_column("deadline_passed_at")
        batch_op.drop_column("refund_status")

    with op.batch_alter_table("refund_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_units_refund_id"))

    op.drop_table("refund_units")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_return_id"))

    op.drop_table("refunds")
