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
        ctx = Context(
            actor=SYSTEM,
            now=current_app.extensions["warehouse.clock"].now(),
            terminal_id=request.headers.get("X-Terminal-Id") or None,
        )
        issued = services.sign_in(
            session(),
            ctx,
            current_app.extensions["warehouse.settings"],
            badge=data.get("badge"),
            username=data.get("username"),
            pin=data.get("pin"),
        )
        return {
            "token": issued.token,
            "expires_at": issued.expires_at,
            "role": issued.user.role,
            "username": issued.user.username,
        }
