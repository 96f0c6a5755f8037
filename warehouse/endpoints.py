"""An API endpoint's decorator stack, composed once: who may call it, what it takes (a body
or a query string), what it answers, and the problems it names."""

from __future__ import annotations

from collections.abc import Callable

from flask_smorest import Blueprint

from warehouse.api import problem_response
from warehouse.auth.guard import requires
from warehouse.auth.roles import Permission


def endpoint(
    blp: Blueprint,
    permission: Permission,
    answer,
    *,
    status: int = 200,
    body=None,
    query=None,
    store: bool = False,
    problems: tuple[tuple[int, str], ...] = (),
) -> Callable:
    """`requires(permission, store=store)`, then the `body` (JSON) or the `query` (query
    string) schema it takes, if any, its `answer` schema with `status`, and the `(status,
    description)` problems it names, in that order: as stacking those decorators does."""

    def decorate(view):
        for code, description in reversed(problems):
            view = problem_response(blp, code, description)(view)
        view = blp.response(status, answer)(view)
        if query is not None:
            view = blp.arguments(query, location="query")(view)
        if body is not None:
            view = blp.arguments(body)(view)
        return requires(permission, store=store)(view)

    return decorate
