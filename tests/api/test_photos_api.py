"""Photos of units: real images only, size- and pixel-limited, upright and without EXIF,
kept whole or not at all, shown to staff and to the owning store only."""

from __future__ import annotations

import errno
import io

import pytest
from factories import bearer
from inspection_fixtures import Floor, image_bytes, png_claiming
from PIL import Image

from warehouse.config import Settings
from warehouse.inspection import photos
from warehouse.inspection.models import Photo

GPS_IFD = 0x8825
MAX_BYTES = 200_000
MAX_PIXELS = 4_000_000


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        photo_max_bytes=MAX_BYTES,
        photo_max_pixels=MAX_PIXELS,
    )


@pytest.fixture
def floor(app, client, store, staff_token):
    return Floor(app, client, store, staff_token)


@pytest.fixture
def photo_dir(settings):
    return settings.data_dir / "photos"


def stored_files(photo_dir) -> list:
    return sorted(p for p in photo_dir.rglob("*") if p.is_file()) if photo_dir.exists() else []


def gps_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    return exif


def test_a_photo_is_kept_upright_without_exif_and_served_with_a_thumbnail(floor, photo_dir):
    lpn = floor.unit()
    upload = image_bytes((400, 300), exif=gps_exif(orientation=6))
    response = floor.upload(lpn, upload)
    assert response.status_code == 201
    body = response.json
    assert body["url"] == f"/api/v1/photos/{body['id']}"
    assert (body["width"], body["height"]) == (300, 400)
    assert response.headers["Location"] == body["url"]

    served = floor.client.get(body["url"], headers=floor.inspector)
    assert served.status_code == 200
    assert served.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (300, 400)
    assert len(image.getexif()) == 0
    assert "exif" not in image.info
    thumbnail = floor.client.get(body["thumbnail_url"], headers=floor.inspector)
    assert Image.open(io.BytesIO(thumbnail.data)).size == (240, 320)
    assert len(stored_files(photo_dir)) == 2


def test_the_owning_store_sees_the_photo_and_another_store_does_not(floor, make_store):
    lpn = floor.unit()
    photo_id = floor.photo(lpn)
    assert floor.client.get(f"/api/v1/photos/{photo_id}", headers=floor.store).status_code == 200
    _, other_key = make_store("店铺乙")
    for url in (f"/api/v1/photos/{photo_id}", f"/api/v1/photos/{photo_id}/thumbnail"):
        response = floor.client.get(url, headers=bearer(other_key))
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"


def test_a_receiver_may_look_at_photos_but_not_take_them(floor):
    lpn = floor.unit()
    photo_id = floor.photo(lpn)
    assert floor.client.get(f"/api/v1/photos/{photo_id}", headers=floor.receiver).status_code == 200
    assert floor.upload(lpn, image_bytes(), headers=floor.receiver).status_code == 403


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n1 0 obj", b"MZ\x90\x00 a renamed program", image_bytes((50, 50), "GIF"), b""],
    ids=["pdf", "exe", "gif", "empty"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_a_422_and_nothing_is_kept(floor, photo_dir, data):
    lpn = floor.unit()
    response = floor.upload(lpn, data, name="photo.jpg")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "file" in response.json["errors"]
    assert floor.count(Photo) == 0
    assert stored_files(photo_dir) == []


def test_a_request_without_the_file_part_is_a_422(floor):
    lpn = floor.unit()
    response = floor.client.post(
        f"/api/v1/units/{lpn}/photos",
        data={"photo": (io.BytesIO(image_bytes()), "x.jpg")},
        headers=floor.inspector,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.json["errors"]


@pytest.mark.parametrize("size", [MAX_BYTES + 1, 3 * MAX_BYTES], ids=["just-over", "far-over"])
def test_a_photo_over_the_size_limit_is_a_413_and_nothing_is_kept(floor, photo_dir, size):
    lpn = floor.unit()
    data = image_bytes((10, 10)) + b"\x00" * size
    response = floor.upload(lpn, data)
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert floor.count(Photo) == 0
    assert stored_files(photo_dir) == []


def test_a_photo_larger_than_the_json_limit_but_within_its_own_is_accepted(app, floor):
    # The app refuses JSON bodies over 1 MiB; photos have their own, larger limit.
    app.config["MAX_CONTENT_LENGTH"] = 1000
    lpn = floor.unit()
    assert floor.upload(lpn, image_bytes((300, 300), quality=95)).status_code == 201


def test_a_decompression_bomb_is_refused_before_it_is_decoded(floor, photo_dir):
    lpn = floor.unit()
    response = floor.upload(lpn, png_claiming(50_000, 50_000), name="bomb.png")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "pixels" in response.json["detail"]
    assert floor.count(Photo) == 0
    assert stored_files(photo_dir) == []


def test_a_photo_of_an_unknown_unit_is_not_found_and_not_kept(floor, photo_dir):
    response = floor.upload("LPNB2SYBVAT6E", image_bytes())
    assert response.status_code == 404
    assert stored_files(photo_dir) == []


class BrokenStorage(photos.DiskPhotoStorage):
    """Disk storage that fails on the `fail_on`-th write with `error`."""

    def __init__(self, root, error: int, fail_on: int = 1) -> None:
        super().__init__(root)
        self.error, self.fail_on, self.writes = error, fail_on, 0

    def put(self, name, data):
        self.writes += 1
        if self.writes == self.fail_on:
            raise OSError(self.error, "simulated")
        super().put(name, data)


@pytest.mark.parametrize(
    ("error", "status"),
    [(errno.ENOSPC, 507), (errno.EDQUOT, 507), (errno.EROFS, 503), (errno.EIO, 503)],
    ids=["disk-full", "quota", "read-only", "io-error"],
)
@pytest.mark.parametrize("fail_on", [1, 2], ids=["image", "thumbnail"])
def test_a_storage_failure_is_a_problem_and_leaves_no_row_and_no_file(
    app, floor, photo_dir, error, status, fail_on
):
    lpn = floor.unit()
    app.extensions["warehouse.photo_storage"] = BrokenStorage(photo_dir, error, fail_on)
    response = floor.upload(lpn, image_bytes())
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert floor.count(Photo) == 0
    assert stored_files(photo_dir) == []


def test_when_the_row_cannot_be_written_the_files_are_removed(floor, photo_dir, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTOS_PER_UNIT", 1)
    lpn = floor.unit()
    floor.photo(lpn)
    assert floor.upload(lpn, image_bytes()).status_code == 409
    assert floor.count(Photo) == 1
    assert len(stored_files(photo_dir)) == 2


def test_a_missing_file_is_a_404_not_a_crash(floor, photo_dir):
    lpn = floor.unit()
    photo_id = floor.photo(lpn)
    for path in stored_files(photo_dir):
        path.unlink()
    response = floor.client.get(f"/api/v1/photos/{photo_id}", headers=floor.inspector)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_photos_are_kept_under_the_data_directory(floor, photo_dir, settings):
    lpn = floor.unit()
    photo_id = floor.photo(lpn)
    files = stored_files(photo_dir)
    assert [f.name for f in files] == [f"{photo_id}.jpg", f"{photo_id}.thumb.jpg"]
    assert all(settings.data_dir in f.parents for f in files)
