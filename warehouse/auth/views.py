"""Staff sign-in."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from warehouse.api import problem_response, session
from warehouse.auth import services
from warehouse.auth.guard import public
from warehouse.auth.schemas import TokenRequestSchema, TokenSchema
from warehouse.context import SYSTEM, Context
from warehouse.db import transaction

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Staff sign-in.")


@blp.route("/token")
@public
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @problem_response(blp, 401, "Unknown user, wrong PIN, unknown badge, or locked.")
    @blp.doc(security=[])
    def post(self, data):
        """Sign in with username and PIN, or by scanning a badge; answers a bearer token."""
        settings = current_app.extensions["warehouse.settings"]
        ctx = Context(
            actor=SYSTEM,
            now=current_app.extensions["warehouse.clock"].now(),
            terminal_id=request.headers.get("X-Terminal-Id") or None,
        )
        db = session()
        with transaction(db):
            if data.get("badge"):
                issued = services.sign_in_with_badge(
                    db, ctx, badge=data["badge"], token_hours=settings.token_hours
                )
            else:
                issued = services.sign_in_with_pin(
                    db,
                    ctx,
                    username=data["username"],
                    pin=data["pin"],
                    token_hours=settings.token_hours,
                    max_failed=settings.max_failed_logins,
                    lockout_minutes=settings.lockout_minutes,
                )
        return {
            "token": issued.token,
            "expires_at": issued.expires_at,
            "role": issued.user.role,
            "username": issued.user.username,
        }
