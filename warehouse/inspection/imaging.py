"""Turning an uploaded photo into what is kept: a plain library on Pillow (no Flask, no
database).

Only JPEG, PNG and WebP are decoded (Pillow's other decoders are never tried on uploads).
The pixel count is checked from the header before anything is decoded, so a decompression
bomb costs nothing. The image is turned upright by its EXIF orientation, then re-encoded as
JPEG from the pixels alone: no EXIF (GPS, camera serials), no XMP, no comments, no ICC
profile leave the building. A thumbnail is made alongside.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageOps

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
#: Longest side kept: plenty for evidence, and a 50-megapixel upload does not fill the disk.
MAX_SIDE = 4096
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 88
THUMBNAIL_QUALITY = 80
CONTENT_TYPE = "image/jpeg"

# What Pillow raises on input it cannot decode (truncated, corrupt, lying headers).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, TypeError)


class ImageRefused(Exception):
    """Not an image we keep; `too_large` when it is one, but with too many pixels."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True)
class PreparedImage:
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    content_type: str = CONTENT_TYPE


def prepare(data: bytes, *, max_pixels: int) -> PreparedImage:
    """The upright, metadata-free JPEG and thumbnail of an uploaded JPEG, PNG or WebP."""
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            _check_pixels(probe.size, max_pixels)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as source:
            _check_pixels(source.size, max_pixels)
            source.load()
            upright = ImageOps.exif_transpose(source)
            image = _plain_rgb(upright)
    except Image.DecompressionBombError:
        raise ImageRefused("The image has too many pixels.", too_large=True) from None
    except _DECODE_ERRORS:
        raise ImageRefused("Not a readable JPEG, PNG or WebP image.") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return PreparedImage(
        image=_jpeg(image, JPEG_QUALITY),
        thumbnail=_jpeg(thumbnail, THUMBNAIL_QUALITY),
        width=image.width,
        height=image.height,
    )


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageRefused("Not a readable JPEG, PNG or WebP image.")
    if width * height > max_pixels:
        raise ImageRefused(
            f"The image is {width}×{height} pixels; at most {max_pixels:,} pixels are accepted.",
            too_large=True,
        )


def _plain_rgb(image: Image.Image) -> Image.Image:
    """The pixels as RGB (or greyscale) on a white background, with no metadata attached."""
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        plain = Image.new("RGB", rgba.size, (255, 255, 255))
        plain.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode in ("RGB", "L"):
        plain = image.copy()
    else:
        plain = image.convert("RGB")
    plain.info = {}
    return plain


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
