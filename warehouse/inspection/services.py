"""Inspection use cases: inspect (and re-inspect) a unit, read inspections, and each store's
deduction policy.

An inspection locks the unit and then its return, so that of two inspectors finishing the
last two units of one return at the same moment exactly one moves the return to
`inspected` and tells the store (`return.inspected`), in the same transaction.
"""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.audit.services import record
from warehouse.auth.roles import Permission, may
from warehouse.context import Context
from warehouse.db import new_id, unit_of_work
from warehouse.errors import Conflict, InvalidInput, NotFound
from warehouse.events.models import Event
from warehouse.events.outbox import append_event
from warehouse.events.types import EventType
from warehouse.inspection import checklists, photos, rules
from warehouse.inspection.lifecycle import Move, UnitState
from warehouse.inspection.models import (
    ChecklistVersion,
    DeductionPolicy,
    Inspection,
    UnitStatus,
)
from warehouse.inspection.queries import inspection_view, outcome_view
from warehouse.inspection.units import (
    find_unit,
    find_unit_for_change,
    next_state,
    record_unit,
    state_of,
)
from warehouse.receiving.models import Unit
from warehouse.returns import rules as return_rules
from warehouse.returns.models import Return, ReturnLine
from warehouse.stores.models import Store
from warehouse.texts import Text

DEFAULT_MAX_DEDUCTION_PERCENT = 100
#: Units of a return that must be inspected before it is: all but extras (not on the return).
NOT_COUNTED = ("extra",)


# --- inspecting ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Inspected:
    """What an inspection did: the inspection as the API shows it, and whether its return is
    now fully inspected for the first time (so its refund is to be decided)."""

    view: dict
    ret: Return
    fully_inspected: bool


def inspect_unit(
    session: Session,
    ctx: Context,
    lpn: str,
    *,
    answers: dict,
    checklist_id: uuid.UUID | None = None,
    version: int | None = None,
    photo_ids: list[str] | None = None,
    notes: str | None = None,
) -> Inspected:
    """Fills a checklist for a unit and records what it concludes; the unit becomes
    inspected. A unit inspected already is re-inspected only by a supervisor: a new row,
    the first kept. The last unit of a received return moves it to `inspected`. Answers the
    inspection as the API shows it, and whether its return is now fully inspected."""
    unit, status = find_unit_for_change(session, ctx, lpn)
    reinspection, after = _inspectable(ctx, unit, status)
    ret, line = session.execute(
        select(Return, ReturnLine)
        .outerjoin(ReturnLine, ReturnLine.id == unit.return_line_id)
        .where(Return.id == unit.return_id)
        .with_for_update(of=Return)
    ).one()

    version_row, checked, all_photos, assessment = _conclude(
        session, unit, ret, line, answers, checklist_id, version, photo_ids or []
    )
    inspection = Inspection(
        id=new_id(),
        unit_id=unit.id,
        sequence=_next_sequence(session, unit) if reinspection else 1,
        return_id=ret.id,
        store_id=unit.store_id,
        checklist_version_id=version_row.id,
        answers=checked,
        photo_ids=all_photos,
        notes=notes,
        inspected_by=ctx.actor.label[:64],
        terminal_id=ctx.terminal_id,
        created_at=ctx.now,
        **_outcome_columns(assessment),
    )
    session.add(inspection)
    before = {"state": state_of(status).value, "grade": status.grade if status else None}
    status = _mark_inspected(session, ctx, unit, status, inspection, after)
    record_unit(
        session,
        ctx,
        "unit.reinspected" if reinspection else "unit.inspected",
        unit,
        before=before,
        after={
            "state": after.value,
            "inspection_id": str(inspection.id),
            "checklist": f"{version_row.category} v{version_row.version}",
            "grade": inspection.grade,
            "liability": inspection.liability,
            "recommended_disposition": inspection.recommended_disposition,
            "deduction": inspection.deduction_amount,
            "reject": inspection.reject,
        },
    )
    fully_inspected = settle_return(session, ctx, ret, reinspection=reinspection)
    view = inspection_view(session, inspection, unit=unit, version=version_row, status=status)
    return Inspected(view, ret, fully_inspected)


def _inspectable(ctx: Context, unit: Unit, status: UnitStatus | None) -> tuple[bool, UnitState]:
    """Whether inspecting the unit now is a re-inspection, and the state it leaves the unit
    in; a 409 when the unit's state allows no inspection by this person, or it belongs to no
    return. A unit inspected already is re-inspected only by a supervisor."""
    reinspection = state_of(status) == UnitState.INSPECTED
    if reinspection and not may(ctx.actor.role or "", Permission.SUPERVISE):
        raise Conflict(
            "The unit is inspected already; only a supervisor may re-inspect it.",
            unit_state=UnitState.INSPECTED.value,
        )
    after = next_state(status, Move.REINSPECT if reinspection else Move.INSPECT)
    if unit.return_id is None:
        raise Conflict("The unit belongs to no return; resolve its exception first.")
    return reinspection, after


def _next_sequence(session: Session, unit: Unit) -> int:
    """A re-inspection's place after the unit's inspections so far (the first is kept)."""
    latest = select(func.max(Inspection.sequence)).where(Inspection.unit_id == unit.id)
    return 1 + (session.scalar(latest) or 0)


def _outcome_columns(assessment: rules.Assessment) -> dict:
    """What the checklist's answers concluded, as an inspection row keeps it."""
    return {
        "findings": [f.to_dict() for f in assessment.findings],
        "grade": str(assessment.grade),
        "buyer_fault": assessment.buyer_fault,
        "liability": str(assessment.liability),
        "recommended_disposition": str(assessment.recommended_disposition),
        "deduction_amount": assessment.deduction.amount,
        "deduction_percent": assessment.deduction.percent,
        "deduction_reason": assessment.deduction.reason[:500],
        "currency": assessment.deduction.currency,
        "reject": assessment.reject,
        "reject_reason": str(assessment.reject_reason) if assessment.reject_reason else None,
        "no_resale": assessment.no_resale,
    }


def _mark_inspected(
    session: Session,
    ctx: Context,
    unit: Unit,
    status: UnitStatus | None,
    inspection: Inspection,
    after: UnitState,
) -> UnitStatus:
    """The unit's current state becomes `after`, with this inspection's grade."""
    if status is None:
        status = UnitStatus(unit_id=unit.id, return_id=unit.return_id, store_id=unit.store_id)
        session.add(status)
    status.state = after.value
    status.grade = inspection.grade
    status.inspection_id = inspection.id
    status.updated_at = ctx.now
    status.updated_by = ctx.actor.label[:64]
    session.flush()
    return status


def preview_inspection(
    session: Session,
    ctx: Context,
    lpn: str,
    *,
    answers: dict,
    version: int | None = None,
    photo_ids: list[str] | None = None,
) -> tuple[ChecklistVersion, rules.Assessment]:
    """What `inspect_unit` would conclude from these answers (grade, route, deduction,
    findings), after the same checks, writing and locking nothing: the floor shows it to the
    inspector before they confirm."""
    unit = find_unit(session, ctx, lpn)
    _inspectable(ctx, unit, session.get(UnitStatus, unit.id))
    ret = session.get_one(Return, unit.return_id)
    line = session.get(ReturnLine, unit.return_line_id) if unit.return_line_id else None
    version_row, _checked, _photos, assessment = _conclude(
        session, unit, ret, line, answers, None, version, photo_ids or []
    )
    return version_row, assessment


def _conclude(
    session: Session,
    unit: Unit,
    ret: Return,
    line: ReturnLine | None,
    answers: dict,
    checklist_id: uuid.UUID | None,
    version: int | None,
    photo_ids: list[str],
) -> tuple[ChecklistVersion, dict, list[str], rules.Assessment]:
    """The checklist, the checked answers and photos, and what they conclude (or the 422/409
    naming what is wrong): shared by the inspection and its preview."""
    version_row = _checklist_for(session, line, checklist_id, version)
    template = rules.build_template(version_row.items)
    try:
        checked = rules.check_answers(template, answers)
    except rules.AnswersInvalid as invalid:
        raise InvalidInput(invalid.errors) from None
    all_photos = _checked_photos(session, unit, template, checked, photo_ids)
    assessment = _assess(session, template, checked, unit, ret, line)
    if assessment.deduction.amount > 0 and not all_photos:
        raise InvalidInput(
            {"photo_ids": ["A deduction needs evidence: attach a photo of the damage."]}
        )
    return version_row, checked, all_photos, assessment


def _assess(
    session: Session,
    template: rules.Template,
    answers: dict,
    unit: Unit,
    ret: Return,
    line: ReturnLine | None,
) -> rules.Assessment:
    facts = rules.UnitFacts(
        reason=ret.reason,
        reception_status=unit.reception_status,
        unit_price=line.unit_price if line is not None else None,
        currency=ret.currency,
    )
    assessment = rules.assess(template, answers, facts)
    if assessment.deduction.percent > 0:
        # Only a unit that would be deducted needs the store's cap (most are not).
        limit = deduction_limit(session, ret.store_id)
        if limit < assessment.deduction.percent:
            facts = dataclasses.replace(facts, max_deduction_percent=limit)
            assessment = rules.assess(template, answers, facts)
    return assessment


def _checklist_for(
    session: Session, line: ReturnLine | None, checklist_id: uuid.UUID | None, version: int | None
) -> ChecklistVersion:
    """The checklist asked for, else the unit's category's (or the default one), at its
    current version; a terminal that says which version it showed gets a 409 if it is stale."""
    if checklist_id is not None:
        try:
            current = checklists.get_checklist(session, checklist_id)
        except NotFound:
            raise InvalidInput({"checklist_id": ["No such checklist."]}) from None
    else:
        category = line.category if line is not None else checklists.DEFAULT_CATEGORY
        found = checklists.checklist_for_category(session, category)
        if found is None:
            raise Conflict(
                Text(
                    "No checklist for {category!r} and no default checklist: a supervisor "
                    "creates one with POST /checklists.",
                    category=category,
                )
            )
        current = found
    if version is not None and version != current.version:
        raise Conflict(
            Text(
                "The checklist is at version {current} now, not {version}: reload it.",
                current=current.version,
                version=version,
            ),
            current_version=current.version,
        )
    return current


def _checked_photos(
    session: Session,
    unit: Unit,
    template: rules.Template,
    answers: dict,
    photo_ids: list[str],
) -> list[str]:
    """Every photo the inspection refers to, each checked to be a photo of this unit."""
    by_item = {
        item.key: answers[item.key]
        for item in template.items
        if item.type == rules.ItemType.PHOTO and item.key in answers
    }
    wanted = list(dict.fromkeys([*rules.photo_ids_in(template, answers), *photo_ids]))
    known = photos.photos_of_unit(session, unit.id, wanted)
    errors: dict[str, list[str]] = {}
    for key, ids in by_item.items():
        unknown = [i for i in ids if i not in known]
        if unknown:
            errors[f"answers.{key}"] = [f"Not a photo of this unit: {', '.join(unknown)}."]
    unknown = [i for i in photo_ids if i not in known]
    if unknown:
        errors["photo_ids"] = [f"Not a photo of this unit: {', '.join(unknown)}."]
    if errors:
        raise InvalidInput(errors)
    return wanted


def settle_return(session: Session, ctx: Context, ret: Return, *, reinspection: bool) -> bool:
    """Moves the return to inspected when its last unit is, and tells the store. Answers
    whether the return is now fully inspected for the first time: its refund is then
    decided (by the flow, in the same transaction)."""
    all_inspected = _all_units_inspected(session, ret)
    fully_received = ret.reception_status == "received"
    reported_before = all_inspected and fully_received and _reported_inspected(session, ret)
    before = ret.status
    after = return_rules.status_after_inspection(
        return_rules.ReturnStatus(ret.status), all_units_inspected=all_inspected
    )
    if after != before:
        ret.status = after.value
        ret.updated_at = ctx.now
        record(
            session,
            ctx,
            "return.inspected",
            "return",
            ret.id,
            store_id=ret.store_id,
            before={"status": before},
            after={"status": ret.status},
        )
    if rules.report_return_inspected(
        all_units_inspected=all_inspected,
        fully_received=fully_received,
        reported_before=reported_before,
        reinspection=reinspection,
    ):
        # A re-inspection reports the return again: `correction` says this report replaces
        # the earlier one, so a store counts each inspected return once.
        append_event(
            session,
            ctx,
            ret,
            EventType.RETURN_INSPECTED,
            correction=reported_before,
            **inspected_event_data(session, ret),
        )
        return not reported_before
    return False


def _all_units_inspected(session: Session, ret: Return) -> bool:
    """Whether every unit the return counts (extras aside) has been inspected."""
    uninspected = session.scalar(
        select(func.count())
        .select_from(Unit)
        .outerjoin(UnitStatus, UnitStatus.unit_id == Unit.id)
        .where(
            Unit.return_id == ret.id,
            Unit.reception_status.not_in(NOT_COUNTED),
            UnitStatus.unit_id.is_(None),
        )
    )
    return uninspected == 0


def _reported_inspected(session: Session, ret: Return) -> bool:
    """Whether the store has been told the return is inspected already."""
    reported = session.scalar(
        select(Event.id)
        .where(Event.return_id == ret.id, Event.type == str(EventType.RETURN_INSPECTED))
        .limit(1)
    )
    return reported is not None


def inspected_event_data(session: Session, ret: Return) -> dict:
    """`return.inspected` data: each unit's latest inspection with its findings and photos."""
    rows = session.execute(
        select(Unit, Inspection, ReturnLine)
        .join(UnitStatus, UnitStatus.unit_id == Unit.id)
        .join(Inspection, Inspection.id == UnitStatus.inspection_id)
        .outerjoin(ReturnLine, ReturnLine.id == Unit.return_line_id)
        .where(Unit.return_id == ret.id, Unit.reception_status.not_in(NOT_COUNTED))
        .order_by(Unit.created_at, Unit.lpn)
    ).all()
    units = []
    for unit, inspection, line in rows:
        version = session.get(ChecklistVersion, inspection.checklist_version_id)
        units.append(
            {
                "lpn": unit.lpn,
                "line_id": line.line_id if line is not None else None,
                "sku": unit.sku,
                "reception_status": unit.reception_status,
                **outcome_view(inspection),
                "findings": inspection.findings,
                "photos": [photos.photo_urls(i) for i in inspection.photo_ids],
                "inspection_id": str(inspection.id),
                "checklist": {"id": str(version.checklist_id), "version": version.version},
                "inspected_at": inspection.created_at.isoformat(),
            }
        )
    return {
        "units": units,
        "deduction_total": sum(u["deduction"]["amount"] for u in units),
        "currency": ret.currency,
        "reject": any(u["reject"] for u in units),
    }


# --- checklists ------------------------------------------------------------------------------

# A supervisor's edits of the checklists: each its own transaction.
create_checklist = unit_of_work(checklists.create_checklist)
update_checklist = unit_of_work(checklists.update_checklist)


# --- deduction policy ------------------------------------------------------------------------


def deduction_limit(session: Session, store_id: uuid.UUID) -> int:
    """The largest deduction the store allows, as a percentage of a unit's price."""
    limit = session.scalar(
        select(DeductionPolicy.max_percent).where(DeductionPolicy.store_id == store_id)
    )
    return DEFAULT_MAX_DEDUCTION_PERCENT if limit is None else limit


def _policy_store(session: Session, ctx: Context, store_id: uuid.UUID) -> Store:
    if ctx.store_scope is not None and store_id != ctx.store_scope:
        raise NotFound("No such store.")
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound("No such store.")
    return store


def get_deduction_policy(session: Session, ctx: Context, store_id: uuid.UUID) -> dict:
    store = _policy_store(session, ctx, store_id)
    return {"store_id": str(store.id), "max_percent": deduction_limit(session, store.id)}


@unit_of_work
def set_deduction_policy(
    session: Session, ctx: Context, store_id: uuid.UUID, *, max_percent: int
) -> dict:
    """Sets how much of a unit's price the store may deduct at most (0 turns deductions off)."""
    store = _policy_store(session, ctx, store_id)
    policy = session.get(DeductionPolicy, store.id, with_for_update=True)
    before = {"max_percent": policy.max_percent if policy else DEFAULT_MAX_DEDUCTION_PERCENT}
    if policy is None:
        policy = DeductionPolicy(store_id=store.id)
        session.add(policy)
    policy.max_percent = max_percent
    policy.updated_at = ctx.now
    policy.updated_by = ctx.actor.label[:64]
    record(
        session,
        ctx,
        "store.deduction_policy_set",
        "store",
        store.id,
        store_id=store.id,
        before=before,
        after={"max_percent": max_percent},
    )
    return {"store_id": str(store.id), "max_percent": max_percent}
