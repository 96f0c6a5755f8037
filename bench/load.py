"""Bulk loading of open returns for benchmarks: COPY on PostgreSQL, executemany on SQLite.

Rows are written straight into the tables (not through the API, which would take hours for
a million returns) in exactly the shape the service writes them, identifiers included.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import uuid

import uuid6
from sqlalchemy import create_engine, text

from scanners import codes
from warehouse.returns.rules import identifier_variants
from warehouse.secrets import digest, new_store_api_key, new_webhook_secret

STORES = 20
LINES_PER_RETURN = 2
#: Returns built in memory at a time.
CHUNK = 50_000
#: PostgreSQL COPY streams at once (one per core of the machine this was tuned on).
PARALLEL_COPIES = 2
_ALPHABET = codes.RANDOM_ALPHABET


def rma_for(n: int) -> str:
    """A deterministic, valid RMA number for the n-th loaded return."""
    body = ""
    for _ in range(8):
        n, digit = divmod(n, len(_ALPHABET))
        body = _ALPHABET[digit] + body
    return codes.with_check_character(codes.RMA_PREFIX + body)


def tracking_for(n: int) -> str:
    return f"YT{7_000_000_000_000 + n:013d}"


def sku_for(n: int, line: int) -> str:
    return f"SKU{n}-{line}"


def create_stores(url: str) -> list[tuple[uuid.UUID, str]]:
    """Twenty stores; answers (id, api_key) pairs."""
    engine = create_engine(url)
    now = dt.datetime.now(dt.UTC)
    stores = []
    with engine.begin() as connection:
        for i in range(STORES):
            store_id, key = uuid6.uuid7(), new_store_api_key()
            connection.execute(
                text(
                    "INSERT INTO stores (id, name, webhook_url, webhook_secret, "
                    "express_refund_limit, decision_hours, created_at, event_sequence) "
                    "VALUES (:id, :name, NULL, :secret, 0, 48, :now, 0)"
                ),
                {
                    "id": _uuid_param(url, store_id),
                    "name": f"Bench store {i}",
                    "secret": new_webhook_secret(),
                    "now": _time_param(url, now),
                },
            )
            connection.execute(
                text(
                    "INSERT INTO store_api_keys (id, store_id, key_hash, key_prefix, created_at)"
                    " VALUES (:id, :store, :hash, :prefix, :now)"
                ),
                {
                    "id": _uuid_param(url, uuid6.uuid7()),
                    "store": _uuid_param(url, store_id),
                    "hash": digest(key),
                    "prefix": key[:10],
                    "now": _time_param(url, now),
                },
            )
            stores.append((store_id, key))
    engine.dispose()
    return stores


def load_returns(url: str, stores: list[tuple[uuid.UUID, str]], start: int, count: int) -> float:
    """Loads returns number start … start+count-1 (each with two lines); answers seconds."""
    began = dt.datetime.now(dt.UTC)
    chunks = [(s, min(CHUNK, start + count - s)) for s in range(start, start + count, CHUNK)]
    if url.startswith("postgresql") and len(chunks) > 1:
        # Two loaders at once: PostgreSQL's index upkeep, not Python, bounds one COPY stream.
        with concurrent.futures.ProcessPoolExecutor(PARALLEL_COPIES) as pool:
            starts, sizes = zip(*chunks, strict=True)
            n = len(chunks)
            list(pool.map(_copy_postgres, [url] * n, [stores] * n, starts, sizes))
    elif url.startswith("postgresql"):
        for chunk_start, size in chunks:
            _copy_postgres(url, stores, chunk_start, size)
    else:
        import sqlite3

        # One connection throughout, so that its page cache stays warm from chunk to chunk.
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute("PRAGMA synchronous = OFF")  # a bench load: a crash means a rerun
        # The indexes outgrow SQLite's 2 MB default page cache within 100,000 returns.
        connection.execute("PRAGMA cache_size = -1000000")  # KiB: 1 GB
        try:
            for chunk_start, size in chunks:
                _insert_sqlite(connection, stores, chunk_start, size)
        finally:
            connection.close()
    settle(url)
    return (dt.datetime.now(dt.UTC) - began).total_seconds()


def _rows(stores, start: int, count: int, now: dt.datetime):
    for n in range(start, start + count):
        store_id = stores[n % len(stores)][0]
        return_id = uuid6.uuid7()
        rma = rma_for(n)
        tracking = tracking_for(n)
        ret = (
            return_id,
            store_id,
            rma,
            f"EXT{n}",
            f"ORD{n}",
            "no_reason_7d",
            f"buyer{n}",
            "in_transit",
            "YTO",
            tracking,
            now,
        )
        lines = [
            (
                uuid6.uuid7(),
                return_id,
                i,
                f"L{i}",
                sku_for(n, i),
                f"Item {n}-{i}",
                "apparel",
                1,
                9900,
            )
            for i in range(LINES_PER_RETURN)
        ]
        identifiers = [
            (return_id, store_id, "rma", rma, now),
            (return_id, store_id, "order", f"ORD{n}", now),
            (return_id, store_id, "external", f"EXT{n}", now),
        ]
        identifiers += [
            (return_id, store_id, "tracking", v, now) for v in identifier_variants(tracking)
        ]
        yield ret, lines, identifiers


_RETURN_COLUMNS = (
    "id, store_id, rma_number, external_id, order_id, reason, buyer_id, status, "
    "carrier, tracking_number, created_at"
)
_RETURN_FIXED = "express_refund, exchange, currency, metadata, reception_status, updated_at"
_LINE_COLUMNS = "id, return_id, position, line_id, sku, title, category, quantity, unit_price"


def _copy_postgres(url: str, stores, start: int, count: int) -> None:
    """COPY in text format, written a block at a time: formatting each row in Python through
    psycopg's `write_row` took most of the load's time. No loaded value holds a tab, newline
    or backslash, so no value needs escaping."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    now = dt.datetime.now(dt.UTC)
    stamp = now.isoformat()
    returns, lines, identifiers = [], [], []
    for ret, ret_lines, ret_identifiers in _rows(stores, start, count, now):
        fields = [str(v) for v in ret[:-1]]
        returns.append("\t".join([*fields, stamp, "f", "f", "CNY", "{}", "awaiting", stamp]))
        for line in ret_lines:
            lines.append("\t".join([*(str(v) for v in line), "[]", "0", "0", "0", "0"]))
        for return_id, store_id, kind, value, _ in ret_identifiers:
            identifiers.append(f"{return_id}\t{store_id}\t{kind}\t{value}\t{stamp}")
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        for statement, block in (
            (f"COPY returns ({_RETURN_COLUMNS}, {_RETURN_FIXED}) FROM STDIN", returns),
            (
                f"COPY return_lines ({_LINE_COLUMNS}, serial_numbers, received_quantity,"
                " damaged_quantity, extra_quantity, short_quantity) FROM STDIN",
                lines,
            ),
            (
                "COPY return_identifiers (return_id, store_id, kind, value, created_at) FROM STDIN",
                identifiers,
            ),
        ):
            with cursor.copy(statement) as copy:
                copy.write("\n".join(block) + "\n")
        connection.commit()


def _insert_sqlite(connection, stores, start: int, count: int) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    rows = list(_rows(stores, start, count, now))
    hexed = lambda u: u.hex  # noqa: E731 - SQLAlchemy's Uuid stores 32 hex digits on SQLite
    with connection:
        connection.executemany(
            f"INSERT INTO returns ({_RETURN_COLUMNS}, {_RETURN_FIXED}) VALUES "
            "(?,?,?,?,?,?,?,?,?,?,?, 0, 0, 'CNY', '{}', 'awaiting', ?)",
            [(hexed(r[0]), hexed(r[1]), *r[2:], now) for r, _, _ in rows],
        )
        connection.executemany(
            f"INSERT INTO return_lines ({_LINE_COLUMNS}, serial_numbers, received_quantity, "
            "damaged_quantity, extra_quantity, short_quantity) "
            "VALUES (?,?,?,?,?,?,?,?,?, '[]', 0, 0, 0, 0)",
            [(hexed(ln[0]), hexed(ln[1]), *ln[2:]) for _, lines, _ in rows for ln in lines],
        )
        connection.executemany(
            "INSERT INTO return_identifiers (return_id, store_id, kind, value, created_at) "
            "VALUES (?,?,?,?,?)",
            [(hexed(i[0]), hexed(i[1]), i[2], i[3], i[4]) for _, _, ids in rows for i in ids],
        )


def settle(url: str) -> None:
    """Brings a freshly loaded database to the state a live one is in, so the first seconds
    of measuring are not spent on the load's aftermath: on PostgreSQL, VACUUM ANALYZE (hint
    bits and the visibility map set, planner statistics; otherwise autovacuum and the first
    readers do it during the run) and a CHECKPOINT (the load's WAL written out); on SQLite,
    ANALYZE and a WAL checkpoint."""
    if url.startswith("postgresql"):
        import psycopg

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE) returns, return_lines, return_identifiers")
            connection.execute("CHECKPOINT")
        return
    import sqlite3

    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    connection.execute("PRAGMA analysis_limit = 1000")  # sample each index, as PostgreSQL does
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _uuid_param(url: str, value: uuid.UUID):
    return value if url.startswith("postgresql") else value.hex


def _time_param(url: str, value: dt.datetime):
    return value if url.startswith("postgresql") else value.replace(tzinfo=None)
