"""How long the supervisor's dashboard and its lists take with a million returns of history.

    python -m bench.dashboard --url postgresql+psycopg://postgres@127.0.0.1/wh_bench [--returns N]

The database is emptied, migrated and loaded with `bench.load` (COPY), then the history is
spread over the last 60 days the way a busy centre's is: each return created on some day,
most received two days later (a parcel and a unit each) and decided, a few still undecided
near or past their deadline. Then the dashboard page, a drill-down list and a CSV export are
requested through the app (as a signed-in supervisor) and their times printed (median of 5).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

from sqlalchemy import create_engine, text

from bench import load
from warehouse import migrate
from warehouse.app import create_app
from warehouse.config import Settings
from warehouse.context import SYSTEM, Context
from warehouse.db import make_engine, transaction

HISTORY_SQL = [
    # Spread creation over 60 days; 95 % received two days later, most of them decided.
    "UPDATE returns SET created_at = now() - (random() * interval '60 days')",
    """UPDATE returns SET
         received_at = created_at + interval '2 days',
         reception_status = 'received',
         due_at = created_at + interval '4 days',
         status = CASE WHEN random() < 0.97 THEN 'closed' ELSE 'received' END
       WHERE random() < 0.95 AND created_at < now() - interval '2 days'""",
    """INSERT INTO parcels (id, code, code_kind, match_status, state, opened_by,
                           created_at, scanned_at, closed_at, closed_by)
       SELECT gen_random_uuid(), tracking_number, 'tracking', 'matched', 'closed', 'recv1',
              received_at, received_at, received_at, 'recv1'
       FROM returns WHERE received_at IS NOT NULL""",
    """INSERT INTO parcel_returns (parcel_id, return_id, matched_by, created_at)
       SELECT p.id, r.id, 'scan', r.received_at
       FROM returns r JOIN parcels p ON p.code = r.tracking_number""",
    """INSERT INTO units (id, lpn, parcel_id, return_id, store_id, reception_status,
                         scanned_code, sku, received_by, created_at, scanned_at)
       SELECT gen_random_uuid(), 'LPN' || substr(md5(pr.return_id::text), 1, 12), pr.parcel_id,
              pr.return_id, r.store_id,
              CASE WHEN random() < 0.002 THEN 'serial_mismatch' ELSE 'received' END,
              'SKU', 'SKU', 'recv1', r.received_at, r.received_at
       FROM parcel_returns pr JOIN returns r ON r.id = pr.return_id""",
    "VACUUM ANALYZE",
]


def build(url: str, returns: int) -> None:
    engine = make_engine(Settings(database_url=url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    stores = load.create_stores(url)
    print(f"loaded {returns} returns in {load.load_returns(url, stores, 0, returns):.0f} s")
    raw = create_engine(url, isolation_level="AUTOCOMMIT")
    with raw.connect() as connection:
        for statement in HISTORY_SQL:
            began = time.perf_counter()
            connection.execute(text(statement))
            print(f"{time.perf_counter() - began:6.1f} s  {' '.join(statement.split())[:70]}")
    raw.dispose()


def measure(url: str) -> None:
    app = create_app(Settings(database_url=url))
    session = app.extensions["warehouse.sessions"]()
    from warehouse.auth.services import create_user

    ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
    with transaction(session):
        user = create_user(
            session, ctx, username=f"bench-{time.time_ns()}", role="supervisor", pin="2468"
        )
    session.close()
    client = app.test_client()
    login = client.get("/ui/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    signed = client.post("/ui/login", data={"csrf_token": csrf, "badge": user.badge_code})
    assert signed.status_code == 303
    pages = {
        "dashboard (today)": "/ui/dashboard",
        "dashboard (a past day)": "/ui/dashboard?day="
        + time.strftime("%Y-%m-%d", time.gmtime(time.time() - 20 * 86400)),
        "list: units of the day": "/ui/dashboard/lists/activity?kind=units",
        "list: returns past deadline": "/ui/dashboard/lists/deadlines?which=past",
        "CSV: returns of the day": "/ui/dashboard/lists/reason.csv",
        "search by buyer id": "/ui/returns?q=buyer123456",
    }
    for name, path in pages.items():
        times = []
        for _ in range(5):
            began = time.perf_counter()
            response = client.get(path)
            body = response.get_data()
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code in (200, 302), (path, response.status_code)
        print(f"{name:32} median {statistics.median(times):7.1f} ms  ({len(body)} bytes)")
    app.extensions["warehouse.engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="a PostgreSQL URL (emptied!)")
    parser.add_argument("--returns", type=int, default=1_000_000)
    parser.add_argument("--measure-only", action="store_true")
    args = parser.parse_args()
    if not args.measure_only:
        build(args.url, args.returns)
    measure(args.url)


if __name__ == "__main__":
    main()
