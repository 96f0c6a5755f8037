"""Supervisors: webhooks given up on (dead letters), their delivery logs, and replay through
the same event services as `POST /api/v1/events/{id}/replay` and `warehouse events replay`."""

from __future__ import annotations

import json
import uuid

from flask import current_app, redirect, request, url_for

from warehouse import api
from warehouse.auth.roles import Permission
from warehouse.errors import DomainError, InvalidInput, NotFound
from warehouse.events import queries as event_queries
from warehouse.events import services as events
from warehouse.events.models import Event, EventDelivery
from warehouse.reports import dashboard
from warehouse.texts import Text
from warehouse.ui import i18n
from warehouse.ui.web import banner, bp, error_banner, render, requires

PAGE = 100


def _store_filter() -> uuid.UUID | None:
    raw = request.values.get("store_id", "")
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput({"store_id": ["Not a store id."]}, detail="Not a store id.") from None


@bp.get("/ui/deadletters")
@requires(Permission.SUPERVISE)
def deadletters():
    """Stores whose webhooks are failing now, then dead letters oldest first (of one store,
    or all), with each store's count."""
    db = api.session()
    store_id = _store_filter()
    after = request.args.get("after") or None
    items, position = event_queries.dead_letters(
        db, store_id=store_id, after={"id": after} if after else None, limit=PAGE
    )
    per_store = event_queries.dead_letters_per_store(db)
    names = {sid: name for sid, name, _ in per_store}
    rmas = event_queries.rma_numbers(db, {d.return_id for d in items if d.return_id})
    return render(
        "deadletters.html",
        items=items,
        names=names,
        rmas=rmas,
        per_store=per_store,
        store_id=store_id,
        next_after=position["id"] if position else None,
        zone=current_app.config["WAREHOUSE_TIMEZONE"],
        failing_webhooks=dashboard.failing_webhooks(db),
    )


@bp.get("/ui/deadletters/<event_id>")
@requires(Permission.SUPERVISE)
def deadletter(event_id: str):
    """One event's webhook: where it stands, the last error, every attempt, the payload."""
    db = api.session()
    eid = api.parse_id(event_id, "event")
    delivery = db.get(EventDelivery, eid)
    if delivery is None:
        raise NotFound(Text("No such event."))
    event = db.get_one(Event, eid)
    return render(
        "deadletter.html",
        delivery=delivery,
        event=event,
        store_name=event_queries.store_name(db, delivery.store_id),
        rma=event_queries.rma_numbers(db, {event.return_id}).get(event.return_id),
        attempts=event_queries.delivery_attempts(db, eid),
        payload=json.dumps(event.data, ensure_ascii=False, indent=2, sort_keys=True),
        zone=current_app.config["WAREHOUSE_TIMEZONE"],
    )


@bp.post("/ui/deadletters/<event_id>/replay")
@requires(Permission.SUPERVISE)
def replay_one(event_id: str):
    """Queues one dead letter again, now."""
    eid = api.parse_id(event_id, "event")
    try:
        events.replay_webhook(api.session(), api.context(), eid)
    except DomainError as exc:
        error_banner(exc)
        return redirect(url_for("ui.deadletter", event_id=eid), code=303)
    banner("ok", i18n.gettext("Queued again; it is sent within a minute."))
    return redirect(url_for("ui.deadletters"), code=303)


@bp.post("/ui/deadletters/replay")
@requires(Permission.SUPERVISE)
def replay_store():
    """Queues every dead letter of one store again (a store's endpoint is fixed)."""
    ctx = api.context()
    try:
        store_id = _store_filter()
        if store_id is None:
            raise InvalidInput({"store_id": ["Required."]}, detail="Choose a store.")
        count = events.replay_dead_webhooks(api.session(), ctx, store_id=store_id)
    except DomainError as exc:
        error_banner(exc)
    else:
        banner("ok", i18n.gettext("{count} queued again.", count=count))
    return redirect(url_for("ui.deadletters"), code=303)
