"""HTTP endpoints for return requests (store-facing; staff may read)."""

from __future__ import annotations

import functools

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from warehouse import flow
from warehouse.api import context, page_answer, paging, parse_id, problem_response, session
from warehouse.auth.guard import requires
from warehouse.auth.roles import Permission
from warehouse.idempotency import edge as idempotency
from warehouse.idempotency.rules import REPLAYED_HEADER as IDEMPOTENCY_REPLAYED
from warehouse.returns import queries, services
from warehouse.returns.schemas import (
    DeadlineQuerySchema,
    DecisionOverrideSchema,
    RefundConfirmationSchema,
    RefundFailureSchema,
    ReturnCreateSchema,
    ReturnDetailSchema,
    ReturnPageSchema,
    ReturnQuerySchema,
    ReturnSchema,
    TrackingSchema,
)

blp = Blueprint("returns", __name__, url_prefix="/api/v1/returns", description="Return requests.")


def _lists_returns(query_schema):
    """A list of returns: staff's, or a store's own; filtered and paged as `query_schema`
    says."""

    def decorate(view):
        decorated = blp.response(200, ReturnPageSchema)(view)
        decorated = blp.arguments(query_schema, location="query")(decorated)
        return requires(Permission.VIEW, store=True)(decorated)

    return decorate


@blp.route("")
class Returns(MethodView):
    @_lists_returns(ReturnQuerySchema)
    def get(self, query):
        """List returns, newest first; filter by status or external_id."""
        page, position = queries.list_returns(
            session(),
            context(),
            status=query["status"],
            external_id=query["external_id"],
            **paging(query),
        )
        return page_answer(page, position)

    @requires(store=True)
    @blp.arguments(ReturnCreateSchema)
    @blp.response(201, ReturnDetailSchema)
    @problem_response(blp, 409, "Duplicate external_id, or Idempotency-Key reused.")
    @idempotency.own_key
    def post(self, data):
        """Create a return request and issue its RMA number.

        Its `Idempotency-Key` is the store's own (kept with the return it made): a replay
        answers the return as it is now, as it always has."""
        key = request.headers.get("Idempotency-Key")
        created = flow.create_return(
            session(),
            context(),
            data,
            idempotency_key=key,
            body_fingerprint=services.fingerprint(request.get_json()) if key else None,
        )
        headers = {"Location": f"/api/v1/returns/{created.ret.id}"}
        if created.replayed:
            # `Idempotent-Replayed` is the name this call has always sent; every other write
            # sends `Idempotency-Replayed`, and so does this one now.
            headers["Idempotent-Replayed"] = headers[IDEMPOTENCY_REPLAYED] = "true"
            return queries.get_return_detail(session(), context(), created.ret.id), 201, headers
        # A new return has no parcels, units or events yet.
        created.ret.parcels_so_far = created.ret.units_so_far = created.ret.events_so_far = []
        return created.ret, 201, headers


@blp.route("/<return_id>")
class ReturnById(MethodView):
    @requires(Permission.VIEW, store=True)
    @blp.response(200, ReturnDetailSchema)
    def get(self, return_id):
        """A return with its lines, parcels, units and the events sent so far."""
        return queries.get_return_detail(session(), context(), parse_id(return_id, "return"))


def _on_return(conflict: str, body=None, *, by: Permission | None = None):
    """An action on one return: its store's (or staff's holding `by`), with `body` its input
    if it takes one; it answers the return as it now stands, or the 409 `conflict` says. The
    view gets the return's id parsed (a malformed one is a 404, as `parse_id` says)."""

    def decorate(view):
        @functools.wraps(view)
        def on_return(self, *args, return_id):
            return view(self, *args, parse_id(return_id, "return"))

        decorated = problem_response(blp, 409, conflict)(on_return)
        decorated = blp.response(200, ReturnSchema)(decorated)
        if body is not None:
            decorated = blp.arguments(body)(decorated)
        return requires(by, store=by is None)(decorated)

    return decorate


@blp.route("/<return_id>/tracking")
class Tracking(MethodView):
    @_on_return("The return is finished, or the number is on another buyer's.", TrackingSchema)
    def put(self, data, return_id):
        """Register the carrier and tracking number the buyer shipped with."""
        return flow.register_tracking(session(), context(), return_id, **data)


@blp.route("/<return_id>/cancel")
class Cancel(MethodView):
    @_on_return("A parcel has been received already.")
    def post(self, return_id):
        """Cancel a return before any of its parcels arrives."""
        return flow.cancel_return(session(), context(), return_id)


@blp.route("/<return_id>/refund-confirmation")
class RefundConfirmation(MethodView):
    @_on_return("No refund has been requested for this return.", RefundConfirmationSchema)
    def post(self, data, return_id):
        """The store has refunded the buyer: close the return."""
        return flow.confirm_refund(session(), context(), return_id, **data)


@blp.route("/<return_id>/refund-failure")
class RefundFailure(MethodView):
    @_on_return("No refund is waiting for the store.", RefundFailureSchema)
    def post(self, data, return_id):
        """The store could not refund: the request waits for a retry."""
        return flow.report_refund_failure(session(), context(), return_id, **data)


@blp.route("/<return_id>/refund-retry")
class RefundRetry(MethodView):
    @_on_return("No failed refund to retry.", by=Permission.SUPERVISE)
    def post(self, return_id):
        """Send a refund request the store reported as failed again (a supervisor)."""
        return flow.retry_refund(session(), context(), return_id)


@blp.route("/<return_id>/decision")
class DecisionOverride(MethodView):
    @_on_return(
        "The return is not inspected or rejected.", DecisionOverrideSchema, by=Permission.SUPERVISE
    )
    def post(self, data, return_id):
        """Override the inspection's rejection and refund (a supervisor, with a reason)."""
        return flow.override_decision(session(), context(), return_id, **data)


@blp.route("/deadlines")
class Deadlines(MethodView):
    @_lists_returns(DeadlineQuerySchema)
    def get(self, query):
        """Received returns still undecided, soonest due first: past due, then near it."""
        page, position = queries.list_due(
            session(), context(), within_hours=query["within_hours"], **paging(query)
        )
        return page_answer(page, position)
