"""HTTP endpoints for a store's webhook settings: its URL and its signing secret."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from warehouse.api import context, parse_id, session
from warehouse.auth.guard import requires
from warehouse.auth.roles import Permission
from warehouse.idempotency import edge as idempotency
from warehouse.stores import services
from warehouse.stores.schemas import (
    RotatedSecretSchema,
    RotateSecretSchema,
    StoreWebhookSchema,
    WebhookUrlSchema,
)

blp = Blueprint(
    "stores",
    __name__,
    url_prefix="/api/v1/stores",
    description="A store's webhook URL and secret (the store itself, or an admin).",
)


@blp.route("/<store_id>/webhook-secret/rotate")
class RotateSecret(MethodView):
    @idempotency.answers_a_secret
    @requires(Permission.ADMINISTER, store=True)
    @blp.arguments(RotateSecretSchema)
    @blp.response(200, RotatedSecretSchema)
    def post(self, body, store_id):
        """A new webhook secret, shown once; the old one also signs for `grace_hours`."""
        rotated = services.rotate_secret(
            session(), context(), parse_id(store_id, "store"), grace_hours=body["grace_hours"]
        )
        return {
            "store_id": rotated.store.id,
            "webhook_secret": rotated.webhook_secret,
            "previous_secret_expires_at": rotated.previous_secret_expires_at,
        }


@blp.route("/<store_id>/webhook-url")
class WebhookUrl(MethodView):
    @requires(Permission.ADMINISTER, store=True)
    @blp.arguments(WebhookUrlSchema)
    @blp.response(200, StoreWebhookSchema)
    def put(self, body, store_id):
        """Point the store's webhooks at a public http(s) URL, or stop them with null."""
        return services.change_webhook_url(
            session(),
            context(),
            current_app.extensions["warehouse.settings"],
            parse_id(store_id, "store"),
            body["webhook_url"],
        )
