"""Driving the floor UI's forms from the Flask test client, as a browser would."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SCAN_ID = re.compile(r'name="scan_id" value="([^"]+)"')


def csrf_of(client, path: str = "/ui/login") -> str:
    """The CSRF token of the client's session, read from a rendered form."""
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def form_fields(html: str) -> dict:
    """The hidden csrf_token and scan_id of the first form on a page."""
    fields = {"csrf_token": CSRF.search(html).group(1)}
    scan = SCAN_ID.search(html)
    if scan:
        fields["scan_id"] = scan.group(1)
    return fields


def sign_in(client, *, badge: str | None = None, username: str = "", pin: str = ""):
    """Posts the sign-in form; answers the response (not followed)."""
    data = {"csrf_token": csrf_of(client)}
    if badge:
        data["badge"] = badge
    else:
        data.update(username=username, pin=pin)
    return client.post("/ui/login", data=data)


def submit(client, page: str, target: str, /, **data):
    """Loads `page`, then posts `data` to `target` with the page's csrf_token and scan_id."""
    fields = form_fields(client.get(page).get_data(as_text=True))
    return client.post(target, data={**fields, **data})


def text(response) -> str:
    return response.get_data(as_text=True)
