"""Every refusal the floor pages show from these services reaches the page as a message the
catalogue translates: a `Text` (template and values) or a catalogued sentence, never an
f-string, which no catalogue can hold."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from warehouse.ui import catalogs

PACKAGE = Path(__file__).resolve().parents[2] / "warehouse"
#: Services behind the receive, inspect, dispose, refurbish and dead-letter pages, and the
#: URL ids every page parses.
MODULES = [
    "disposition/rules.py",
    "disposition/services.py",
    "disposition/bins.py",
    "inspection/lifecycle.py",
    "inspection/photos.py",
    "inspection/units.py",
    "receiving/services.py",
    "events/services.py",
    "api.py",
]
REFUSALS = {"Conflict", "NotFound", "Forbidden", "InvalidInput", "DomainError", "Text"}


def messages(path: Path):
    """Each refusal's message in the module: (line, the literal, or None for an f-string)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in REFUSALS):
            continue
        for arg in node.args[:1] + [k.value for k in node.keywords if k.arg == "detail"]:
            if isinstance(arg, ast.JoinedStr):
                yield node.lineno, None
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield node.lineno, arg.value


@pytest.mark.parametrize("module", MODULES)
def test_every_refusal_a_floor_page_shows_is_in_the_chinese_catalogue(module):
    known = catalogs.source_messages("zh_Hans_CN")
    for line, message in messages(PACKAGE / module):
        assert message is not None, f"{module}:{line}: an f-string; write Text(template, ...)"
        assert message in known, f"{module}:{line}: {message!r} is not translated"


def test_every_event_type_the_dead_letter_pages_name_is_a_word():
    from warehouse.events.types import EventType

    known = catalogs.source_messages("zh_Hans_CN")
    assert [t.value for t in EventType if t.value not in known] == []
