"""event delivery: webhook delivery state per event

Revision ID: 0003_event_delivery
Revises: 0002_events_outbox
Create Date: 2026-11-22 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import warehouse.db

revision: str = "0003_event_delivery"
down_revision: str | None = "0002_events_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_deliveries",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=True),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_attempted_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_attempted_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("delivered_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dead_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lock_token", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_deliveries_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_event_deliveries_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_event_deliveries_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_deliveries")),
    )
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_deliveries_due", ["status", "next_attempt_at", "event_id"], unique=False
        )
        batch_op.create_index("ix_event_deliveries_return", ["return_id", "sequence"], unique=False)

    # Events written before this revision are queued too (feed-only for stores without a
    # webhook URL), so upgrading never leaves a store untold.
    op.execute(
        """
        INSERT INTO event_deliveries
            (event_id, store_id, return_id, sequence, status, attempts, next_attempt_at)
        SELECT e.id, e.store_id, e.return_id, e.sequence,
               CASE WHEN s.webhook_url IS NULL THEN 'skipped' ELSE 'pending' END,
               0, e.created_at
        FROM events e JOIN stores s ON s.id = e.store_id
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_event_deliveries_return")
        batch_op.drop_index("ix_event_deliveries_due")

    op.drop_table("event_deliveries")
