"""A return's whole story in time order, for a supervisor settling a dispute (有记录可循):
every scan, audit entry (who did what, from which terminal), inspection with its photos,
refund request, event sent to the store and each webhook attempt from the delivery log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warehouse.audit.models import AuditEntry
from warehouse.events.models import Event, EventDelivery
from warehouse.events.queries import attempts_by_event
from warehouse.inspection.models import Inspection
from warehouse.inspection.units import states_of
from warehouse.receiving.models import ParcelReturn, ReceivingException, Scan, Unit
from warehouse.refunds.models import Refund
from warehouse.returns.models import Return

#: Audit actions shown with the inspection they record (its findings and photos).
INSPECTION_ACTIONS = frozenset({"unit.inspected", "unit.reinspected"})
#: Among entries of the same instant (one transaction), the order things happen in: the scan,
#: then what it changed, then the refund and the events it caused, then their webhooks.
SCAN, CHANGE, REFUND, EVENT, ATTEMPT = range(5)


@dataclass(frozen=True)
class Entry:
    """One thing that happened: when, who (or which system), what (a code such as
    `scan.item`, `unit.disposed`, `webhook.attempt`), about which object, and its details."""

    at: dt.datetime
    who: str
    what: str
    subject: str = ""
    details: dict = field(default_factory=dict)
    photo_ids: tuple[str, ...] = ()
    #: ok · warn · error: how the entry is coloured (a failed webhook, a rejection).
    tone: str = ""
    #: Sorts entries of the same instant: (one of SCAN … ATTEMPT, position within it).
    rank: tuple[int, int] = (CHANGE, 0)


@dataclass(frozen=True)
class Story:
    units: list[Unit]
    #: Each unit's state now (`warehouse.inspection.units.states_of`), by unit id.
    states: dict[uuid.UUID, str]
    entries: list[Entry]
    #: Each event's delivery state: event id → (status, attempts so far).
    deliveries: dict[uuid.UUID, EventDelivery]


def story(session: Session, ret: Return, language: str = "zh-CN") -> Story:
    """Everything recorded about `ret`, oldest first (ties keep a stable, sensible order);
    checklist labels in `language` where the checklist gives one."""
    units = list(
        session.scalars(select(Unit).where(Unit.return_id == ret.id).order_by(Unit.created_at))
    )
    lpn_of = {u.id: u.lpn for u in units}
    parcel_ids = list(
        session.scalars(select(ParcelReturn.parcel_id).where(ParcelReturn.return_id == ret.id))
    )
    exception_ids = [
        str(i)
        for i in session.scalars(
            select(ReceivingException.id).where(ReceivingException.return_id == ret.id)
        )
    ]
    inspections = _inspections(session, ret, lpn_of, language)
    entries = _audit(session, ret, units, parcel_ids, exception_ids, inspections)
    entries += _scans(session, parcel_ids)
    entries += _refunds(session, ret)
    event_entries, deliveries = _events(session, ret)
    entries += event_entries
    entries.sort(key=lambda e: (e.at, e.rank))
    states = {unit_id: state.value for unit_id, state in states_of(session, lpn_of).items()}
    return Story(units=units, states=states, entries=entries, deliveries=deliveries)


def _audit(session, ret, units, parcel_ids, exception_ids, inspections) -> list[Entry]:
    objects = [
        (AuditEntry.object_type == "return") & (AuditEntry.object_id == str(ret.id)),
        (AuditEntry.object_type == "unit") & AuditEntry.object_id.in_([u.lpn for u in units]),
        (AuditEntry.object_type == "parcel")
        & AuditEntry.object_id.in_([str(p) for p in parcel_ids]),
        (AuditEntry.object_type == "exception") & AuditEntry.object_id.in_(exception_ids),
    ]
    rows = session.scalars(select(AuditEntry).where(or_(*objects)).order_by(AuditEntry.id))
    entries = []
    for a in rows:
        inspection = inspections.get(str((a.after or {}).get("inspection_id")))
        if a.action in INSPECTION_ACTIONS and inspection is not None:
            entries.append(dataclasses.replace(inspection, rank=(CHANGE, a.id)))
            continue
        entries.append(
            Entry(
                at=a.at,
                who=a.actor_label + (f" @{a.terminal_id}" if a.terminal_id else ""),
                what=a.action,
                subject=a.object_id if a.object_type != "return" else "",
                details=_details(a.after or {}, ret.currency),
                tone="error" if a.action in ("return.rejected", "refund.failed") else "",
                rank=(CHANGE, a.id),
            )
        )
    return entries


def _scans(session, parcel_ids) -> list[Entry]:
    if not parcel_ids:
        return []
    rows = session.scalars(
        select(Scan).where(Scan.parcel_id.in_(parcel_ids)).order_by(Scan.received_at)
    )
    return [
        Entry(
            at=s.scanned_at,
            who=s.actor_label + (f" @{s.terminal_id}" if s.terminal_id else ""),
            what=f"scan.{s.scan_type}",
            subject=s.raw_code,
            details={"kind": s.parsed_kind},
            rank=(SCAN, n),
        )
        for n, s in enumerate(rows)
    ]


#: Audit details that are money, in minor units of the return's currency.
MONEY = frozenset({"amount", "total_amount", "deduction", "refund_amount", "unit_price"})


def _money(minor: int, currency: str) -> str:
    return f"{minor / 100:.2f} {currency}"


def _details(after: dict, currency: str) -> dict:
    """An audit entry's "after" as shown: empty values left out, money as money."""
    shown = {}
    for key, value in after.items():
        if value in (None, "", [], {}):
            continue
        if key in MONEY and isinstance(value, int) and not isinstance(value, bool):
            value = _money(value, currency)
        elif isinstance(value, list):
            value = [_details(v, currency) if isinstance(v, dict) else v for v in value]
        shown[key] = value
    return shown


def _inspections(session, ret, lpn_of, language) -> dict[str, Entry]:
    """Each inspection of the return's units as an entry, by inspection id."""
    rows = session.scalars(
        select(Inspection).where(Inspection.return_id == ret.id).order_by(Inspection.created_at)
    )
    entries = {}
    for i in rows:
        details = {
            "grade": i.grade,
            "liability": i.liability,
            "recommended_disposition": i.recommended_disposition,
            "deduction": _money(i.deduction_amount, i.currency) if i.deduction_amount else "",
            "reject_reason": i.reject_reason,
            "findings": "; ".join(_finding(f, language) for f in i.findings or []),
            "notes": i.notes,
        }
        entries[str(i.id)] = Entry(
            at=i.created_at,
            who=i.inspected_by + (f" @{i.terminal_id}" if i.terminal_id else ""),
            what="unit.reinspected" if i.sequence > 1 else "unit.inspected",
            subject=lpn_of.get(i.unit_id, ""),
            details={k: v for k, v in details.items() if v not in (None, "")},
            photo_ids=tuple(str(p) for p in i.photo_ids or []),
            tone="error" if i.reject else "",
        )
    return entries


def _finding(finding, language: str) -> str:
    """A finding's label in `language` (labels are text or {"zh-CN": …, "en": …})."""
    if not isinstance(finding, dict):
        return str(finding)
    label = finding.get("label") or finding.get("key") or ""
    if isinstance(label, dict):
        label = label.get(language) or next(iter(label.values()), "")
    answer = finding.get("answer")
    return f"{label}: {answer}" if answer not in (None, "", True, False) else str(label)


def _refunds(session, ret) -> list[Entry]:
    rows = session.scalars(select(Refund).where(Refund.return_id == ret.id))
    return [
        Entry(
            at=r.requested_at,
            who="",
            what=f"{r.kind}.requested",
            details={
                "mode": r.mode,
                "amount": _money(r.amount, r.currency),
                "status": r.status,
            },
            tone="error" if r.status == "failed" else "ok" if r.status == "confirmed" else "",
            rank=(REFUND, 0),
        )
        for r in rows
    ]


def _events(session, ret) -> tuple[list[Entry], dict]:
    rows = list(
        session.execute(
            select(Event, EventDelivery)
            .outerjoin(EventDelivery, EventDelivery.event_id == Event.id)
            .where(Event.return_id == ret.id)
            .order_by(Event.sequence)
        )
    )
    logs = attempts_by_event(session, [event.id for event, _ in rows])
    entries, deliveries = [], {}
    for event, delivery in rows:
        if delivery is not None:
            deliveries[event.id] = delivery
        entries.append(
            Entry(
                at=event.created_at,
                who="",
                what=event.type,
                subject=f"#{event.sequence}",
                details={"webhook": delivery.status} if delivery is not None else {},
                tone="error" if delivery is not None and delivery.status == "dead" else "",
                rank=(EVENT, event.sequence),
            )
        )
        for attempt in logs.get(event.id, []):
            ok = attempt.status_code is not None and 200 <= attempt.status_code < 300
            entries.append(
                Entry(
                    at=attempt.started_at,
                    who="",
                    what="webhook.attempt",
                    subject=f"{event.type} #{event.sequence}",
                    details={
                        "attempt": attempt.attempt,
                        "status": attempt.status_code,
                        "latency_ms": attempt.latency_ms,
                        "error": attempt.error,
                    },
                    tone="ok" if ok else "error",
                    rank=(ATTEMPT, attempt.attempt),
                )
            )
    return entries, deliveries
