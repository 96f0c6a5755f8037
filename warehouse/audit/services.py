"""Writing audit rows, always inside the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from warehouse.audit.models import AuditEntry
from warehouse.context import Context


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
) -> AuditEntry:
    """Adds an audit row to the session; it commits (or not) with the change it describes."""
    entry = AuditEntry(
        at=ctx.now,
        actor_kind=ctx.actor.kind,
        actor_id=ctx.actor.id,
        actor_label=ctx.actor.label,
        terminal_id=ctx.terminal_id,
        store_id=store_id if store_id is not None else ctx.actor.store_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
