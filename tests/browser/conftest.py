"""Browser tests: Debian's Chromium, headless at 360×640, against the app served by a real
werkzeug server in a thread on a temporary SQLite database."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from warehouse import migrate
from warehouse.app import create_app
from warehouse.config import Settings
from warehouse.context import SYSTEM, Context
from warehouse.db import make_engine, transaction

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Screenshots of every page the browser tests visit, kept as the run's artefacts.
SCREENSHOTS = Path(
    os.environ.get(
        "UI_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    )
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def chromium_missing() -> bool:
    """True (so the browser tests skip) only outside CI: CI must run them."""
    return os.environ.get("CI") != "true" and not (
        shutil.which(CHROMIUM) and _importable("playwright")
    )


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


@pytest.fixture
def live_app(tmp_path):
    """The app on a fresh migrated SQLite database, served on a free loopback port."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'ui.sqlite3'}", data_dir=tmp_path / "data"
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(5)
    app.extensions["warehouse.engine"].dispose()


@pytest.fixture
def seed(live_app):
    """Calls a service with the system actor in its own transaction; answers its result."""

    def _seed(work):
        session = live_app.extensions["warehouse.sessions"]()
        ctx = Context(actor=SYSTEM, now=live_app.extensions["warehouse.clock"].now())
        try:
            with transaction(session):
                return work(session, ctx)
        finally:
            session.close()

    return _seed


@pytest.fixture
def make_staff(seed):
    from warehouse.auth.services import create_user

    def _make(role: str):
        name = f"{role}-{uuid.uuid4().hex[:6]}"
        return seed(lambda s, c: create_user(s, c, username=name, role=role, pin="2468"))

    return _make


@pytest.fixture
def page(live_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 640}, base_url=live_app.config["LIVE_URL"]
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.console_errors = errors
        yield page
        browser.close()


@pytest.fixture
def make_floor(live_app, seed, make_staff):
    """Makes a `Floor` (tests/inspection_fixtures.py) on the served app: a store, staff
    tokens on demand and the apparel checklist, all made through the API."""
    from inspection_fixtures import Floor

    from warehouse.stores.services import create_store

    def _make() -> Floor:
        store = seed(lambda s, c: create_store(s, c, name="杭州小店"))
        client = live_app.test_client()

        def staff_token(role: str) -> str:
            user = make_staff(role)
            answer = client.post(
                "/api/v1/auth/token", json={"username": user.username, "pin": "2468"}
            )
            assert answer.status_code == 200, answer.json
            return answer.json["token"]

        floor = Floor(live_app, client, (store.store.id, store.api_key), staff_token)
        floor.checklist("apparel")
        return floor

    return _make
