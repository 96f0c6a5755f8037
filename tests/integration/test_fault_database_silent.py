"""A PostgreSQL that accepts the connection and then never answers (a frozen server, a
half-dead network) costs a request a few seconds and a 503 problem, not a hung terminal."""

from __future__ import annotations

import socket
import time

from factories import bearer

from warehouse.app import create_app
from warehouse.config import Settings


def test_a_silent_database_answers_503_within_the_connect_timeout(tmp_path):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes handshakes; nobody ever reads or writes
        port = silent.getsockname()[1]
        app = create_app(
            Settings(
                database_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere",
                data_dir=tmp_path,
                db_connect_timeout_s=2,
                credential_cache_seconds=0,
            )
        )
        started = time.monotonic()
        response = app.test_client().get("/api/v1/returns", headers=bearer("wsk_" + "k" * 43))
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert elapsed < 10, f"waited {elapsed:.1f} s for a database that never answers"
