"""Security headers on every answer: pages may run only our own files and never be framed.

Every answer says `nosniff`, may not be framed and leaks no URL to other sites (the referrer
goes to our own pages only: switching language returns to the page it was made on). HTML pages
also carry a Content-Security-Policy: scripts, styles, images, fonts and fetches from this
origin only (plus `data:` images, for the favicon), no plugins, no inline script or style,
forms posting back here. So text a store or buyer typed that somehow reached a page as
markup still could not run.

The Swagger UI page (`/api/v1/docs`) is flask-smorest's own template, which starts Swagger
UI with one inline script: its policy admits exactly that script by its SHA-256 hash, read
from the answer itself, and the inline styles Swagger UI sets while it renders.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

#: The floor UI's pages (and any other HTML we serve).
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: Endpoints rendering third-party pages that need their inline scripts admitted by hash.
DOCS_ENDPOINTS = frozenset({"api-docs.openapi_swagger_ui"})
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def docs_policy(html: str) -> str:
    """The Swagger UI page's policy: our page policy, plus its own inline scripts by hash
    and the inline styles Swagger UI sets."""
    hashes = "".join(f" {_script_hash(body)}" for body in INLINE_SCRIPT.findall(html))
    return PAGE_POLICY.replace("script-src 'self'", f"script-src 'self'{hashes}").replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )


def _script_hash(source: str) -> str:
    """A CSP source admitting exactly this inline script."""
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def add_security_headers(response: Response) -> Response:
    for name, value in COMMON_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
        if request.endpoint in DOCS_ENDPOINTS and not response.direct_passthrough:
            policy = docs_policy(response.get_data(as_text=True))
        else:
            policy = PAGE_POLICY
        response.headers["Content-Security-Policy"] = policy
    return response


def init_security_headers(app: Flask) -> None:
    """Registers the hook that adds the headers to every answer of `app`."""
    app.after_request(add_security_headers)
