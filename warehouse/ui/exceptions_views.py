"""Supervisors: the exception queue, returns search and a return's timeline (with photos)."""

from __future__ import annotations

import uuid

from flask import current_app, redirect, request, send_file, url_for
from sqlalchemy import select

import scanners
from warehouse import api, flow
from warehouse.auth.roles import Permission
from warehouse.errors import DomainError, InvalidInput
from warehouse.inspection import photos
from warehouse.inspection.views import PHOTO_MAX_AGE, photo_storage
from warehouse.queue import services as queue
from warehouse.receiving.models import Unit
from warehouse.reports import progress, timeline
from warehouse.returns import identifiers
from warehouse.returns import queries as return_queries
from warehouse.returns.models import Return, ReturnIdentifier
from warehouse.returns.rules import AWAITING_DECISION, identifier_key, identifier_variants
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
        api.session(), api.context(), status="open", limit=QUEUE_PAGE
    )
    # Each row offers only its kind's actions (queue.rules.QUEUE_ACTIONS), none chosen.
    return render("exceptions.html", items=[queue.exception_brief(e) for e in page])


@bp.post("/ui/exceptions/<exception_id>/claim")
@requires(Permission.SUPERVISE)
def claim(exception_id: str):
    eid = api.parse_id(exception_id, "exception")
    ctx = api.context()
    try:
        flow.claim_exception(api.session(), ctx, eid)
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
            raise InvalidInput(
                {"action": [f"One of: {', '.join(RESOLVE_ACTIONS)}."]}, detail="Choose an action"
            )
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
        flow.resolve_exception(
            api.session(), ctx, eid, action=action, note=note, return_id=return_id
        )
    except DomainError as exc:
        error_banner(exc)
    else:
        banner("ok", i18n.gettext("Resolved."))
    return redirect(url_for("ui.exceptions"), code=303)


#: Most returns a search lists (a buyer id may name many).
SEARCH_LIMIT = 100


@bp.get("/ui/returns")
@requires(Permission.SUPERVISE)
def returns():
    """Finds returns by any identifier: RMA, order id, external id, tracking number, LPN or
    buyer id. One hit opens its timeline; several are listed; none is a red banner."""
    q = request.args.get("q", "").strip()
    hits = []
    if q:
        hits = search_returns(api.session(), q)
        if len(hits) == 1:
            return redirect(url_for("ui.return_timeline", return_id=hits[0].id))
        if not hits:
            banner("error", i18n.gettext("No return with that identifier."))
    names = {}
    if hits:
        store_ids = {h.store_id for h in hits}
        names = dict(
            api.session().execute(select(Store.id, Store.name).where(Store.id.in_(store_ids))).all()
        )
    return render("returns.html", q=q, hits=hits, names=names, zone=_zone())


@bp.get("/ui/returns/<return_id>")
@requires(Permission.SUPERVISE)
def return_timeline(return_id: str):
    """Everything that happened to a return, in time order: scans, audit entries,
    inspections with photos, decisions, refunds, events and every webhook attempt."""
    rid = api.parse_id(return_id, "return")
    db = api.session()
    ret = return_queries.get_return(db, api.context(), rid)
    store_name = db.scalar(select(Store.name).where(Store.id == ret.store_id))
    found = timeline.story(db, ret, i18n.current())
    undecided = ret.status in AWAITING_DECISION
    return render(
        "timeline.html",
        to_decide=progress.steps(db, [ret.id]).get(ret.id, []) if undecided else [],
        ret=ret,
        store_name=store_name,
        units=found.units,
        states=found.states,
        entries=found.entries,
        zone=_zone(),
    )


@bp.get("/ui/returns/photos/<photo_id>")
@requires(Permission.VIEW)
def timeline_photo(photo_id: str):
    """A unit's photo, for staff signed in to the floor UI (the API's route wants a token)."""
    return _send_photo(photo_id, thumbnail=False)


@bp.get("/ui/returns/photos/<photo_id>/thumbnail")
@requires(Permission.VIEW)
def timeline_thumbnail(photo_id: str):
    return _send_photo(photo_id, thumbnail=True)


def _send_photo(photo_id: str, *, thumbnail: bool):
    photo = photos.get_photo(api.session(), api.context(), api.parse_id(photo_id, "photo"))
    stream = photos.open_photo_file(photo_storage(), photo, thumbnail=thumbnail)
    response = send_file(
        stream,
        mimetype=photo.content_type,
        etag=f"{photo.sha256}{'-t' if thumbnail else ''}",
        max_age=PHOTO_MAX_AGE,
        conditional=True,
    )
    response.headers["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE}, immutable"
    return response


def _zone():
    return current_app.config["WAREHOUSE_TIMEZONE"]


def search_returns(db, text: str, limit: int = SEARCH_LIMIT) -> list[Return]:
    """Every return `text` names, newest first: through its LPN, any indexed identifier
    (RMA, order id, external id, tracking number with or without the carrier prefix) or
    the buyer id. Staff search every store."""
    text = text.strip()
    if not text:
        return []
    scan = scanners.parse(text)
    found: set = set()
    if scan.kind == "lpn":
        found.update(db.scalars(select(Unit.return_id).where(Unit.lpn == scan.value)))
    keys = set(identifier_variants(identifier_key(scan.value)))
    keys.update(identifier_variants(identifier_key(text)))
    keys.discard("")
    if keys:
        found.update(
            db.scalars(
                select(ReturnIdentifier.return_id)
                .where(ReturnIdentifier.value.in_(keys))
                .limit(limit)
            )
        )
    found.update(db.scalars(select(Return.id).where(Return.buyer_id == text).limit(limit)))
    found.discard(None)
    if not found:
        return []
    return list(
        db.scalars(
            select(Return)
            .where(Return.id.in_(list(found)[:limit]))
            .order_by(Return.created_at.desc(), Return.id)
        )
    )


def _find_return(db, text: str) -> Return | None:
    """The one return a typed or scanned identifier names (an LPN names its unit's return);
    an identifier that names several is refused."""
    text = text.strip()
    if not text:
        return None
    # Read, and matched, as the dock reads a parcel's code (the match is of a parcel to its
    # return); an LPN reads the same in every context.
    scan = scanners.parse(text, context="parcel")
    if scan.kind == "lpn":
        return_id = db.scalar(select(Unit.return_id).where(Unit.lpn == scan.value))
        return db.get(Return, return_id) if return_id else None
    found = set(db.scalars(identifiers.returns_named(scan).limit(50)))
    if len(found) > 1:
        # Never guess: the first of two stores' returns with one tracking number may be the
        # wrong store's, and the parcel would show up on it.
        raise InvalidInput(
            {"rma": ["That identifier names several returns."]},
            detail="That identifier names several returns: enter the RMA number.",
        )
    return db.get(Return, uuid.UUID(str(found.pop()))) if found else None
