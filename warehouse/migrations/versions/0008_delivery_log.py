"""The webhook delivery log (one row per attempt) and the previous webhook secret of a
store during a rotation's grace period.

Revision ID: 0008_delivery_log
Revises: 0007_refunds
Create Date: 2026-11-22 03:38:12.852435
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import warehouse.db

revision: str = "0008_delivery_log"
down_revision: str | None = "0007_refunds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_delivery_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("response_excerpt", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_delivery_attempts_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_delivery_attempts")),
    )
    with op.batch_alter_table("event_delivery_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_delivery_attempts_event", ["event_id", "started_at"], unique=False
        )

    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("previous_webhook_secret", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "previous_secret_expires_at", warehouse.db.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_column("previous_secret_expires_at")
        batch_op.drop_column("previous_webhook_secret")

    with op.batch_alter_table("event_delivery_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_event_delivery_attempts_event")

    op.drop_table("event_delivery_attempts")
