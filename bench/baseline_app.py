"""The baselines the service's figures are divided by: a bare Flask app, served by gunicorn
with exactly the settings of `warehouse serve` (`warehouse.serve.serve_forever`).

- `GET /ping` answers a tiny JSON body: the cost of gunicorn, Flask and HTTP alone.
- `POST /insert` also writes one row in one transaction on the same database, through the
  service's own engine set-up (`warehouse.db.make_engine`: the same pool, and on SQLite the
  same WAL mode and write queue): the cost of the smallest durable write.

Absolute times on a shared 2-core machine move from run to run; ratios to these, measured in
the same run, hold much better.

Run: ``python -m bench.baseline_app --port 8001 [--workers 2 --threads 4]`` with
``WAREHOUSE_DATABASE_URL`` set (the bench harness does this).
"""

from __future__ import annotations

import argparse
import datetime as dt

from flask import Flask, request
from sqlalchemy import Column, MetaData, String, Table, Uuid, create_engine

from warehouse.config import Settings
from warehouse.db import UTCDateTime, make_engine, make_session_factory, new_id, transaction

metadata = MetaData()
#: One row per `POST /insert`: a time-ordered id, a timestamp and a short text, like an event.
baseline_rows = Table(
    "bench_baseline_rows",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("terminal", String(64), nullable=False),
)


def create_table(database_url: str) -> None:
    """Creates the baseline's table (before the server starts, so workers need not race)."""
    engine = create_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()


def create_baseline_app() -> Flask:
    """The bare app, bound to the database in `WAREHOUSE_DATABASE_URL`."""
    app = Flask("bench_baseline")
    sessions = make_session_factory(make_engine(Settings.from_env()))

    @app.get("/ping")
    def ping():
        return {"ok": True}

    @app.post("/insert")
    def insert():
        session = sessions()
        try:
            row_id = new_id()
            with transaction(session):
                session.execute(
                    baseline_rows.insert().values(
                        id=row_id,
                        created_at=dt.datetime.now(dt.UTC),
                        terminal=request.headers.get("X-Terminal-Id", "-")[:64],
                    )
                )
        finally:
            session.close()
        return {"id": str(row_id)}, 201

    return app


def main(argv: list[str] | None = None) -> None:
    from warehouse.serve import serve_forever

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    serve_forever(
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        delivery_worker=False,
        app_factory=create_baseline_app,
    )


if __name__ == "__main__":
    main()
