"""Drawing one line of label text into its box: fitted, shortened, never overflowing.

Used for PNG and PDF output and for the text of ZPL labels alike, so every output shows
the same characters in the same place.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from labels.fonts import FontFace, SizedFont, displayable, has_glyph, sized
from labels.layout import Text

ELLIPSIS = "…"


def _right_edge(font, text: str) -> int:
    return font.getbbox(text)[2] if text else 0


def fit(text: str, font, width: int) -> str:
    """`text` as drawn in `font`: undrawable characters as '?', shortened with an ellipsis so
    that it fits `width` dots."""
    shown = displayable(" ".join(text.split()), font)
    if _right_edge(font, shown) <= width:
        return shown
    ellipsis = ELLIPSIS if has_glyph(font, ELLIPSIS) else "..."
    low, high = 0, len(shown)  # the longest prefix that fits, found by bisection
    while low < high:
        mid = (low + high + 1) // 2
        if _right_edge(font, shown[:mid].rstrip() + ellipsis) <= width:
            low = mid
        else:
            high = mid - 1
    fitted = shown[:low].rstrip() + ellipsis
    return fitted if _right_edge(font, fitted) <= width else ""


def _sized_to_fit(element: Text, face: FontFace) -> SizedFont:
    font = sized(face, element.height)
    if not element.shrink:
        return font
    shown = displayable(element.text, font.font)
    height = element.height
    while height > element.height // 2 and _right_edge(font.font, shown) > element.width:
        height -= max(1, element.height // 20)
        font = sized(face, height)
    return font


def render(element: Text, face: FontFace) -> Image.Image:
    """The text of `element` as a 1-bit image exactly the size of its box (black on white)."""
    image = Image.new("1", (element.width, element.height), 1)
    font = _sized_to_fit(element, face)
    shown = fit(element.text, font.font, element.width)
    if not shown:
        return image
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"  # no anti-aliasing: a thermal dot is on or off
    spare = element.width - _right_edge(font.font, shown)
    x = {"left": 0, "center": spare // 2, "right": spare}[element.align]
    y = font.top + (element.height - font.height) // 2
    draw.text((x, y), shown, font=font.font, fill=0)
    return image
