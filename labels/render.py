"""What the service calls: a label in, PNG, PDF or ZPL bytes out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from PIL import Image

import labels.fonts as fonts
import labels.kinds as kinds
import labels.pdf as pdf
import labels.png as png
import labels.zpl as zpl
from labels.errors import LabelError, UnsupportedFormat
from labels.geometry import check_dpi
from labels.kinds import BinLabel, ReturnSlip, UnitLabel

Format = Literal["png", "pdf", "zpl"]
AnyLabel = UnitLabel | ReturnSlip | BinLabel
FORMATS = ("png", "pdf", "zpl")
#: Content types for the service's responses (ZPL has no registered one; this is the usual).
MEDIA_TYPES = {"png": "image/png", "pdf": "application/pdf", "zpl": "application/zpl"}


def label_image(label: AnyLabel, dpi: int = 203, *, font_path: str | None = None) -> Image.Image:
    """The label as a 1-bit Pillow image, one pixel per printer dot."""
    return png.draw(kinds.layout(label, check_dpi(dpi)), fonts.text_face(font_path))


def render_label(
    label: AnyLabel, fmt: Format = "png", dpi: int = 203, *, font_path: str | None = None
) -> bytes:
    """`label` as PNG, a one-page PDF at label size, or ZPL, for a printer of `dpi` (203/300).

    `font_path` is the service's font setting (a CJK font file); None finds one installed.
    Raises a LabelError (a ValueError) for a bad dpi or format and for text or codes that
    cannot be printed so that they scan.
    """
    if fmt not in FORMATS:
        raise UnsupportedFormat(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    layout = kinds.layout(label, check_dpi(dpi))
    face = fonts.text_face(font_path)
    if fmt == "zpl":
        return zpl.write(layout, face)
    image = png.draw(layout, face)
    return png.to_png(image, dpi) if fmt == "png" else pdf.pages_to_pdf([image], dpi)


def render_unit_label(
    label: UnitLabel, fmt: Format = "png", dpi: int = 203, *, font_path: str | None = None
) -> bytes:
    """A unit's 50 × 30 mm LPN label; see render_label."""
    return render_label(_expect(label, UnitLabel), fmt, dpi, font_path=font_path)


def render_return_slip(
    slip: ReturnSlip, fmt: Format = "png", dpi: int = 203, *, font_path: str | None = None
) -> bytes:
    """A return's 100 × 150 mm slip; see render_label."""
    return render_label(_expect(slip, ReturnSlip), fmt, dpi, font_path=font_path)


def render_bin_label(
    label: BinLabel, fmt: Format = "png", dpi: int = 203, *, font_path: str | None = None
) -> bytes:
    """A bin location's 100 × 50 mm label; see render_label."""
    return render_label(_expect(label, BinLabel), fmt, dpi, font_path=font_path)


def render_labels_pdf(
    labels: Iterable[AnyLabel], dpi: int = 203, *, font_path: str | None = None
) -> bytes:
    """Several labels as one PDF, one page per label at the label's size (e.g. every unit
    label of one parcel, sent to a label printer through its driver)."""
    images = [label_image(label, dpi, font_path=font_path) for label in labels]
    return pdf.pages_to_pdf(images, dpi)


def render_labels_zpl(
    labels: Iterable[AnyLabel], dpi: int = 203, *, font_path: str | None = None
) -> bytes:
    """Several labels as one ZPL job: one ^XA … ^XZ format after another."""
    jobs = [render_label(label, "zpl", dpi, font_path=font_path) for label in labels]
    if not jobs:
        raise LabelError("a print job needs at least one label")
    return b"".join(jobs)


def render_sheet(
    labels: Sequence[UnitLabel], dpi: int = 300, *, font_path: str | None = None
) -> bytes:
    """Unit labels on A4 pages for an office printer: a grid of 50 × 30 mm labels with dashed
    cutting guides, as many pages as needed. `dpi` is the resolution the labels are drawn at."""
    images = [label_image(_expect(label, UnitLabel), dpi, font_path=font_path) for label in labels]
    return pdf.pages_to_pdf(pdf.sheets(images, dpi), dpi)


def _expect(label, kind: type):
    if not isinstance(label, kind):
        raise TypeError(f"expected a {kind.__name__}, got {type(label).__name__}")
    return label
