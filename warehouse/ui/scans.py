"""What the floor pages that start with an LPN scan share: the scan that leads on to the
unit's page, or back to the scan with a red banner saying why not."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, request, url_for

from warehouse.errors import DomainError
from warehouse.ui.web import error_banner


def back_to(scan_page: str, exc: DomainError):
    """Back to `scan_page` (an endpoint), a red banner saying what `exc` refused."""
    error_banner(exc)
    return redirect(url_for(scan_page), code=303)


def lpn_scanned(find_lpn: Callable[[str], str], *, scan_page: str, unit_page: str):
    """An LPN scan (the form's `lpn`): on to `unit_page` for the unit `find_lpn` finds (it
    answers the unit's LPN as kept), or back to `scan_page` when it refuses."""
    try:
        lpn = find_lpn(request.form.get("lpn", "").strip())
    except DomainError as exc:
        return back_to(scan_page, exc)
    return redirect(url_for(unit_page, lpn=lpn), code=303)
