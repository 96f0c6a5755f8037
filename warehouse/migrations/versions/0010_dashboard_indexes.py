"""Indexes for the supervisor's dashboard: work per hour (parcels, units, inspections,
dispositions by time), returns by creation time and buyer, undecided returns by deadline.

Revision ID: 0010_dashboard_indexes
Revises: 0009_staff_language
Create Date: 2026-11-22 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_dashboard_indexes"
down_revision: str | None = "0009_staff_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWAITING_DECISION_SQL = "status IN ('partially_received', 'received', 'inspected')"

PLAIN = [
    ("ix_parcels_scanned_at", "parcels", "scanned_at"),
    ("ix_units_scanned_at", "units", "scanned_at"),
    ("ix_inspections_created_at", "inspections", "created_at"),
    ("ix_dispositions_created_at", "dispositions", "created_at"),
    ("ix_returns_created_at", "returns", "created_at"),
    ("ix_returns_buyer", "returns", "buyer_id"),
]


def upgrade() -> None:
    for name, table, column in PLAIN:
        op.create_index(name, table, [column])
    op.create_index(
        "ix_returns_awaiting_due",
        "returns",
        ["due_at"],
        postgresql_where=sa.text(AWAITING_DECISION_SQL),
        sqlite_where=sa.text(AWAITING_DECISION_SQL),
    )


def downgrade() -> None:
    op.drop_index("ix_returns_awaiting_due", table_name="returns")
    for name, table, _column in reversed(PLAIN):
        op.drop_index(name, table_name=table)
