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
import fcntl
import functools
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

import uuid6
from sqlalchemy import (
    JSON,
    BigInteger,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Select,
    Table,
    Uuid,
    create_engine,
    event,
)
from sqlalchemy import insert as sql_insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    MappedColumn,
    Session,
    SessionTransaction,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from warehouse.config import Settings
from warehouse.errors import InvalidInput, NotFound
from warehouse.texts import Text

R = TypeVar("R")

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


def uuid_pk() -> MappedColumn[uuid.UUID]:
    """A primary key the application makes (`new_id`), before the row is written."""
    return mapped_column(Uuid, primary_key=True, default=new_id)


def serial_pk() -> MappedColumn[int]:
    """A primary key the database counts: BIGINT, and INTEGER on SQLite (only its INTEGER
    PRIMARY KEY autoincrements)."""
    return mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )


def keyset_page(
    session: Session,
    query: Select,
    key: InstrumentedAttribute[uuid.UUID],
    *,
    after: dict | None,
    limit: int,
    descending: bool = False,
) -> tuple[list, dict | None]:
    """A page of `query`, ordered by the UUID column `key` (`descending`: newest first), from
    after the cursor `after`; and the cursor of the next page (None on the last). A cursor is
    `{"id": <the last key>}`."""
    if after is not None:
        try:
            last = uuid.UUID(str(after.get("id")))
            query = query.where(key < last if descending else key > last)
        except ValueError:
            raise InvalidInput({"cursor": ["Not a cursor this API issued."]}) from None
    rows = list(session.scalars(query.limit(limit + 1)))
    page = rows[:limit]
    return page, ({"id": str(getattr(page[-1], key.key))} if len(rows) > limit else None)


def find_one(session: Session, query: Select, missing: str | Text, *, for_update: bool = False):
    """The one row `query` finds (locked for a change, `for_update`); none is a NotFound
    saying `missing`."""
    if for_update:
        query = query.with_for_update()
    found = session.scalar(query)
    if found is None:
        raise NotFound(missing)
    return found


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
    engine = create_engine(
        url,
        echo=settings.sql_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_recycle=1800,
        connect_args=postgres_timeouts(settings.db_connect_timeout_s),
    )
    _ping_after_idle(engine)
    return engine


def postgres_timeouts(connect_timeout_s: float) -> dict:
    """libpq settings so a database that stops answering fails requests instead of hanging
    them: connecting gives up after `connect_timeout_s`; on an open connection, unacknowledged
    data (a cut network) or a silent peer (keepalive probes unanswered) drops it within about
    `connect_timeout_s` + a few seconds. The request then answers 503 and the pool reconnects."""
    seconds = max(1, round(connect_timeout_s))
    return {
        "connect_timeout": seconds,
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": seconds * 1000 + 5000,
    }


#: A pooled PostgreSQL connection unused for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_S = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """Pre-ping, but only for connections that sat idle in the pool.

    SQLAlchemy's `pool_pre_ping` sends `SELECT 1` at every checkout: one more round trip on
    every request, a seventh of a parcel scan's. A connection used a moment ago is almost
    surely alive; one idle for a while (PostgreSQL restarted in a quiet spell, a firewall
    dropped it) is pinged, and a dead one is replaced before the request sees it. A
    connection that dies between two busy requests fails its request's first statement
    instead: that request answers 503 (the terminal retries it, idempotently) and SQLAlchemy,
    seeing the disconnect, recycles every connection the pool held before it.
    """

    @event.listens_for(engine, "checkin")
    def _note_checkin(_dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError("a pooled connection was found dead") from exc


class SQLiteWriteGate:
    """Queues SQLite writers in the kernel instead of in SQLite's busy handler.

    SQLite lets a blocked writer poll with sleeps that grow to 100 ms, so under a dozen busy
    terminals a scan could wait a second for a lock freed long before. Writers here first
    take a thread lock (one writer per process) and an flock on a file beside the database
    (one writer across gunicorn's processes); both wake the next writer the moment the last
    one commits. SQLite's own lock still guards the data: this only orders the queue.
    """

    def __init__(self, database_path: str, timeout_s: float) -> None:
        self._thread_lock = threading.Lock()
        self._path = database_path + ".writelock"
        self._fd: int | None = None
        self._pid: int | None = None
        self._timeout_s = timeout_s

    def acquire(self) -> None:
        if not self._thread_lock.acquire(timeout=self._timeout_s):
            raise OperationalError("BEGIN IMMEDIATE", {}, TimeoutError("database is locked"))
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        fcntl.flock(self._file(), fcntl.LOCK_UN)
        self._thread_lock.release()

    def _file(self) -> int:
        # A forked worker must not share the parent's open file (flock is per open file).
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    database = engine.url.database
    gate = (
        SQLiteWriteGate(database, busy_timeout_s) if database and database != ":memory:" else None
    )

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
        mode = _sqlite_begin.get()
        if gate is not None and mode == "IMMEDIATE":
            gate.acquire()
            connection.info["write_gate"] = True
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            _release(connection)
            raise

    def _release(connection, *_args):
        if connection.info.pop("write_gate", False):
            gate.release()

    # Released as the transaction ends; the next writer's BEGIN may meet SQLite's lock for the
    # instant the COMMIT takes, which the busy timeout covers.
    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)

    @event.listens_for(engine, "checkin")
    def _release_on_checkin(_dbapi_connection, record):
        # A connection returned to the pool without a commit or rollback event (invalidated,
        # say) must not keep every other writer waiting.
        if record.info.pop("write_gate", False):
            gate.release()


# --- rows written in bulk ---------------------------------------------------------------------
#
# Audit rows, stored scan answers and outbox events are facts appended by nearly every write,
# never changed afterwards and never read back by the transaction that wrote them. Added to
# the session as ORM objects, each cost the unit of work's bookkeeping and (audit rows, whose
# id the database assigns) a round trip of its own. They are collected here instead and
# written at commit with one multi-row INSERT per table, after the session's last flush.
# Until then a query in the same transaction does not see them (call `write_deferred` first
# if one ever must); a rollback drops them with the rest of the transaction.

_DEFERRED = "warehouse.deferred_writes"

#: Writes a batch of collected items on the transaction's connection.
BatchWriter = Callable[[Connection, list], None]


def defer_write(session: Session, writer: BatchWriter, item) -> None:
    """Collects `item` for `writer`, which gets all of this transaction's items at once.

    Batches are written in the order their first item was collected (a writer with a true
    `write_last` attribute after the others), after the session's own pending objects are
    flushed (so rows may refer to those)."""
    batches: dict[BatchWriter, list] = session.info.setdefault(_DEFERRED, {})
    batches.setdefault(writer, []).append(item)


def insert_rows(table: Table) -> BatchWriter:
    """A writer inserting dicts into `table` with one statement (executemany)."""

    def write(connection: Connection, rows: list[dict]) -> None:
        connection.execute(sql_insert(table), rows)

    write.__qualname__ = f"insert_rows({table.name})"
    return write


def write_deferred(session: Session) -> None:
    """Writes every collected batch now (the session's pending objects first)."""
    batches = session.info.get(_DEFERRED)
    if not batches:
        return
    session.flush()
    connection = session.connection()
    while batches:
        # In collection order, except that writers marked `write_last` (the outbox, which
        # locks its store's row until commit) go after every other.
        writer = min(batches, key=lambda w: getattr(w, "write_last", False))
        writer(connection, batches.pop(writer))


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    write_deferred(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_unwritten(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back transaction's rows are dropped with it (and so is held work, below).
    if transaction.parent is None:
        session.info.pop(_DEFERRED, None)
        session.info.pop(_HELD_WORK, None)


# --- commits held for the edge ----------------------------------------------------------------
#
# A write sent with an Idempotency-Key is answered by a row kept with its answer, and that row
# must commit with the write or not at all: a crash between the two would leave a retry with
# another answer. So while the edge holds commits (`hold_commits`), `transaction()` runs its
# block and every statement of it, but leaves the COMMIT to the edge, which adds the kept
# answer once the response is made and commits once (`warehouse.idempotency.edge`).

_HOLD = "warehouse.hold_commits"
_HELD_WORK = "warehouse.held_work"


def hold_commits(session: Session, hold: bool = True) -> None:
    """From now on (until called with False) `transaction()` blocks leave their commit to
    the caller of this, who must commit (or roll back) the session itself."""
    if hold:
        session.info[_HOLD] = True
    else:
        session.info.pop(_HOLD, None)


def has_held_work(session: Session) -> bool:
    """Whether a `transaction()` block finished with its commit held and not yet made."""
    return bool(session.info.get(_HELD_WORK))


def end_read(session: Session) -> None:
    """Ends a read-only transaction (releasing SQLite's write lock while slow work that
    needs no database runs), unless work whose commit is held waits in it."""
    if not has_held_work(session):
        session.rollback()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views dump them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _holds(session: Session) -> bool:
    """Whether the block ending now leaves its commit to the edge: while commits are held,
    except for a read-only block before any write (`read_only_transactions`). That one ends as
    usual: held open, SQLite's snapshot would go stale while slow work runs (a printer), and
    the write after it could then not take the write lock ("database is locked")."""
    if not session.info.get(_HOLD):
        return False
    return bool(session.info.get(_HELD_WORK)) or _sqlite_begin.get() != "DEFERRED"


@contextlib.contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back when it raises.

    While commits are held (`hold_commits`) the block's writes are all made (flushed, the
    collected rows written) but the commit is left to whoever holds them."""
    try:
        yield session
        if _holds(session):
            write_deferred(session)
            session.flush()
            session.info[_HELD_WORK] = True
        else:
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


def unit_of_work(work: Callable[..., R]) -> Callable[..., R]:
    """Makes `work(session, ...)` one transaction of its own: committed when it returns, rolled
    back when it raises, re-run once when a concurrent one won a unique-key race (as
    `run_in_transaction`). The use cases that views call wear it, so no view opens a
    transaction; a use case calls the undecorated services inside it."""

    @functools.wraps(work)
    def run(session: Session, *args, **kwargs) -> R:
        return run_in_transaction(session, lambda db: work(db, *args, **kwargs))

    return run
