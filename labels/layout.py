"""A label laid out in printer dots: what goes where, for every output format.

Each label kind (kinds.py) is laid out once per dpi into these elements; png.py draws them
onto a bitmap and zpl.py writes them as ZPL commands, so the two outputs agree on every
position. Sizes are whole dots; nothing downstream scales them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from labels.code128 import Code128

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    """One line of text inside the box (x, y, width, height): it never leaves the box.

    Too long, it is shortened with an ellipsis; with `shrink`, it is first drawn smaller
    (down to half the height), for text such as a bin code that should not lose characters.
    """

    x: int
    y: int
    width: int
    height: int
    text: str
    align: Align = "left"
    shrink: bool = False

    @property
    def extent(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) of everything the element may print."""
        return self.x, self.y, self.width, self.height


@dataclass(frozen=True)
class Barcode:
    """A Code 128 symbol centred in the box (x, y, width): bars `bar_height` dots tall, then
    its text, `text_height` dots tall, under the bars. The box holds both quiet zones."""

    x: int
    y: int
    width: int
    bar_height: int
    text_height: int
    symbol: Code128

    @property
    def extent(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) of everything the element may print, quiet zones included."""
        return self.x, self.y, self.width, self.bar_height + self.text_height

    @property
    def bar_x(self) -> int:
        """Left edge of the first bar in the bitmap (python-barcode's encoding)."""
        return self.x + (self.width - self.symbol.width) // 2


@dataclass(frozen=True)
class QrCode:
    """A QR code of `data` with its top-left corner at (x, y), `module` dots per module.

    `matrix` holds the rows of the symbol (1 dark, 0 light) without its quiet zone; the layout
    keeps four light modules free around it.
    """

    x: int
    y: int
    module: int
    data: str
    matrix: tuple[tuple[int, ...], ...]

    @property
    def size(self) -> int:
        """Width and height of the symbol in dots, quiet zone excluded."""
        return len(self.matrix) * self.module

    @property
    def extent(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the symbol, quiet zone excluded."""
        return self.x, self.y, self.size, self.size


@dataclass(frozen=True)
class Box:
    """A filled black rectangle: the rules between sections."""

    x: int
    y: int
    width: int
    height: int

    @property
    def extent(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the rectangle."""
        return self.x, self.y, self.width, self.height


Element = Text | Barcode | QrCode | Box


@dataclass(frozen=True)
class Layout:
    """A whole label: its size in dots, the dpi they are for, and its elements."""

    width: int
    height: int
    dpi: int
    elements: tuple[Element, ...]
