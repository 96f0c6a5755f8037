"""HTTP endpoints for check-in (handheld terminals) and the exception queue (supervisors)."""

from __future__ import annotations

from dataclasses import replace

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from warehouse import flow
from warehouse.api import (
    context,
    decode_cursor,
    encode_cursor,
    fast_json,
    parse_id,
    problem_response,
    session,
)
from warehouse.auth.guard import requires
from warehouse.auth.roles import Permission
from warehouse.errors import Conflict
from warehouse.queue import services as queue
from warehouse.receiving import queries
from warehouse.receiving.schemas import (
    CloseOutSchema,
    ExceptionPageSchema,
    ExceptionQuerySchema,
    ExceptionSchema,
    ItemScanInSchema,
    ItemScanOutSchema,
    MatchInSchema,
    ParcelOutSchema,
    ParcelScanInSchema,
    ParcelScanOutSchema,
    ResolveInSchema,
    UnitSchema,
)
from warehouse.texts import Text

blp = Blueprint("receiving", __name__, url_prefix="/api/v1", description="Check-in at the dock.")


def _ctx_with_terminal(terminal_id: str | None):
    ctx = context()
    if terminal_id and not ctx.terminal_id:
        ctx = replace(ctx, terminal_id=terminal_id)
    return ctx


def _guarded_terminal(ctx) -> str | None:
    """The terminal the double-scan guard holds an item scan to: the one the request names
    (X-Terminal-Id), as used by the one signed in (a new sign-in starts afresh, as on the
    floor pages), unless the scan is one a terminal's queue held back and sends now
    (X-Scan-Replay: 1; its queue dropped repeats already). A request naming no terminal is
    not guarded: its scan_id alone tells retries apart."""
    if not ctx.terminal_id or request.headers.get("X-Scan-Replay") == "1":
        return None
    return f"id:{ctx.terminal_id}/{ctx.actor.id}"


@blp.route("/parcels/scan")
class ParcelScan(MethodView):
    @requires(Permission.RECEIVE)
    @blp.arguments(ParcelScanInSchema)
    @blp.response(200, ParcelScanOutSchema)
    @problem_response(blp, 409, "The scan_id was used for another scan.")
    def post(self, data):
        """Scan a parcel: match it to its return(s), or quarantine it as unmatched."""
        ctx = _ctx_with_terminal(data["terminal_id"])
        answer = flow.scan_parcel(
            session(),
            ctx,
            scan_id=data["scan_id"],
            code=data["code"],
            weight_grams=data["weight_grams"],
            scanned_at=data["scanned_at"],
        )
        return fast_json(answer.body())


@blp.route("/parcels/<id:parcel_id>")
class ParcelById(MethodView):
    @requires(Permission.VIEW)
    @blp.response(200, ParcelOutSchema)
    def get(self, parcel_id):
        """A parcel with its returns and what is still expected in it."""
        return queries.get_parcel(session(), context(), parse_id(parcel_id, "parcel"))


@blp.route("/parcels/<parcel_id>/items/scan")
class ItemScan(MethodView):
    @requires(Permission.RECEIVE)
    @blp.arguments(ItemScanInSchema)
    @blp.response(200, ItemScanOutSchema)
    @problem_response(
        blp, 409, "The parcel is closed or unmatched, the serial is known, or the scan repeats."
    )
    def post(self, data, parcel_id):
        """Scan an item out of the parcel: it becomes a unit with a new LPN."""
        pid = parse_id(parcel_id, "parcel")
        ctx = context()
        scanned = flow.scan_item(
            session(),
            ctx,
            pid,
            scan_id=data["scan_id"],
            code=data["code"],
            damaged=data["damaged"],
            scanned_at=data["scanned_at"],
            terminal=_guarded_terminal(ctx),
        )
        if scanned.repeat:
            raise Conflict(
                Text("Repeat ignored: {code} was just scanned.", code=data["code"]), repeat=True
            )
        return fast_json(scanned.answer.body())


@blp.route("/parcels/<parcel_id>/close")
class CloseParcel(MethodView):
    @requires(Permission.RECEIVE)
    @blp.response(200, CloseOutSchema)
    @problem_response(blp, 409, "The parcel is already closed.")
    def post(self, parcel_id):
        """End receiving: short and empty become exceptions; the store is told."""
        pid = parse_id(parcel_id, "parcel")
        ctx = context()
        return fast_json(flow.close_parcel(session(), ctx, pid))


@blp.route("/parcels/<parcel_id>/match")
class MatchParcel(MethodView):
    @requires(Permission.SUPERVISE)
    @blp.arguments(MatchInSchema)
    @blp.response(200, ParcelOutSchema)
    @problem_response(blp, 409, "The return is finished or already in this parcel.")
    def post(self, data, parcel_id):
        """Match a parcel to a return by hand (a supervisor)."""
        pid = parse_id(parcel_id, "parcel")
        ctx = context()
        return flow.match_parcel(session(), ctx, pid, data["return_id"])


@blp.route("/exceptions")
class Exceptions(MethodView):
    @requires(Permission.VIEW)
    @blp.arguments(ExceptionQuerySchema, location="query")
    @blp.response(200, ExceptionPageSchema)
    def get(self, query):
        """The exception queue, oldest first; `?status=open` (default) includes claimed ones."""
        page, position = queue.list_exceptions(
            session(),
            context(),
            status=None if query["status"] == "all" else query["status"],
            kind=query["kind"],
            parcel_id=query["parcel_id"],
            return_id=query["return_id"],
            limit=query["limit"],
            after=decode_cursor(query["cursor"]),
        )
        return {
            "items": [queue.exception_brief(e) for e in page],
            "next_cursor": encode_cursor(position) if position else None,
        }


@blp.route("/exceptions/<exception_id>/claim")
class ClaimException(MethodView):
    @requires(Permission.SUPERVISE)
    @blp.response(200, ExceptionSchema)
    @problem_response(blp, 409, "Resolved already, or claimed by someone else.")
    def post(self, exception_id):
        """Claim an exception, so two supervisors do not work the same one."""
        eid = parse_id(exception_id, "exception")
        ctx = context()
        exception = flow.claim_exception(session(), ctx, eid)
        return queue.exception_brief(exception)


@blp.route("/exceptions/<exception_id>/resolve")
class ResolveException(MethodView):
    @requires(Permission.SUPERVISE)
    @blp.arguments(ResolveInSchema)
    @blp.response(200, ExceptionSchema)
    @problem_response(blp, 409, "Resolved already, or claimed by someone else.")
    def post(self, data, exception_id):
        """Resolve an exception: match, accept, reject or return to the buyer, with a note."""
        eid = parse_id(exception_id, "exception")
        ctx = context()
        exception = flow.resolve_exception(session(), ctx, eid, **data)
        return queue.exception_brief(exception)


@blp.route("/units/<lpn>")
class UnitByLpn(MethodView):
    @requires(Permission.VIEW, store=True)
    @blp.response(200, UnitSchema)
    def get(self, lpn):
        """A unit by its LPN: its line, exceptions and every action on it."""
        return queries.get_unit(session(), context(), lpn)
