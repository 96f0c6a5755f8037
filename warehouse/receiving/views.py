"""HTTP endpoints for check-in (handheld terminals) and the exception queue (supervisors)."""

from __future__ import annotations

import functools
from dataclasses import replace

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from warehouse import api, flow
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
    ctx = api.context()
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


def _writes(permission: Permission, answer, conflict: str, body=None):
    """A write at the dock or in the queue: who may make it, its input (`body`, if it takes
    one), its answer, and the 409 `conflict` says."""

    def decorate(view):
        decorated = api.problem_response(blp, 409, conflict)(view)
        decorated = blp.response(200, answer)(decorated)
        if body is not None:
            decorated = blp.arguments(body)(decorated)
        return requires(permission)(decorated)

    return decorate


def _on_parcel(permission: Permission, answer, conflict: str, body=None):
    """A write on one parcel (as `_writes`); the view gets the parcel's id parsed (a malformed
    one is a 404, as `parse_id` says)."""

    def decorate(view):
        @functools.wraps(view)
        def on_parcel(self, *args, parcel_id):
            return view(self, *args, api.parse_id(parcel_id, "parcel"))

        return _writes(permission, answer, conflict, body)(on_parcel)

    return decorate


def _on_exception(body=None):
    """A supervisor's action on one exception in the queue (as `_writes`): the view gets the
    exception's id parsed, and the exception it answers is shown as the queue lists it."""

    def decorate(view):
        @functools.wraps(view)
        def on_exception(self, *args, exception_id):
            exception = view(self, *args, api.parse_id(exception_id, "exception"))
            return queue.exception_brief(exception)

        conflict = "Resolved already, or claimed by someone else."
        return _writes(Permission.SUPERVISE, ExceptionSchema, conflict, body)(on_exception)

    return decorate


@blp.route("/parcels/scan")
class ParcelScan(MethodView):
    @_writes(
        Permission.RECEIVE,
        ParcelScanOutSchema,
        "The scan_id was used for another scan.",
        ParcelScanInSchema,
    )
    def post(self, data):
        """Scan a parcel: match it to its return(s), or quarantine it as unmatched."""
        ctx = _ctx_with_terminal(data["terminal_id"])
        answer = flow.scan_parcel(
            api.session(),
            ctx,
            scan_id=data["scan_id"],
            code=data["code"],
            weight_grams=data["weight_grams"],
            scanned_at=data["scanned_at"],
        )
        return api.fast_json(answer.body())


@blp.route("/parcels/<id:parcel_id>")
class ParcelById(MethodView):
    @requires(Permission.VIEW)
    @blp.response(200, ParcelOutSchema)
    def get(self, parcel_id):
        """A parcel with its returns and what is still expected in it."""
        return queries.get_parcel(api.session(), api.context(), api.parse_id(parcel_id, "parcel"))


@blp.route("/parcels/<parcel_id>/items/scan")
class ItemScan(MethodView):
    @_on_parcel(
        Permission.RECEIVE,
        ItemScanOutSchema,
        "The parcel is closed or unmatched, the serial is known, or the scan repeats.",
        ItemScanInSchema,
    )
    def post(self, data, parcel_id):
        """Scan an item out of the parcel: it becomes a unit with a new LPN."""
        ctx = api.context()
        scanned = flow.scan_item(
            api.session(),
            ctx,
            parcel_id,
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
        return api.fast_json(scanned.answer.body())


@blp.route("/parcels/<parcel_id>/close")
class CloseParcel(MethodView):
    @_on_parcel(Permission.RECEIVE, CloseOutSchema, "The parcel is already closed.")
    def post(self, parcel_id):
        """End receiving: short and empty become exceptions; the store is told."""
        return api.fast_json(flow.close_parcel(api.session(), api.context(), parcel_id))


@blp.route("/parcels/<parcel_id>/match")
class MatchParcel(MethodView):
    @_on_parcel(
        Permission.SUPERVISE,
        ParcelOutSchema,
        "The return is finished or already in this parcel.",
        MatchInSchema,
    )
    def post(self, data, parcel_id):
        """Match a parcel to a return by hand (a supervisor)."""
        return flow.match_parcel(api.session(), api.context(), parcel_id, data["return_id"])


@blp.route("/exceptions")
class Exceptions(MethodView):
    @requires(Permission.VIEW)
    @blp.arguments(ExceptionQuerySchema, location="query")
    @blp.response(200, ExceptionPageSchema)
    def get(self, query):
        """The exception queue, oldest first; `?status=open` (default) includes claimed ones."""
        page, position = queue.list_exceptions(
            api.session(),
            api.context(),
            status=None if query["status"] == "all" else query["status"],
            kind=query["kind"],
            parcel_id=query["parcel_id"],
            return_id=query["return_id"],
            **api.paging(query),
        )
        return api.page_answer([queue.exception_brief(e) for e in page], position)


@blp.route("/exceptions/<exception_id>/claim")
class ClaimException(MethodView):
    @_on_exception()
    def post(self, exception_id):
        """Claim an exception, so two supervisors do not work the same one."""
        return flow.claim_exception(api.session(), api.context(), exception_id)


@blp.route("/exceptions/<exception_id>/resolve")
class ResolveException(MethodView):
    @_on_exception(ResolveInSchema)
    def post(self, data, exception_id):
        """Resolve an exception: match, accept, reject or return to the buyer, with a note."""
        return flow.resolve_exception(api.session(), api.context(), exception_id, **data)


@blp.route("/units/<lpn>")
class UnitByLpn(MethodView):
    @requires(Permission.VIEW, store=True)
    @blp.response(200, UnitSchema)
    def get(self, lpn):
        """A unit by its LPN: its line, exceptions and every action on it."""
        return queries.get_unit(api.session(), api.context(), lpn)
