"""The answers kept for `Idempotency-Key`s on every floor write, per credential.

Revision ID: 0011_idempotency_answers
Revises: 0010_dashboard_indexes
Create Date: 2026-12-04 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import warehouse.db

revision: str = "0011_idempotency_answers"
down_revision: str | None = "0010_dashboard_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "idempotency_answers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("owner_kind", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("headers", JSON, nullable=False),
        sa.Column("flashes", JSON, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_answers")),
        sa.UniqueConstraint(
            "owner_kind",
            "owner_id",
            "key",
            name=op.f("uq_idempotency_answers_owner_kind_owner_id_key"),
        ),
    )
    op.create_index(
        op.f("ix_idempotency_answers_created_at"), "idempotency_answers", ["created_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_answers_created_at"), table_name="idempotency_answers")
    op.drop_table("idempotency_answers")
