"""A staff user's chosen floor UI language.

Revision ID: 0009_staff_language
Revises: 0008_delivery_log
Create Date: 2026-11-22 05:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_staff_language"
down_revision: str | None = "0008_delivery_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("staff_users", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:  # SQLite drops columns by copying
        batch.drop_column("language")
