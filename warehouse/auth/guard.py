"""The checks every API request passes: who is calling (401) and whether they may (403).

Authentication runs before any view or schema, for every endpoint under /api/v1 that is not
marked public, so an endpoint added tomorrow is closed by default. Each view then states
who may call it with `@requires(...)`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, current_app, g, request

from warehouse import api
from warehouse.auth.cache import CredentialCache
from warehouse.auth.roles import Permission, may
from warehouse.auth.services import staff_actor, user_for_token
from warehouse.context import Actor
from warehouse.edge import check_body
from warehouse.errors import Forbidden, Unauthorized
from warehouse.secrets import STAFF_TOKEN_PREFIX, STORE_KEY_PREFIX, digest
from warehouse.stores.services import store_for_api_key

#: Blueprints whose every endpoint is open (the OpenAPI document and its docs page).
PUBLIC_BLUEPRINTS = frozenset({"api-docs"})
#: Open endpoints outside those blueprints (the docs page's script and style files).
PUBLIC_ENDPOINTS = frozenset({"api-docs-assets"})


def public(view_class):
    """Marks a MethodView as open to callers without credentials (e.g. sign-in)."""
    view_class.public = True
    return view_class


def bind_authentication(app: Flask) -> None:
    @app.before_request
    def _authenticate():
        if not request.path.startswith(api.API_PREFIX + "/") or request.endpoint is None:
            return
        if (
            request.blueprint in PUBLIC_BLUEPRINTS
            or request.endpoint in PUBLIC_ENDPOINTS
            or _is_public(request.endpoint)
        ):
            return
        g.actor = _actor_from_credentials()


def _is_public(endpoint: str) -> bool:
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(getattr(view, "view_class", view), "public", False))


def _actor_from_credentials() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthorized("Send `Authorization: Bearer <api key or staff token>`.")
    now = current_app.extensions["warehouse.clock"].now()
    cache: CredentialCache = current_app.extensions["warehouse.credential_cache"]
    key = digest(credential)
    actor = cache.get(key, now)
    if actor is not None:
        return actor
    db = api.session()
    if credential.startswith(STORE_KEY_PREFIX):
        store = store_for_api_key(db, credential)
        if store is not None:
            actor = Actor(
                kind="store", id=store.id, label=store.name, role="store", store_id=store.id
            )
            cache.put(key, actor, None)
            return actor
    elif credential.startswith(STAFF_TOKEN_PREFIX):
        found = user_for_token(db, credential, now)
        if found is not None:
            user, expires_at = found
            actor = staff_actor(user)
            cache.put(key, actor, expires_at)
            return actor
    raise Unauthorized("The credentials are unknown, revoked or expired.")


def requires(permission: Permission | None = None, *, store: bool = False) -> Callable:
    """Lets a view through for store systems (`store=True`) and/or staff holding `permission`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            check_access(g.actor, wrapper.access)
            check_body()  # only now: a role that may not gets its 403 whatever it sent
            return view(*args, **kwargs)

        #: Who may call the view, for callers that answer before it runs (a kept answer's
        #: replay, `warehouse.idempotency.edge`): a replay asks the same question.
        wrapper.access = (permission, store)
        return wrapper

    return decorator


def check_access(actor: Actor, access: tuple[Permission | None, bool]) -> None:
    """Refuses (403) an actor that a view marked `requires(*access)` does not let through."""
    permission, store = access
    allowed = (
        (store and actor.is_store)
        if actor.is_store
        else (permission is not None and may(actor.role or "", permission))
    )
    if not allowed:
        raise Forbidden("Your role may not do this.")
