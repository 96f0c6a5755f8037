"""Fixtures: a real database per test, on SQLite and (when configured) PostgreSQL.

Every test that asks for `app` (or anything built on it) runs once per database: on SQLite
always, and again on PostgreSQL when WAREHOUSE_TEST_DATABASE_URL is set. The schema is built
by the real Alembic migrations once per run; each test then starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import text

from warehouse import migrate
from warehouse.app import create_app
from warehouse.clock import FakeClock
from warehouse.config import Settings
from warehouse.db import make_engine, read_only_transactions
from warehouse.models import Base

POSTGRES_URL = os.environ.get("WAREHOUSE_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(autouse=True)
def _fast_pin_hashing(monkeypatch):
    """scrypt takes ~100 ms per PIN by design; tests hash with one cheap round instead."""
    monkeypatch.setattr("warehouse.auth.services.PIN_HASH_METHOD", "pbkdf2:sha256:1")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(Settings(database_url=f"sqlite:///{path}", data_dir=path.parent))
    migrate.upgrade(engine)
    engine.dispose()  # the last connection to close folds the WAL back into the file
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    """The PostgreSQL test database emptied and migrated to head once per run."""
    engine = make_engine(Settings(database_url=POSTGRES_URL))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A migrated, empty database for this test."""
    if request.param == "sqlite":
        path = tmp_path / "warehouse.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_schema")
    engine = make_engine(Settings(database_url=url))
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(database_url=database_url, data_dir=tmp_path / "data")


@pytest.fixture
def app(settings, clock):
    app = create_app(settings, clock=clock)
    app.config["TESTING"] = True
    yield app
    app.extensions["warehouse.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session for checking data directly, closed after the test.

    Its SQLite transactions begin DEFERRED: a test's look at the data must not hold the
    write lock against the requests it is checking.
    """
    with read_only_transactions():
        session = app.extensions["warehouse.sessions"]()
        yield session
        session.close()


@pytest.fixture
def make_store(app):
    """Creates a store; answers `(store_id, api_key)`."""
    from warehouse.context import SYSTEM, Context
    from warehouse.db import transaction
    from warehouse.stores.services import create_store

    def _make(name: str | None = None, **policy) -> tuple[uuid.UUID, str]:
        session = app.extensions["warehouse.sessions"]()
        ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
        with transaction(session):
            created = create_store(
                session, ctx, name=name or f"Store {uuid.uuid4().hex[:6]}", **policy
            )
        session.close()
        return created.store.id, created.api_key

    return _make


@pytest.fixture
def store(make_store):
    """The store most tests act as: `(store_id, api_key)`."""
    return make_store("店铺甲 Store A")


@pytest.fixture
def make_user(app):
    """Creates a staff member; answers the user (with `.badge_code`)."""
    from warehouse.auth.services import create_user
    from warehouse.context import SYSTEM, Context
    from warehouse.db import transaction

    def _make(username: str, role: str, pin: str = "1234"):
        session = app.extensions["warehouse.sessions"]()
        ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
        with transaction(session):
            user = create_user(session, ctx, username=username, role=role, pin=pin)
        session.close()
        return user

    return _make


@pytest.fixture
def signed_in(app, make_user):
    """A floor UI test client signed in through the badge form as a new user of `role`."""
    from ui_helpers import sign_in

    def _client(role: str):
        user = make_user(f"{role}-{uuid.uuid4().hex[:6]}", role)
        client = app.test_client()
        response = sign_in(client, badge=user.badge_code)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client

    return _client


@pytest.fixture
def staff_token(client, make_user):
    """Signs in a new staff member of `role` through the API; answers the bearer token."""

    def _token(role: str) -> str:
        username = f"{role}-{uuid.uuid4().hex[:6]}"
        make_user(username, role, "4321")
        response = client.post("/api/v1/auth/token", json={"username": username, "pin": "4321"})
        assert response.status_code == 200, response.json
        return response.json["token"]

    return _token
