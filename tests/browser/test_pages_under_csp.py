"""Pages still work under their Content-Security-Policy in a real browser."""

from __future__ import annotations

import pytest
from browser.conftest import chromium_missing

if chromium_missing():
    pytest.skip(
        "Chromium or playwright is not installed (CI installs both)", allow_module_level=True
    )


def csp_violations(page) -> list[str]:
    return [e for e in page.console_errors if "Content Security Policy" in e]


def test_swagger_ui_renders_every_operation_under_its_policy(page):
    response = page.goto("/api/v1/docs")
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() >= 60
    assert csp_violations(page) == []
    # The only other complaint allowed is the browser's own look for /favicon.ico.
    assert [e for e in page.console_errors if "404" not in e] == []


def test_the_sign_in_page_runs_its_script_under_the_policy(page):
    page.goto("/ui/login")
    # ui.js focuses the scan input: proof our own script ran.
    page.wait_for_function("document.activeElement && document.activeElement.tagName === 'INPUT'")
    assert csp_violations(page) == []
    assert page.console_errors == []
