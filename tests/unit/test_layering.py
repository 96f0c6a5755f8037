"""The code's layering holds: no import circles, pure rules, views that open no transaction.

Import circles hide the floor's flow (a stage calling the next behind a function-level import)
and make import order matter; a rules module that loads Flask is no longer a pure core. These
tests read the source, so they fail the moment someone adds such an edge, wherever it sits.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("warehouse", "scanners", "labels")
FRAMEWORKS = ("flask", "sqlalchemy", "marshmallow", "werkzeug", "flask_smorest", "flask_babel")


def _modules() -> dict[str, Path]:
    """Every module of our packages by dotted name (migrations are scripts Alembic loads)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _ours(name: str | None) -> str | None:
    """The module of ours that an imported name lives in (a name inside it counts as it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every module of ours that `module` imports, at any depth of its code: `from a import b`
    names `a`, and `a.b` too where that is a module."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            found = _ours(target)
            if found and found != module:
                yield found


def _import_graph() -> dict[str, set[str]]:
    return {module: set(_imported(module, path)) for module, path in MODULES.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected sets of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    if len(members) > 1:
                        circles.append(sorted(members))
    return circles


def test_the_circle_finder_sees_a_circle_closed_by_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_no_module_stands_in_an_import_circle_counting_function_level_imports():
    circles = _circles(_import_graph())
    assert circles == [], "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


STAGES = ("returns", "receiving", "inspection", "disposition", "refunds")


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "warehouse" and parts[1] in STAGES else None


def test_no_stage_service_imports_another_stage_s_services_or_the_flow():
    graph = _import_graph()
    crossings = [
        f"{module} -> {target}"
        for module in graph
        if _stage(module) and not module.endswith(".views")
        for target in graph[module]
        if target == "warehouse.flow"
        or (_stage(target) not in (None, _stage(module)) and target.endswith(".services"))
    ]
    assert crossings == []


QUEUE_MAY_IMPORT = ("warehouse.audit", "warehouse.events", "warehouse.queue")
QUEUE_MAY_ALSO_IMPORT = {"warehouse.context", "warehouse.errors", "warehouse.db"}


def test_the_exception_queue_depends_only_on_models_audit_and_events():
    graph = _import_graph()
    queue = [m for m in graph if m == "warehouse.queue" or m.startswith("warehouse.queue.")]
    assert queue, "no queue package found: the test would pass for nothing"
    outside = [
        f"{module} -> {target}"
        for module in queue
        for target in graph[module]
        if target.startswith("warehouse")
        and not target.endswith((".models", ".rules"))
        and not target.startswith(QUEUE_MAY_IMPORT)
        and target not in QUEUE_MAY_ALSO_IMPORT
    ]
    assert outside == []


def _functions_calling(path: Path, names: set[str]) -> list[str]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called in names:
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno} {called}")
    return calls


def test_no_view_or_page_opens_a_transaction():
    views = [p for m, p in MODULES.items() if m.endswith("views") or m.startswith("warehouse.ui")]
    assert views, "no views found: the test would pass for nothing"
    opened = [
        call
        for path in views
        for call in _functions_calling(path, {"transaction", "run_in_transaction"})
    ]
    assert opened == []


RULES = sorted(m for m in MODULES if m.endswith(".rules") or m == "warehouse.errors")


@pytest.mark.parametrize("module", RULES)
def test_a_rules_module_imports_without_any_framework(module):
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, {module}; print(' '.join(sorted(m for m in sys.modules)))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    frameworks = sorted({m.split(".")[0] for m in loaded} & set(FRAMEWORKS))
    assert frameworks == [], f"{module} loads {frameworks}"
