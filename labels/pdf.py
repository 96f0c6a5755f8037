"""PDF output: labels one per page at their own size, and A4 sheets for office printers.

Pillow writes the PDF. Its pages are the 1-bit label bitmaps, stored losslessly (CCITT G4,
or uncompressed when Pillow lacks libtiff: its other choice for 1-bit images is JPEG, which
would grey the bar edges), at the printer's exact dot density, so a page printed at 100 %
is the label's size in millimetres.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, features

from labels.errors import LabelError
from labels.geometry import mm_to_dots, physical_dpi

A4_MM = (210, 297)
SHEET_MARGIN_MM = 10
SHEET_GAP_MM = (5, 4)
#: Dashed cutting guides this far outside each label, clear of its quiet zones.
CUT_GUIDE_MM = 1


def _lossless(image: Image.Image) -> Image.Image:
    if image.mode == "1" and not features.check("libtiff"):
        return image.convert("L").convert("P")
    return image


def pages_to_pdf(pages: Sequence[Image.Image], dpi: int) -> bytes:
    """One PDF page per image, each the image's size at the printer's dot density."""
    if not pages:
        raise LabelError("a PDF needs at least one label")
    first, *rest = (_lossless(page) for page in pages)
    buffer = io.BytesIO()
    first.save(
        buffer,
        "PDF",
        save_all=True,
        append_images=rest,
        resolution=physical_dpi(dpi),
        title="Labels",
    )
    return buffer.getvalue()


def sheet_grid(label_size: tuple[int, int], dpi: int) -> list[tuple[int, int]]:
    """Top-left corners, in dots, of the labels that fit on one A4 page, row by row."""
    page_w, page_h = (mm_to_dots(v, dpi) for v in A4_MM)
    margin = mm_to_dots(SHEET_MARGIN_MM, dpi)
    gap_x, gap_y = (mm_to_dots(v, dpi) for v in SHEET_GAP_MM)
    label_w, label_h = label_size
    columns = (page_w - 2 * margin + gap_x) // (label_w + gap_x)
    rows = (page_h - 2 * margin + gap_y) // (label_h + gap_y)
    if columns < 1 or rows < 1:
        raise LabelError("the label is larger than an A4 page")
    left = (page_w - (columns * (label_w + gap_x) - gap_x)) // 2
    return [
        (left + c * (label_w + gap_x), margin + r * (label_h + gap_y))
        for r in range(rows)
        for c in range(columns)
    ]


def sheets(labels: Sequence[Image.Image], dpi: int) -> list[Image.Image]:
    """A4 pages holding `labels` (all of one size) in a grid, with dashed cutting guides."""
    if not labels:
        raise LabelError("a sheet needs at least one label")
    size = labels[0].size
    grid = sheet_grid(size, dpi)
    page_size = tuple(mm_to_dots(v, dpi) for v in A4_MM)
    guide = mm_to_dots(CUT_GUIDE_MM, dpi)
    dash = mm_to_dots(1, dpi)
    pages = []
    for start in range(0, len(labels), len(grid)):
        page = Image.new("1", page_size, 1)
        pen = ImageDraw.Draw(page)
        for image, (x, y) in zip(labels[start : start + len(grid)], grid, strict=False):
            page.paste(image, (x, y))
            _dashed_box(pen, x - guide, y - guide, size[0] + 2 * guide, size[1] + 2 * guide, dash)
        pages.append(page)
    return pages


def _dashed_box(pen: ImageDraw.ImageDraw, x: int, y: int, w: int, h: int, dash: int) -> None:
    for start in range(0, w, 2 * dash):
        end = min(start + dash, w) - 1
        pen.line((x + start, y, x + end, y), fill=0)
        pen.line((x + start, y + h - 1, x + end, y + h - 1), fill=0)
    for start in range(0, h, 2 * dash):
        end = min(start + dash, h) - 1
        pen.line((x, y + start, x, y + end), fill=0)
        pen.line((x + w - 1, y + start, x + w - 1, y + end), fill=0)
