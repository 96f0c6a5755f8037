"""Writing audit rows, always inside the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from warehouse.audit.models import AuditEntry
from warehouse.context import Context
from warehouse.db import defer_write, insert_rows

#: Audit rows of a transaction go in as one multi-row INSERT (see `warehouse.db`), in the
#: order they were recorded, so their ids keep that order.
_write_audit_rows = insert_rows(AuditEntry.__table__)


def record(
    session: Session,
    ctx: Context,
    action: str,
    object_type: str,
    object_id: Any,
    *,
    before: dict | None = None,
    after: dict | None = None,
    store_id: uuid.UUID | None = None,
) -> None:
    """Adds an audit row to the transaction; it commits (or not) with the change it describes."""
    defer_write(
        session,
        _write_audit_rows,
        {
            "at": ctx.now,
            "actor_kind": ctx.actor.kind,
            "actor_id": ctx.actor.id,
            "actor_label": ctx.actor.label,
            "terminal_id": ctx.terminal_id,
            "store_id": store_id if store_id is not None else ctx.actor.store_id,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "before": before,
            "after": after,
        },
    )


def record_return(session: Session, ctx: Context, action: str, ret, **change) -> None:
    """Audits a change of the return `ret` (`change`: its `before` and `after`, as `record`
    takes them), in the caller's transaction."""
    record(session, ctx, action, "return", ret.id, store_id=ret.store_id, **change)
