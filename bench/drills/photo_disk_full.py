"""Fault drill: the photo disk really full, then really read-only (a tiny tmpfs).

Run (as root, or with the right to mount): ``.venv/bin/python -m bench.drills.photo_disk_full``

1. Photos on a 1 MiB tmpfs, the database elsewhere (SQLite, and PostgreSQL on
   127.0.0.1:5432 when it answers): inspectors upload photos until the disk is full. Every
   answer must be 201 or a 507 problem+json; every photo row must have both its files; no
   temporary file may be left. The operator grows the tmpfs: uploads work again with no
   restart. The tmpfs is remounted read-only: uploads are 503 problem+json, nothing is
   written, the photos already kept are still served. Read-write again: uploads work.
2. The whole data directory (SQLite database and photos) on a 4 MiB tmpfs, as with the
   default settings: filled with photos until they are refused (507), then the last bytes
   taken by another file: parcel scans and uploads are 503/507 problem+json, never a 500;
   every row has its files; once there is room again (the file removed, the tmpfs grown)
   scans and uploads work with no restart, and the database passes its integrity check.

The service runs in-process (the Flask app and its test client): what is drilled is the
service's handling of the disk, the same under gunicorn. Prints SKIP when no tmpfs can be
mounted here.
"""

from __future__ import annotations

import contextlib
import io
import random
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench.drills.terminals import return_body
from bench.harness import POSTGRES_ADMIN_URL, fresh_database

CHECKLIST = [
    {"key": "packaging_intact", "label": "Packaging", "type": "yes_no", "fail_when": False}
]


@contextlib.contextmanager
def tiny_tmpfs(size: str) -> Iterator[Path | None]:
    """A tmpfs of `size` mounted on a new directory, or None when mounting is not allowed."""
    mountpoint = Path(tempfile.mkdtemp(prefix="wh-drill-disk-"))
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint)],
            capture_output=True,
        ).returncode
        == 0
    )
    try:
        yield mountpoint if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)
        mountpoint.rmdir()


def remount(mountpoint: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mountpoint)], check=True)


def noise_jpeg(rng: random.Random, size=(640, 480)) -> bytes:
    """A photo that compresses badly (about 200 KB), so a small disk fills in a few uploads."""
    from PIL import Image

    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


class Centre:
    """The service in-process on `database_url` and `data_dir`, with units to photograph."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        from warehouse import migrate
        from warehouse.app import create_app
        from warehouse.auth.services import create_user
        from warehouse.config import Settings
        from warehouse.context import SYSTEM, Context
        from warehouse.db import make_engine, transaction
        from warehouse.stores.services import create_store

        settings = Settings(database_url=database_url, data_dir=data_dir)
        engine = make_engine(settings)
        migrate.upgrade(engine)
        engine.dispose()
        self.app = create_app(settings)
        self.photo_dir = data_dir / "photos"
        session = self.app.extensions["warehouse.sessions"]()
        ctx = Context(actor=SYSTEM, now=self.app.extensions["warehouse.clock"].now())
        with transaction(session):
            created = create_store(session, ctx, name="Drill store")
            for role in ("receiver", "inspector", "supervisor"):
                create_user(session, ctx, username=f"drill-{role}", role=role, pin="2468")
        session.close()
        self.client = self.app.test_client()
        self.store = {"Authorization": f"Bearer {created.api_key}"}
        self.staff = {role: self._sign_in(role) for role in ("receiver", "inspector", "supervisor")}
        checklist = {"name": "QC", "category": "default", "items": CHECKLIST}
        self._ok(
            self.client.post("/api/v1/checklists", json=checklist, headers=self.staff["supervisor"])
        )

    def _sign_in(self, role: str) -> dict:
        answer = self.client.post(
            "/api/v1/auth/token", json={"username": f"drill-{role}", "pin": "2468"}
        )
        return {"Authorization": f"Bearer {self._ok(answer)['token']}"}

    @staticmethod
    def _ok(response) -> dict:
        assert response.status_code < 300, (response.status_code, response.json)
        return response.json

    def units(self, count: int) -> list[str]:
        """`count` received units (two a return)."""
        lpns = []
        while len(lpns) < count:
            tracking = f"SF{random.randrange(10**12, 10**13)}"
            self._ok(
                self.client.post("/api/v1/returns", json=return_body(tracking), headers=self.store)
            )
            scan = {"scan_id": str(uuid.uuid4()), "code": tracking}
            parcel = self._ok(
                self.client.post("/api/v1/parcels/scan", json=scan, headers=self.staff["receiver"])
            )["parcel"]
            for _ in range(2):
                item = {"scan_id": str(uuid.uuid4()), "code": "6901234567892"}
                path = f"/api/v1/parcels/{parcel['id']}/items/scan"
                answer = self.client.post(path, json=item, headers=self.staff["receiver"])
                lpns.append(self._ok(answer)["unit"]["lpn"])
        return lpns

    def upload(self, lpn: str, data: bytes):
        return self.client.post(
            f"/api/v1/units/{lpn}/photos",
            data={"file": (io.BytesIO(data), "photo.jpg")},
            headers=self.staff["inspector"],
            content_type="multipart/form-data",
        )

    def check_rows_have_files(self) -> list[str]:
        """Failures: a photo row whose file is missing, or a temporary file left behind."""
        from sqlalchemy import select

        from warehouse.db import read_only_transactions
        from warehouse.inspection.models import Photo

        failures = []
        with read_only_transactions():
            session = self.app.extensions["warehouse.sessions"]()
            for photo in session.scalars(select(Photo)):
                for name in (photo.file_name, photo.thumbnail_name):
                    if not (self.photo_dir / name).is_file():
                        failures.append(f"photo {photo.id} points at missing {name}")
            rows = len(session.scalars(select(Photo.id)).all())
            session.close()
        leftovers = [p for p in self.photo_dir.rglob("*.tmp")] if self.photo_dir.exists() else []
        failures += [f"temporary file left: {p.name}" for p in leftovers]
        files = [p for p in self.photo_dir.rglob("*.jpg")] if self.photo_dir.exists() else []
        if len(files) != 2 * rows:
            failures.append(f"{len(files)} photo files for {rows} rows (orphans)")
        return failures

    def close(self) -> None:
        self.app.extensions["warehouse.engine"].dispose()


def fill(centre: Centre, lpns: list[str], allowed: set[int], rng, limit: int = 200) -> tuple:
    """Uploads photos (of the units in turn) until three are refused, at most `limit`;
    answers (answers by status, failures)."""
    statuses: Counter = Counter()
    failures = []
    refusals = 0
    for n in range(limit):
        response = centre.upload(lpns[n % len(lpns)], noise_jpeg(rng))
        statuses[response.status_code] += 1
        if response.status_code not in allowed:
            failures.append(f"upload answered {response.status_code}: {response.get_data()[:200]}")
        elif response.status_code != 201:
            if response.content_type != "application/problem+json":
                failures.append(f"{response.status_code} not problem+json")
            refusals += 1
            if refusals >= 3:
                break
    return statuses, failures


def drill_photos_disk(database_url: str, label: str, rng) -> list[str]:
    failures = []
    with tempfile.TemporaryDirectory(prefix="wh-drill-data-") as data, tiny_tmpfs("1m") as disk:
        data_dir = Path(data)
        (data_dir / "photos").mkdir()
        subprocess.run(["mount", "--bind", str(disk), str(data_dir / "photos")], check=True)
        try:
            centre = Centre(database_url, data_dir)
            lpns = centre.units(4)
            statuses, problems = fill(centre, lpns, {201, 507}, rng)
            failures += problems + centre.check_rows_have_files()
            print(f"[{label}] 1 MiB photo disk: answers {dict(statuses)}")
            if statuses[507] == 0:
                failures.append("the disk never filled")

            remount(data_dir / "photos", "size=8m")
            grown = centre.upload(lpns[0], noise_jpeg(rng)).status_code
            print(f"[{label}] grown to 8 MiB: upload answered {grown}")
            if grown != 201:
                failures.append(f"after growing the disk, an upload answered {grown}")

            remount(data_dir / "photos", "ro")
            before = len(list((data_dir / "photos").rglob("*")))
            refused = centre.upload(lpns[1], noise_jpeg(rng))
            after = len(list((data_dir / "photos").rglob("*")))
            served = [
                centre.client.get(
                    f"/api/v1/photos/{p.stem}", headers=centre.staff["inspector"]
                ).status_code
                for p in list((data_dir / "photos").rglob("*.jpg"))[:3]
                if not p.stem.endswith(".thumb")
            ]
            print(
                f"[{label}] read-only: upload answered {refused.status_code} "
                f"{refused.content_type}; kept photos served: {served}"
            )
            if refused.status_code != 503 or refused.content_type != "application/problem+json":
                failures.append(f"read-only disk answered {refused.status_code}")
            if before != after:
                failures.append("something was written to a read-only disk")
            if not served or set(served) != {200}:
                failures.append(f"kept photos not served from a read-only disk: {served}")

            remount(data_dir / "photos", "rw")
            again = centre.upload(lpns[2], noise_jpeg(rng)).status_code
            print(f"[{label}] read-write again: upload answered {again}")
            if again != 201:
                failures.append(f"after remounting read-write, an upload answered {again}")
            failures += centre.check_rows_have_files()
            centre.close()
        finally:
            subprocess.run(["umount", "-l", str(data_dir / "photos")], capture_output=True)
    return [f"[{label}] {f}" for f in failures]


def drill_whole_data_dir(rng) -> list[str]:
    failures = []
    with tiny_tmpfs("4m") as disk:
        url = f"sqlite:///{disk}/warehouse.sqlite3"
        centre = Centre(url, disk)
        lpns = centre.units(4)
        statuses, problems = fill(centre, lpns, {201, 503, 507}, rng)
        failures += problems + centre.check_rows_have_files()
        print(f"[sqlite, data dir on a 4 MiB disk] answers {dict(statuses)}")
        # Whatever room is left goes to another file, so the database meets the full disk too.
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        scans = Counter()
        for _ in range(5):
            tracking = f"SF{rng.randrange(10**12, 10**13)}"
            scan = {"scan_id": str(uuid.uuid4()), "code": tracking}
            answer = centre.client.post(
                "/api/v1/parcels/scan", json=scan, headers=centre.staff["receiver"]
            )
            scans[(answer.status_code, answer.content_type)] += 1
        upload = centre.upload(lpns[0], noise_jpeg(rng))
        print(
            f"[sqlite, data dir] disk full to the last byte: parcel scans {dict(scans)}; "
            f"photo upload {upload.status_code} {upload.content_type}"
        )
        for (status, content_type), _n in scans.items():
            if status == 200:
                continue  # the scan's few bytes still fitted in a page SQLite had free
            if status != 503 or content_type != "application/problem+json":
                failures.append(f"a parcel scan on a full disk answered {status} {content_type}")
        if upload.status_code not in (503, 507) or not upload.content_type.startswith(
            "application/problem+json"
        ):
            failures.append(f"a photo upload on a full disk answered {upload.status_code}")
        failures += centre.check_rows_have_files()
        (disk / "filler").unlink()
        remount(disk, "size=32m")
        grown = centre.upload(lpns[0], noise_jpeg(rng)).status_code
        scan = centre.units(2)
        print(f"[sqlite, data dir] grown to 32 MiB: upload {grown}, receiving works: {bool(scan)}")
        if grown != 201:
            failures.append(f"after growing the disk, an upload answered {grown}")
        failures += centre.check_rows_have_files()
        centre.close()
        import sqlite3

        with contextlib.closing(sqlite3.connect(f"{disk}/warehouse.sqlite3")) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        print(f"[sqlite, data dir] integrity_check: {integrity}")
        if integrity != "ok":
            failures.append(f"database integrity: {integrity}")
    return [f"[sqlite, data dir] {f}" for f in failures]


def postgres_answers() -> bool:
    import psycopg

    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def main() -> int:
    with tiny_tmpfs("64k") as probe:
        if probe is None:
            print("SKIP: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)")
            return 0
    rng = random.Random(7)
    failures = []
    with tempfile.TemporaryDirectory(prefix="wh-drill-db-") as tmp:
        failures += drill_photos_disk(f"sqlite:///{tmp}/warehouse.sqlite3", "sqlite", rng)
    if postgres_answers():
        with fresh_database("postgresql") as url:
            failures += drill_photos_disk(url, "postgresql", rng)
    else:
        print(f"[postgresql] not drilled: nothing answers at {POSTGRES_ADMIN_URL}")
    failures += drill_whole_data_dir(rng)
    for failure in failures:
        print(f"  - {failure}")
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
