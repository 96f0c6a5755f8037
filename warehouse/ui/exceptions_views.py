"""Supervisors: the exception queue, returns search and a return's timeline."""

from __future__ import annotations

import uuid

from flask import redirect, request, url_for
from sqlalchemy import or_, select

import scanners
from warehouse import api
from warehouse.audit.models import AuditEntry
from warehouse.auth.roles import Permission
from warehouse.db import run_in_transaction
from warehouse.events.models import Event, EventDelivery
from warehouse.inspection.models import Inspection
from warehouse.problems import DomainError, InvalidInput
from warehouse.receiving import exceptions as queue
from warehouse.receiving.models import ParcelReturn, ReceivingException, Scan, Unit
from warehouse.returns import services as return_services
from warehouse.returns.models import Return, ReturnIdentifier
from warehouse.returns.rules import identifier_key, identifier_variants
from warehouse.stores.models import Store
from warehouse.ui import i18n
from warehouse.ui.web import banner, bp, error_banner, render, requires

QUEUE_PAGE = 100
RESOLVE_ACTIONS = ("match", "accept", "reject", "return_to_buyer")


@bp.get("/ui/exceptions")
@requires(Permission.SUPERVISE)
def exceptions():
    """The open exception queue, oldest first."""
    page, _next = queue.list_exceptions(
        api.session(),
        api.context(),
        status="open",
        kind=None,
        parcel_id=None,
        return_id=None,
        limit=QUEUE_PAGE,
        after=None,
    )
    return render(
        "exceptions.html",
        items=[queue.exception_brief(e) for e in page],
        actions=RESOLVE_ACTIONS,
    )


@bp.post("/ui/exceptions/<exception_id>/claim")
@requires(Permission.SUPERVISE)
def claim(exception_id: str):
    eid = api.parse_id(exception_id, "exception")
    ctx = api.context()
    try:
        run_in_transaction(api.session(), lambda db: queue.claim(db, ctx, eid))
    except DomainError as exc:
        error_banner(exc)
    else:
        banner("ok", i18n.gettext("Claimed."))
    return redirect(url_for("ui.exceptions"), code=303)


@bp.post("/ui/exceptions/<exception_id>/resolve")
@requires(Permission.SUPERVISE)
def resolve(exception_id: str):
    """Resolves with an action and a note; `match` names the return by a scanned RMA."""
    eid = api.parse_id(exception_id, "exception")
    ctx = api.context()
    action = request.form.get("action", "")
    note = request.form.get("note", "").strip()
    try:
        if action not in RESOLVE_ACTIONS:
            raise InvalidInput({"action": [f"One of: {', '.join(RESOLVE_ACTIONS)}."]})
        if not note:
            raise InvalidInput({"note": ["A note is required."]}, detail="A note is required.")
        return_id = None
        if action == "match":
            ret = _find_return(api.session(), request.form.get("rma", ""))
            if ret is None:
                raise InvalidInput(
                    {"rma": ["No return with that identifier."]},
                    detail="No return with that identifier.",
                )
            return_id = ret.id
        run_in_transaction(
            api.session(),
            lambda db: queue.resolve(db, ctx, eid, action=action, note=note, return_id=return_id),
        )
    except DomainError as exc:
        error_banner(exc)
    else:
        banner("ok", i18n.gettext("Resolved."))
    return redirect(url_for("ui.exceptions"), code=303)


@bp.get("/ui/returns")
@requires(Permission.SUPERVISE)
def returns():
    """Finds a return by any identifier: RMA, order id, external id, tracking or LPN."""
    q = request.args.get("q", "").strip()
    if q:
        ret = _find_return(api.session(), q)
        if ret is not None:
            return redirect(url_for("ui.return_timeline", return_id=ret.id))
        banner("error", i18n.gettext("No return with that identifier."))
    return render("returns.html", q=q)


@bp.get("/ui/returns/<return_id>")
@requires(Permission.SUPERVISE)
def return_timeline(return_id: str):
    """Everything that happened to a return: scans, units, inspections, audit and events."""
    rid = api.parse_id(return_id, "return")
    db = api.session()
    ret = return_services.get_return(db, api.context(), rid)
    store_name = db.scalar(select(Store.name).where(Store.id == ret.store_id))
    units = list(db.scalars(select(Unit).where(Unit.return_id == rid).order_by(Unit.created_at)))
    parcel_ids = list(
        db.scalars(select(ParcelReturn.parcel_id).where(ParcelReturn.return_id == rid))
    )
    exception_ids = [
        str(i)
        for i in db.scalars(
            select(ReceivingException.id).where(ReceivingException.return_id == rid)
        )
    ]
    objects = [
        (AuditEntry.object_type == "return") & (AuditEntry.object_id == str(rid)),
        (AuditEntry.object_type == "unit") & AuditEntry.object_id.in_([u.lpn for u in units]),
        (AuditEntry.object_type == "parcel")
        & AuditEntry.object_id.in_([str(p) for p in parcel_ids]),
        (AuditEntry.object_type == "exception") & AuditEntry.object_id.in_(exception_ids),
    ]
    timeline = [
        (a.at, a.actor_label, a.action, a.object_id, a.after or {})
        for a in db.scalars(select(AuditEntry).where(or_(*objects)))
    ]
    timeline += [
        (s.scanned_at, s.actor_label, f"scan.{s.scan_type}", s.raw_code, {})
        for s in db.scalars(select(Scan).where(Scan.parcel_id.in_(parcel_ids)))
    ]
    timeline.sort(key=lambda row: row[0])
    inspections = list(
        db.scalars(
            select(Inspection).where(Inspection.return_id == rid).order_by(Inspection.created_at)
        )
    )
    events = list(
        db.execute(
            select(Event, EventDelivery)
            .outerjoin(EventDelivery, EventDelivery.event_id == Event.id)
            .where(Event.return_id == rid)
            .order_by(Event.sequence)
        )
    )
    return render(
        "timeline.html",
        ret=ret,
        store_name=store_name,
        units=units,
        inspections=inspections,
        events=events,
        timeline=timeline,
    )


def _find_return(db, text: str) -> Return | None:
    """The return a typed or scanned identifier names (an LPN names its unit's return)."""
    text = text.strip()
    if not text:
        return None
    scan = scanners.parse(text)
    if scan.kind == "lpn":
        return_id = db.scalar(select(Unit.return_id).where(Unit.lpn == scan.value))
        return db.get(Return, return_id) if return_id else None
    keys = set(identifier_variants(identifier_key(scan.value)))
    keys.update(identifier_variants(identifier_key(text)))
    return_id = db.scalar(
        select(ReturnIdentifier.return_id)
        .where(ReturnIdentifier.value.in_(keys))
        .order_by(ReturnIdentifier.id)
        .limit(1)
    )
    return db.get(Return, uuid.UUID(str(return_id))) if return_id else None
