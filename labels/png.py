"""Layouts drawn as 1-bit bitmaps, one pixel per printer dot, and written as PNG.

Bars and QR modules are filled rectangles of whole dots in pure black; nothing is scaled
or anti-aliased, so what a thermal printer (or a scanner looking at the screen) sees is
exactly the symbol python-barcode computed.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

import labels.text as text
from labels.fonts import FontFace
from labels.geometry import physical_dpi
from labels.layout import Barcode, Box, Layout, QrCode, Text

BLACK, WHITE = 0, 1


def draw(layout: Layout, face: FontFace) -> Image.Image:
    """The label as a mode "1" image of `layout.width` × `layout.height` dots."""
    image = Image.new("1", (layout.width, layout.height), WHITE)
    pen = ImageDraw.Draw(image)
    for element in layout.elements:
        if isinstance(element, Text):
            image.paste(text.render(element, face), (element.x, element.y))
        elif isinstance(element, Barcode):
            _draw_barcode(image, pen, element, face)
        elif isinstance(element, QrCode):
            _draw_qr(pen, element)
        elif isinstance(element, Box):
            _fill(pen, element.x, element.y, element.width, element.height)
        else:  # pragma: no cover - a new element type without a drawing is a programming error
            raise TypeError(f"cannot draw {element!r}")
    return image


def _fill(pen: ImageDraw.ImageDraw, x: int, y: int, width: int, height: int) -> None:
    # ImageDraw's rectangles include their last row and column, hence the - 1.
    pen.rectangle((x, y, x + width - 1, y + height - 1), fill=BLACK)


def _draw_barcode(image: Image.Image, pen: ImageDraw.ImageDraw, element: Barcode, face) -> None:
    for left, width in element.symbol.bar_runs():
        _fill(pen, element.bar_x + left, element.y, width, element.bar_height)
    if element.text_height:
        caption = Text(
            x=element.x,
            y=element.y + element.bar_height + max(1, element.text_height // 8),
            width=element.width,
            height=element.text_height - max(1, element.text_height // 8),
            text=element.symbol.text,
            align="center",
            shrink=True,
        )
        image.paste(text.render(caption, face), (caption.x, caption.y))


def _draw_qr(pen: ImageDraw.ImageDraw, element: QrCode) -> None:
    m = element.module
    for row, modules in enumerate(element.matrix):
        for col, dark in enumerate(modules):
            if dark:
                _fill(pen, element.x + col * m, element.y + row * m, m, m)


def to_png(image: Image.Image, dpi: int) -> bytes:
    """`image` as PNG bytes, tagged with the printer's exact dot density."""
    buffer = io.BytesIO()
    density = physical_dpi(dpi)
    image.save(buffer, "PNG", dpi=(density, density))
    return buffer.getvalue()
