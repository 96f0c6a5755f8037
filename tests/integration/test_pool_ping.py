"""Pooled PostgreSQL connections are pinged only after sitting idle (warehouse.db): a busy
terminal's request costs no `SELECT 1`, yet a connection that died while idle never reaches
a request, and one that died between two busy requests costs a single 503, not a stuck pool.
"""

from __future__ import annotations

import pytest
from factories import bearer
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, event, text


@pytest.fixture
def postgresql_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite keeps no pool of server connections")
    return database_url


@pytest.fixture
def kill_pooled_connections(app, postgresql_only):
    """Terminates every backend of the app's pool, as a restart of PostgreSQL does."""
    admin = create_engine(postgresql_only)

    def _kill() -> int:
        with admin.begin() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND application_name = ''"
                    )
                ).all()
            )

    yield _kill
    admin.dispose()


def test_a_connection_in_steady_use_is_not_pinged(
    app, client, staff_token, postgresql_only, monkeypatch
):
    supervisor = bearer(staff_token("supervisor"))
    monkeypatch.setattr("warehouse.db.PING_AFTER_IDLE_S", 60.0)  # however slow this machine
    engine = app.extensions["warehouse.engine"]
    status_at_checkout = []

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, _record, _proxy):
        # Runs after the pool's own checkout listener: a ping would have opened a
        # transaction (INTRANS), an unpinged connection is still IDLE.
        status_at_checkout.append(dbapi_connection.info.transaction_status)

    for _ in range(3):
        assert client.get("/api/v1/exceptions", headers=supervisor).status_code == 200
    assert status_at_checkout == [TransactionStatus.IDLE] * 3


def test_a_connection_that_died_while_idle_is_replaced_before_a_request_sees_it(
    app, client, staff_token, kill_pooled_connections, monkeypatch
):
    supervisor = bearer(staff_token("supervisor"))
    assert client.get("/api/v1/exceptions", headers=supervisor).status_code == 200
    assert kill_pooled_connections() >= 1
    monkeypatch.setattr("warehouse.db.PING_AFTER_IDLE_S", 0.0)  # as if idle long enough

    answer = client.get("/api/v1/exceptions", headers=supervisor)
    assert answer.status_code == 200
    assert answer.json == {"items": [], "next_cursor": None}


def test_a_connection_that_died_between_busy_requests_costs_one_503_then_the_pool_recovers(
    app, client, staff_token, kill_pooled_connections, monkeypatch
):
    supervisor = bearer(staff_token("supervisor"))
    assert client.get("/api/v1/exceptions", headers=supervisor).status_code == 200
    monkeypatch.setattr("warehouse.db.PING_AFTER_IDLE_S", 3600.0)  # never idle long enough
    assert kill_pooled_connections() >= 1

    failed = client.get("/api/v1/exceptions", headers=supervisor)
    assert failed.status_code == 503
    assert failed.content_type.startswith("application/problem+json")

    again = client.get("/api/v1/exceptions", headers=supervisor)
    assert again.status_code == 200
