"""Photos of units: upload (checked, upright, stripped of metadata, with a thumbnail), kept as
files under the data directory, served to staff and to the store that owns the unit.

A photo's row is written only after both its files are in place, and the files are removed
again if the row cannot be written: no row ever points at a missing file. (A crash between
the two leaves an orphan file, never a broken row.) A full or read-only disk is answered
507 or 503 with nothing written.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import uuid
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.db import end_read, new_id, read_only_transactions, transaction
from warehouse.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    StorageFull,
    StorageUnavailable,
)
from warehouse.inspection import imaging
from warehouse.inspection.models import Photo
from warehouse.inspection.units import find_unit
from warehouse.texts import Text

log = logging.getLogger(__name__)

MAX_PHOTOS_PER_UNIT = 50
API_PREFIX = "/api/v1"


class PhotoStorage(Protocol):
    """Where photo files live. `put` makes a file appear whole or not at all."""

    def put(self, name: str, data: bytes) -> None: ...

    def open(self, name: str) -> BinaryIO: ...

    def delete(self, name: str) -> None: ...


class DiskPhotoStorage:
    """Files under a directory (a shared volume when several hosts serve the API)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"photo file name outside the photo directory: {name!r}")
        return path

    def put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            with open(temporary, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def open(self, name: str) -> BinaryIO:
        return open(self._path(name), "rb")

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)


def photo_urls(photo_id: uuid.UUID | str) -> dict:
    return {
        "id": str(photo_id),
        "url": f"{API_PREFIX}/photos/{photo_id}",
        "thumbnail_url": f"{API_PREFIX}/photos/{photo_id}/thumbnail",
    }


def photo_view(photo: Photo) -> dict:
    return {
        **photo_urls(photo.id),
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
        "size_bytes": photo.size_bytes,
        "sha256": photo.sha256,
        "uploaded_by": photo.uploaded_by,
        "created_at": photo.created_at.isoformat(),
    }


def add_photo(
    session: Session,
    ctx: Context,
    storage: PhotoStorage,
    lpn: str,
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
) -> Photo:
    """Checks and keeps a photo of the unit `lpn`. Owns its transaction, and the files'."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"A photo may be at most {max_bytes:,} bytes.")
    if not data:
        raise InvalidInput({"file": ["The file is empty."]})
    # Look the unit up without holding a write lock while the image is decoded.
    with read_only_transactions():
        unit = find_unit(session, ctx, lpn)
        unit_id, store_id, unit_lpn = unit.id, unit.store_id, unit.lpn
        end_read(session)
    try:
        prepared = imaging.prepare(data, max_pixels=max_pixels)
    except imaging.ImageRefused as refused:
        raise InvalidInput({"file": [str(refused)]}) from None

    photo_id = new_id()
    stem = f"{ctx.now:%Y/%m}/{photo_id}"
    names = (f"{stem}.jpg", f"{stem}.thumb.jpg")
    written: list[str] = []
    try:
        for name, content in zip(names, (prepared.image, prepared.thumbnail), strict=True):
            storage.put(name, content)
            written.append(name)
    except OSError as exc:
        _remove(storage, written)
        raise _storage_problem(exc) from None

    try:
        with transaction(session):
            count = session.scalar(
                select(func.count()).select_from(Photo).where(Photo.unit_id == unit_id)
            )
            if count >= MAX_PHOTOS_PER_UNIT:
                raise Conflict(
                    Text("The unit has {count} photos already, the most it may have.", count=count)
                )
            photo = Photo(
                id=photo_id,
                unit_id=unit_id,
                store_id=store_id,
                file_name=names[0],
                thumbnail_name=names[1],
                content_type=prepared.content_type,
                width=prepared.width,
                height=prepared.height,
                size_bytes=len(prepared.image),
                sha256=hashlib.sha256(prepared.image).hexdigest(),
                uploaded_by=ctx.actor.label[:64],
                terminal_id=ctx.terminal_id,
                created_at=ctx.now,
            )
            session.add(photo)
            record(
                session,
                ctx,
                "unit.photo_added",
                "unit",
                unit_lpn,
                store_id=store_id,
                after={"photo_id": str(photo_id), "width": photo.width, "height": photo.height},
            )
    except BaseException:
        _remove(storage, written)
        raise
    return photo


def _remove(storage: PhotoStorage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            log.exception("could not remove the photo file %s; it is an orphan now", name)


def _storage_problem(exc: OSError) -> DomainError:
    log.error("photo storage failed: %s", exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFull("The photo store is full; nothing was kept. Tell a supervisor.")
    return StorageUnavailable(
        "The photo store cannot be written to right now; nothing was kept. Retry shortly."
    )


def get_photo(session: Session, ctx: Context, photo_id: uuid.UUID) -> Photo:
    """The photo, to staff or to the store that owns its unit (anyone else: not found)."""
    photo = session.get(Photo, photo_id)
    if photo is None or (ctx.store_scope is not None and photo.store_id != ctx.store_scope):
        raise NotFound(Text("No such photo."))
    return photo


def open_photo_file(storage: PhotoStorage, photo: Photo, *, thumbnail: bool) -> BinaryIO:
    """The photo's (or its thumbnail's) file, opened for reading."""
    name = photo.thumbnail_name if thumbnail else photo.file_name
    try:
        return storage.open(name)
    except FileNotFoundError:
        log.error("photo %s: its file %s is missing", photo.id, name)
        raise NotFound(Text("The photo's file is missing.")) from None
    except OSError as exc:
        raise _storage_problem(exc) from None


def photos_of_unit(session: Session, unit_id: uuid.UUID, ids: list[str]) -> set[str]:
    """Which of `ids` are photos of the unit."""
    wanted = []
    for text in ids:
        try:
            wanted.append(uuid.UUID(text))
        except ValueError:
            continue
    if not wanted:
        return set()
    rows = session.scalars(select(Photo.id).where(Photo.unit_id == unit_id, Photo.id.in_(wanted)))
    return {str(row) for row in rows}
