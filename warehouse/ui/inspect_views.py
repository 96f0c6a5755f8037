"""Inspectors and disposition: scan an LPN, fill its checklist, route it."""

from __future__ import annotations

from warehouse.auth.roles import Permission
from warehouse.ui.web import bp, render, requires


@bp.get("/ui/inspect")
@requires(Permission.INSPECT)
def inspect():
    return render("inspect.html")


@bp.get("/ui/dispose")
@requires(Permission.DISPOSE)
def dispose():
    return render("dispose.html")
