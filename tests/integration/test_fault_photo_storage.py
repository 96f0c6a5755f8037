"""Fault drill: the photo directory full or read-only, failing where a real disk fails (the
flush of the written file, the rename into place, the directory), and the database on the
same full disk. Each upload is a clear 507 or 503 problem+json, leaves no file (not even a
half-written temporary one) and no row; an inspection cannot point at a photo that was not
kept; once the disk has room again uploads work without a restart.

(tests/api/test_photos_api.py covers a storage whose `put` fails as a whole; this drives the
real disk storage.) `python -m bench.drills.photo_disk_full` does the same on a real, tiny
tmpfs where the machine allows mounting one.
"""

from __future__ import annotations

import errno
import os
import uuid
from pathlib import Path

import pytest
from inspection_fixtures import GOOD_APPAREL, Floor, image_bytes
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from warehouse.audit.models import AuditEntry
from warehouse.inspection import photos
from warehouse.inspection.models import Inspection, Photo

STAINED = {**GOOD_APPAREL, "stains": True}  # a buyer-caused deduction: needs a photo


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    return floor


@pytest.fixture
def photo_dir(settings) -> Path:
    return settings.data_dir / "photos"


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def kept(db, model) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(model))


class FailingDisk:
    """Makes one OS call fail with `error` for files under the photo directory only (the
    database's own files are not touched), from the `after`-th such call on."""

    def __init__(self, monkeypatch, photo_dir: Path, call: str, error: int, after: int = 1):
        self.photo_dir, self.error = str(photo_dir.resolve()), error
        self.after, self.calls = after, 0
        self.original = getattr(os, call)
        self.call = call
        monkeypatch.setattr(os, call, self)

    def heal(self) -> None:
        """The operator made room (or remounted read-write)."""
        setattr(os, self.call, self.original)

    def __call__(self, *args, **kwargs):
        if self._ours(args[0]):
            self.calls += 1
            if self.calls >= self.after:
                raise OSError(self.error, os.strerror(self.error))
        return self.original(*args, **kwargs)

    def _ours(self, target) -> bool:
        if isinstance(target, int):  # a descriptor: fsync
            target = (
                os.readlink(f"/proc/self/fd/{target}") if Path("/proc/self/fd").exists() else ""
            )
        return str(target).startswith(self.photo_dir)


@pytest.mark.parametrize(
    ("call", "error", "after", "status"),
    [
        ("fsync", errno.ENOSPC, 1, 507),  # the disk filled while the image was written
        ("fsync", errno.ENOSPC, 2, 507),  # ... while its thumbnail was
        ("fsync", errno.EDQUOT, 1, 507),
        ("replace", errno.EROFS, 1, 503),  # remounted read-only under the service
        ("replace", errno.EROFS, 2, 503),
        ("mkdir", errno.EROFS, 1, 503),  # a read-only volume: not even the month's folder
        ("mkdir", errno.EACCES, 1, 503),  # a volume mounted with the wrong owner
    ],
    ids=[
        "full-image",
        "full-thumbnail",
        "quota",
        "read-only-image",
        "read-only-thumbnail",
        "read-only-folder",
        "no-permission",
    ],
)
def test_a_failing_photo_disk_is_a_clear_problem_and_leaves_no_file_and_no_row(
    floor, photo_dir, db, monkeypatch, call, error, after, status
):
    lpn = floor.unit()
    disk = FailingDisk(monkeypatch, photo_dir, call, error, after)
    response = floor.upload(lpn, image_bytes((640, 480)))
    assert disk.calls >= 1, "the failure was never reached"
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == status
    assert "nothing was kept" in response.json["detail"]
    assert files_under(photo_dir) == [], "a file (or half-written temporary file) was left"
    assert kept(db, Photo) == 0
    photo_audits = select(func.count()).select_from(AuditEntry)
    assert db.scalar(photo_audits.where(AuditEntry.action == "unit.photo_added")) == 0


def test_an_inspection_needing_evidence_cannot_point_at_a_photo_that_was_not_kept(
    floor, photo_dir, db, monkeypatch
):
    lpn = floor.unit()
    disk = FailingDisk(monkeypatch, photo_dir, "fsync", errno.ENOSPC)
    assert floor.upload(lpn, image_bytes()).status_code == 507

    # The terminal got no photo id; without one the deduction has no evidence.
    refused = floor.inspect(lpn, STAINED)
    assert refused.status_code == 422
    assert "photo_ids" in refused.json["errors"]
    made_up = floor.inspect(lpn, STAINED, photo_ids=["0190f5c4-7b3a-7cc1-9d1e-5a0c6b2f1e11"])
    assert made_up.status_code == 422
    assert kept(db, Inspection) == 0

    # The disk has room again: no restart, the upload and the inspection go through.
    disk.heal()
    photo_id = floor.photo(lpn)
    inspection = floor.inspected(lpn, STAINED, photo_ids=[photo_id])
    assert inspection["deduction"]["amount"] > 0
    db.rollback()
    [row] = db.scalars(select(Inspection)).all()
    for referenced in row.photo_ids:
        photo = db.get(Photo, uuid.UUID(referenced))
        assert (photo_dir / photo.file_name).is_file()
        assert (photo_dir / photo.thumbnail_name).is_file()
    served = floor.client.get(f"/api/v1/photos/{photo_id}", headers=floor.inspector)
    assert served.status_code == 200
    assert served.data[:2] == b"\xff\xd8"  # a JPEG


def test_a_database_on_the_same_full_disk_is_a_503_and_the_photo_files_are_removed(
    floor, photo_dir, db, monkeypatch
):
    lpn = floor.unit()

    def disk_full(*_args, **_kwargs):
        raise OperationalError("INSERT INTO audit_log", {}, Exception("database or disk is full"))

    monkeypatch.setattr(photos, "record", disk_full)
    response = floor.upload(lpn, image_bytes())
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert files_under(photo_dir) == []
    assert kept(db, Photo) == 0
