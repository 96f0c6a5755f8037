"""Migrations build the schema from nothing on both databases, and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from warehouse import migrate
from warehouse.models import Base


def test_migrations_run_down_to_empty_and_up_again(app):
    engine = app.extensions["warehouse.engine"]
    assert migrate.is_up_to_date(engine)
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert migrate.is_up_to_date(engine)


def test_the_models_and_the_migrations_have_not_drifted(app):
    engine = app.extensions["warehouse.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models changed without a migration: " + repr(differences)


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(app, settings):
    engine = app.extensions["warehouse.engine"]
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert timeout == int(settings.sqlite_busy_timeout_s * 1000)
