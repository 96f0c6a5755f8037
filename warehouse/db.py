"""The data layer's plumbing: declarative base, column types, engines and sessions.

One engine per app, made in `create_app()`. A request gets one session (closed at the end
of the request); service functions own the transaction through `transaction()`.

SQLite needs care to behave like a server database under several threads and processes:
WAL (readers never block the writer), foreign keys on, a busy timeout, and write
transactions opened with ``BEGIN IMMEDIATE`` so that two writers queue for the lock at the
start instead of one failing with "database is locked" when it upgrades a read lock.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

import uuid6
from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from warehouse.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; constraint names are stable so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


#: JSON that is JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def new_id():
    """A new time-ordered UUID (version 7): unguessable, yet index-friendly like a sequence."""
    return uuid6.uuid7()


# How the next SQLite transaction on this thread begins: IMMEDIATE takes the write lock at
# once (the safe default), DEFERRED only when a read-only request says so.
_sqlite_begin = contextvars.ContextVar("sqlite_begin", default="IMMEDIATE")


@contextlib.contextmanager
def read_only_transactions() -> Iterator[None]:
    """Within this block, SQLite transactions begin DEFERRED (no write lock taken)."""
    token = _sqlite_begin.set("DEFERRED")
    try:
        yield
    finally:
        _sqlite_begin.reset(token)


def make_engine(settings: Settings) -> Engine:
    """The engine for the configured database, with the per-backend settings described above."""
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=settings.sql_echo)
        _configure_sqlite(engine, settings.sqlite_busy_timeout_s)
        return engine
    return create_engine(
        url,
        echo=settings.sql_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy's "begin" event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(f"BEGIN {_sqlite_begin.get()}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views dump them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextlib.contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back when it raises."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def run_in_transaction(session: Session, work, *, retries: int = 1):
    """Runs `work(session)` in one transaction, re-running it once if a concurrent
    transaction won a unique-key race (two terminals creating the same parcel, a retried
    scan arriving twice at once). The re-run sees the winner's row and answers from it.
    """
    for attempt in range(retries + 1):
        try:
            with transaction(session):
                return work(session)
        except IntegrityError:
            if attempt == retries:
                raise
