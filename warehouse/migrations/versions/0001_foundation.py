"""stores, staff, audit log and return requests

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-22 02:06:36.853022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import warehouse.db

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_object", ["object_type", "object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_store_id"), ["store_id"], unique=False)

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("badge_code", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("badge_code", name=op.f("uq_staff_users_badge_code")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "stores",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("webhook_url", sa.String(length=2000), nullable=True),
        sa.Column("webhook_secret", sa.String(length=100), nullable=False),
        sa.Column("express_refund_limit", sa.Integer(), nullable=False),
        sa.Column("decision_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
    )
    op.create_table(
        "returns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("rma_number", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reason_detail", sa.String(length=500), nullable=True),
        sa.Column("buyer_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_name", sa.String(length=100), nullable=True),
        sa.Column("buyer_phone", sa.String(length=32), nullable=True),
        sa.Column("express_refund", sa.Boolean(), nullable=False),
        sa.Column("exchange", sa.Boolean(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refund_id", sa.String(length=64), nullable=True),
        sa.Column("refund_amount", sa.BigInteger(), nullable=True),
        sa.Column("refund_confirmed_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_returns_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sa.UniqueConstraint("rma_number", name=op.f("uq_returns_rma_number")),
        sa.UniqueConstraint(
            "store_id", "external_id", name=op.f("uq_returns_store_id_external_id")
        ),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index("ix_returns_store_status", ["store_id", "status", "id"], unique=False)

    op.create_table(
        "staff_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_tokens_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_tokens_token_hash")),
    )
    with op.batch_alter_table("staff_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "store_api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", warehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_store_api_keys_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_store_api_keys_key_hash")),
    )
    with op.batch_alter_table("store_api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_store_api_keys_store_id"), ["store_id"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_idempotency_keys_return_id_returns")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_idempotency_keys_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("store_id", "key", name=op.f("uq_idempotency_keys_store_id_key")),
    )
    op.create_table(
        "return_identifiers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("created_at", warehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_return_identifiers_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_identifiers")),
        sa.UniqueConstraint(
            "return_id", "kind", "value", name=op.f("uq_return_identifiers_return_id_kind_value")
        ),
    )
    with op.batch_alter_table("return_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_return_identifiers_return_id"), ["return_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_return_identifiers_value"), ["value"], unique=False)

    op.create_table(
        "return_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column(
            "serial_numbers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_return_lines_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
        sa.UniqueConstraint("return_id", "line_id", name=op.f("uq_return_lines_return_id_line_id")),
    )
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_lines_return_id"), ["return_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_lines_return_id"))

    op.drop_table("return_lines")
    with op.batch_alter_table("return_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_identifiers_value"))
        batch_op.drop_index(batch_op.f("ix_return_identifiers_return_id"))

    op.drop_table("return_identifiers")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("store_api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_api_keys_store_id"))

    op.drop_table("store_api_keys")
    with op.batch_alter_table("staff_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_tokens_user_id"))

    op.drop_table("staff_tokens")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index("ix_returns_store_status")

    op.drop_table("returns")
    op.drop_table("stores")
    op.drop_table("staff_users")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_store_id"))
        batch_op.drop_index("ix_audit_log_object")

    op.drop_table("audit_log")
