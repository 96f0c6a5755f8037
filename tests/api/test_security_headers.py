"""Security headers: pages run only our own files, are never framed, and sniff nothing."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from ui_helpers import sign_in, text

PAGES_SIGNED_OUT = ["/ui/login"]
PAGES_SIGNED_IN = [
    "/ui/receive",
    "/ui/inspect",
    "/ui/dispose",
    "/ui/refurbish",
    "/ui/exceptions",
    "/ui/returns",
    "/ui/dashboard",
    "/ui/deadletters",
]


def directives(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: [sources]}."""
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


@pytest.fixture
def supervisor(app, make_user):
    user = make_user("sup-headers", "supervisor")
    client = app.test_client()
    assert sign_in(client, badge=user.badge_code).status_code == 303
    return client


def assert_not_sniffed_or_framed(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}


def assert_our_files_only(response):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("path", PAGES_SIGNED_OUT)
def test_the_sign_in_page_may_run_only_our_own_scripts_and_styles(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_not_sniffed_or_framed(response)
    assert_our_files_only(response)


@pytest.mark.parametrize("path", PAGES_SIGNED_IN)
def test_every_floor_page_may_run_only_our_own_scripts_and_styles(supervisor, path):
    response = supervisor.get(path)
    assert response.status_code == 200, path
    assert_not_sniffed_or_framed(response)
    assert_our_files_only(response)


@pytest.mark.parametrize("path", PAGES_SIGNED_OUT + PAGES_SIGNED_IN)
def test_our_pages_carry_no_inline_script_style_or_handler_the_policy_would_block(
    client, supervisor, path
):
    html = text((client if path in PAGES_SIGNED_OUT else supervisor).get(path))
    # A <script type="application/json"> data block is never run, so CSP does not block it.
    executable = r"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>"
    assert re.findall(executable, html) == []
    assert "<style" not in html
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []
    assert "javascript:" not in html


def test_error_pages_carry_the_same_policy(supervisor):
    response = supervisor.get("/ui/receive/parcels/01a00000-0000-7000-8000-000000000000")
    assert response.status_code == 404
    assert_not_sniffed_or_framed(response)
    assert_our_files_only(response)


def test_api_answers_are_not_sniffed_or_framed(client):
    for response in (client.get("/api/v1/openapi.json"), client.get("/api/v1/returns")):
        assert_not_sniffed_or_framed(response)


def test_the_swagger_ui_page_admits_exactly_its_own_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_not_sniffed_or_framed(response)
    policy = directives(response)
    inline = re.findall(r"<script>(.*?)</script>", text(response), re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert policy["script-src"] == ["'self'", f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]


def test_swagger_ui_files_are_served_from_here(client):
    html = text(client.get("/api/v1/docs"))
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith("/api/v1/docs/assets/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
