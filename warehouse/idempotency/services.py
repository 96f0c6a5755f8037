"""Finding, keeping and pruning the answers to `Idempotency-Key`s (in the caller's
transaction: the edge keeps an answer in the transaction of the write it answers)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from warehouse.idempotency.models import KeptAnswer
from warehouse.idempotency.rules import Answer

Owner = tuple[str, uuid.UUID]


def find(session: Session, owner: Owner, key: str) -> tuple[str, Answer] | None:
    """The fingerprint and answer kept for `key` of `owner`, if any."""
    row = session.execute(
        select(
            KeptAnswer.fingerprint,
            KeptAnswer.status,
            KeptAnswer.content_type,
            KeptAnswer.body,
            KeptAnswer.headers,
            KeptAnswer.flashes,
        ).where(
            KeptAnswer.owner_kind == owner[0],
            KeptAnswer.owner_id == owner[1],
            KeptAnswer.key == key,
        )
    ).first()
    if row is None:
        return None
    return row.fingerprint, Answer(
        status=row.status,
        content_type=row.content_type,
        body=bytes(row.body),
        headers=dict(row.headers or {}),
        flashes=list(row.flashes or []),
    )


def keep(
    session: Session, owner: Owner, key: str, fingerprint: str, answer: Answer, now: dt.datetime
) -> bool:
    """Keeps `answer` for `key`; False when another request kept one for it first (on
    PostgreSQL this waits for that request's transaction to end, then finds its row)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(KeptAnswer)
        .values(
            owner_kind=owner[0],
            owner_id=owner[1],
            key=key,
            fingerprint=fingerprint,
            **asdict(answer),
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["owner_kind", "owner_id", "key"])
        .returning(KeptAnswer.id)
    )
    return session.execute(statement).scalar() is not None


def prune(session: Session, before: dt.datetime) -> int:
    """Forgets the answers kept before `before`; answers how many."""
    return session.execute(delete(KeptAnswer).where(KeptAnswer.created_at < before)).rowcount
