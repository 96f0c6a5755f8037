"""Fault drill (found by `python -m bench.drills.postgres_restart`): PostgreSQL restarting just
after a request has read what it needs, before its session is closed. The answer is made and
must stand; closing the session on a dead connection must neither turn it into a 500 (an
HTML page from the WSGI server) nor leave a broken connection in the pool.
"""

from __future__ import annotations

import pytest
from factories import bearer
from flask import g
from sqlalchemy import create_engine, text


@pytest.fixture
def connection_killed_after_each_answer(app, database_url):
    """After each request's answer is made, its database backend is terminated, as a
    restart of PostgreSQL does to every backend."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server that can go away")
    admin = create_engine(database_url)
    killed = []

    @app.after_request
    def _terminate_backend(response):
        db_session = g.get("db_session")
        if db_session is not None and db_session.in_transaction():
            pid = db_session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killed.append(pid)
        return response

    yield killed
    admin.dispose()


def test_a_read_whose_connection_dies_before_the_session_closes_keeps_its_answer(
    client, staff_token, connection_killed_after_each_answer
):
    supervisor = bearer(staff_token("supervisor"))
    first = client.get("/api/v1/exceptions?status=open", headers=supervisor)
    assert connection_killed_after_each_answer, "no backend was terminated; nothing drilled"
    assert first.status_code == 200
    assert first.json == {"items": [], "next_cursor": None}

    # The dead connection was discarded, not handed to the next request.
    second = client.get("/api/v1/exceptions?status=open", headers=supervisor)
    assert second.status_code == 200
    assert len(set(connection_killed_after_each_answer)) == 2
