"""HTTP endpoints for events: the feed stores poll, and supervisors' dead letters and replay."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from warehouse.api import context, decode_cursor, encode_cursor, parse_id, problem_response, session
from warehouse.auth.guard import requires
from warehouse.auth.roles import Permission
from warehouse.events import queries, services
from warehouse.events.outbox import as_message
from warehouse.events.schemas import (
    AttemptListSchema,
    DeadLetterQuerySchema,
    DeliveryPageSchema,
    DeliverySchema,
    FeedPageSchema,
    FeedQuerySchema,
)

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/api/v1/events",
    description="Events to stores: the feed (the same objects webhooks carry) and dead letters.",
)


@blp.route("")
class Feed(MethodView):
    @requires(Permission.SUPERVISE, store=True)
    @blp.arguments(FeedQuerySchema, location="query")
    @blp.response(200, FeedPageSchema)
    @problem_response(blp, 404, "`store_id` names no store (or, for a store, another one).")
    def get(self, query):
        """The store's own events in sequence order; pass `next_cursor` back as `after`."""
        page = queries.feed(
            session(),
            context(),
            after=decode_cursor(query["after"], "after"),
            limit=query["limit"],
            store_id=query["store_id"],
        )
        return {
            "items": [as_message(event) for event in page.items],
            "next_cursor": encode_cursor({"seq": page.after}),
            "has_more": page.has_more,
        }


@blp.route("/dead")
class DeadLetters(MethodView):
    @requires(Permission.SUPERVISE)
    @blp.arguments(DeadLetterQuerySchema, location="query")
    @blp.response(200, DeliveryPageSchema)
    def get(self, query):
        """Webhooks given up on after a day of retries, oldest first: replay them when fixed."""
        db = session()
        items, position = queries.dead_letters(
            db,
            store_id=query["store_id"],
            after=decode_cursor(query["cursor"]),
            limit=query["limit"],
        )
        logs = queries.attempts_by_event(db, [item.event_id for item in items])
        return {
            "items": [(item, logs.get(item.event_id, [])) for item in items],
            "next_cursor": encode_cursor(position) if position else None,
        }


@blp.route("/<event_id>/attempts")
class Attempts(MethodView):
    @requires(Permission.SUPERVISE)
    @blp.response(200, AttemptListSchema)
    def get(self, event_id):
        """The delivery log of one event's webhook: each post, its answer and latency."""
        return {"items": queries.delivery_attempts(session(), parse_id(event_id, "event"))}


@blp.route("/<event_id>/replay")
class Replay(MethodView):
    @requires(Permission.SUPERVISE)
    @blp.response(200, DeliverySchema)
    @problem_response(blp, 409, "The webhook is not dead-lettered.")
    def post(self, event_id):
        """Queue a dead-lettered webhook again, now; its return's later events follow it."""
        return services.replay_webhook(session(), context(), parse_id(event_id, "event"))
