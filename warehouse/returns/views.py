"""HTTP endpoints for return requests (store-facing; staff may read)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _ReturnAction:
    """An action on one return, as `POST` (or `PUT`) `/returns/{id}/<path>`: a flow step
    on the return, taking `body` if it has one and answering the return as it now stands;
    its store's to call, or staff's holding `by`; the 409 `conflict` when the return's state
    does not allow it. `summary` is the endpoint's line in the API docs."""

    path: str
    step: Callable
    summary: str
    conflict: str
    body: type | None = None
    by: Permission | None = None
    method: str = "post"


_RETURN_ACTIONS = (
    _ReturnAction(
        "tracking",
        flow.register_tracking,
        "Register the carrier and tracking number the buyer shipped with.",
        "The return is finished, or the number is on another buyer's.",
        TrackingSchema,
        method="put",
    ),
    _ReturnAction(
        "cancel",
        flow.cancel_return,
        "Cancel a return before any of its parcels arrives.",
        "A parcel has been received already.",
    ),
    _ReturnAction(
        "refund-confirmation",
        flow.confirm_refund,
        "The store has refunded the buyer: close the return.",
        "No refund has been requested for this return.",
        RefundConfirmationSchema,
    ),
    _ReturnAction(
        "refund-failure",
        flow.report_refund_failure,
        "The store could not refund: the request waits for a retry.",
        "No refund is waiting for the store.",
        RefundFailureSchema,
    ),
    _ReturnAction(
        "refund-retry",
        flow.retry_refund,
        "Send a refund request the store reported as failed again (a supervisor).",
        "No failed refund to retry.",
        by=Permission.SUPERVISE,
    ),
    _ReturnAction(
        "decision",
        flow.override_decision,
        "Override the inspection's rejection and refund (a supervisor, with a reason).",
        "The return is not inspected or rejected.",
        DecisionOverrideSchema,
        by=Permission.SUPERVISE,
    ),
)


def _route_return_action(action: _ReturnAction) -> None:
    """Routes one action: the view parses the return's id (a malformed one is a 404, as
    `parse_id` says) and runs the step with the body's fields."""

    def act(self, *data, return_id):
        fields = data[0] if data else {}
        return action.step(session(), context(), parse_id(return_id, "return"), **fields)

    act.__doc__ = action.summary
    view = problem_response(blp, 409, action.conflict)(act)
    view = blp.response(200, ReturnSchema)(view)
    if action.body is not None:
        view = blp.arguments(action.body)(view)
    view = requires(action.by, store=action.by is None)(view)
    name = "".join(word.title() for word in action.path.split("-"))
    blp.route(f"/<return_id>/{action.path}")(type(name, (MethodView,), {action.method: view}))


for _action in _RETURN_ACTIONS:
    _route_return_action(_action)


@blp.route("/deadlines")
class Deadlines(MethodView):
    @_lists_returns(DeadlineQuerySchema)
    def get(self, query):
        """Received returns still undecided, soonest due first: past due, then near it."""
        page, position = queries.list_due(
            session(), context(), within_hours=query["within_hours"], **paging(query)
        )
        return page_answer(page, position)
