"""What holds undecided returns up, read for a page of them at once (a few queries, each
bounded by the returns asked about): feeds `reports.rules.steps_to_decide`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from warehouse.inspection.models import UnitStatus
from warehouse.queue.rules import OPEN_STATES
from warehouse.receiving.models import ReceivingException, Unit
from warehouse.reports.rules import Progress, steps_to_decide
from warehouse.returns.models import Return, ReturnLine
from warehouse.texts import Text


def progress(session: Session, return_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Progress]:
    """Each return's progress toward its decision, by return id."""
    ids = list(set(return_ids))
    if not ids:
        return {}
    states = dict(
        (rid, (status, refund))
        for rid, status, refund in session.execute(
            select(Return.id, Return.status, Return.refund_status).where(Return.id.in_(ids))
        )
    )
    quantities = {
        rid: (int(expected or 0), int(received or 0))
        for rid, expected, received in session.execute(
            select(
                ReturnLine.return_id,
                func.sum(ReturnLine.quantity),
                func.sum(ReturnLine.received_quantity),
            )
            .where(ReturnLine.return_id.in_(ids))
            .group_by(ReturnLine.return_id)
        )
    }
    uninspected = dict(
        session.execute(
            select(Unit.return_id, func.count())
            .outerjoin(UnitStatus, UnitStatus.unit_id == Unit.id)
            .where(
                Unit.return_id.in_(ids),
                or_(UnitStatus.unit_id.is_(None), UnitStatus.state == "received"),
            )
            .group_by(Unit.return_id)
        ).all()
    )
    exceptions: dict[uuid.UUID, dict[str, int]] = {}
    for rid, kind, n in session.execute(
        select(ReceivingException.return_id, ReceivingException.kind, func.count())
        .where(
            ReceivingException.return_id.in_(ids),
            ReceivingException.status.in_(OPEN_STATES),
        )
        .group_by(ReceivingException.return_id, ReceivingException.kind)
    ):
        exceptions.setdefault(rid, {})[kind] = n
    return {
        rid: Progress(
            status=status,
            refund_status=refund,
            units_expected=quantities.get(rid, (0, 0))[0],
            units_received=quantities.get(rid, (0, 0))[1],
            units_uninspected=uninspected.get(rid, 0),
            open_exceptions=exceptions.get(rid, {}),
        )
        for rid, (status, refund) in states.items()
    }


def steps(session: Session, return_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Text]]:
    """What each return needs before it is decided, by return id."""
    return {rid: steps_to_decide(p) for rid, p in progress(session, return_ids).items()}
