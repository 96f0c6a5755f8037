"""join event delivery and inspection

Revision ID: 0006_merge
Revises: 0003_event_delivery, 0005_inspection
Create Date: 2026-11-22 03:17:03.548164
"""

from collections.abc import Sequence

revision: str = "0006_merge"
down_revision: str | tuple[str, ...] | None = ("0003_event_delivery", "0005_inspection")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
