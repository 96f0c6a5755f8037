"""What is kept of an uploaded photo: an upright JPEG without metadata, and a thumbnail."""

from __future__ import annotations

import io

import pytest
from inspection_fixtures import image_bytes, png_claiming
from PIL import Image

from warehouse.inspection.imaging import ImageRefused, prepare

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAX_PIXELS = 1_000_000


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)}
    return exif


def test_exif_with_gps_is_gone_from_the_kept_image_and_thumbnail():
    upload = image_bytes((80, 60), exif=exif_with_gps(), comment=b"shot at home")
    assert Image.open(io.BytesIO(upload)).getexif().get_ifd(GPS_IFD)  # the upload has GPS
    kept = prepare(upload, max_pixels=MAX_PIXELS)
    for data in (kept.image, kept.thumbnail):
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert "comment" not in image.info
        assert b"PhoneMaker" not in data and b"shot at home" not in data


def test_a_photo_taken_sideways_is_turned_upright_by_its_exif_orientation():
    # Orientation 6: the camera was turned; the stored pixels are 80×60, the scene 60×80.
    kept = prepare(image_bytes((80, 60), exif=exif_with_gps(6)), max_pixels=MAX_PIXELS)
    assert (kept.width, kept.height) == (60, 80)
    assert Image.open(io.BytesIO(kept.image)).size == (60, 80)


def test_the_thumbnail_is_small_and_keeps_the_proportions():
    kept = prepare(image_bytes((1200, 600)), max_pixels=MAX_PIXELS)
    assert Image.open(io.BytesIO(kept.thumbnail)).size == (320, 160)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_kept_as_jpeg(fmt):
    kept = prepare(image_bytes((40, 30), fmt), max_pixels=MAX_PIXELS)
    assert Image.open(io.BytesIO(kept.image)).format == "JPEG"


def test_a_transparent_png_is_kept_on_white():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    kept = Image.open(io.BytesIO(prepare(out.getvalue(), max_pixels=MAX_PIXELS).image))
    assert kept.getpixel((5, 5)) >= (250, 250, 250)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7 not an image at all",
        b"GIF89a" + b"\x00" * 40,
        image_bytes((40, 30), "BMP"),
        image_bytes((40, 30))[:200],
    ],
    ids=["pdf-renamed", "garbage-gif", "bmp-not-accepted", "truncated-jpeg"],
)
def test_what_is_not_a_readable_jpeg_png_or_webp_is_refused(data):
    with pytest.raises(ImageRefused) as refused:
        prepare(data, max_pixels=MAX_PIXELS)
    assert refused.value.too_large is False


@pytest.mark.parametrize("size", [(2000, 2000), (60_000, 60_000)], ids=["over-limit", "bomb"])
def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(size):
    with pytest.raises(ImageRefused) as refused:
        prepare(png_claiming(*size), max_pixels=MAX_PIXELS)
    assert refused.value.too_large is True
