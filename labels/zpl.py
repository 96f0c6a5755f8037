"""Layouts written as ZPL II for Zebra thermal printers.

Barcodes and QR codes are the printer's own (^BC, ^BQ) at the module width the layout chose,
so the printer draws them at its full resolution. Text is sent as a bitmap (^GF) drawn with
the same font as the PNG: a Zebra has no Chinese font unless one is bought and installed, and
measuring the text ourselves is what guarantees it is shortened rather than overflowing.

Field data never contains the ZPL prefixes ^ and ~: Code 128 data uses the ^BC invocation
codes Zebra defines for them, and other field data is hex-escaped after ^FH.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageOps

import labels.code128 as code128
import labels.qr as qr
import labels.text as text
from labels.fonts import FontFace
from labels.layout import Barcode, Box, Layout, QrCode, Text

#: Code 128 characters that ^BC field data must spell as invocation codes (ZPL II guide,
#: "Code 128 Invocation Characters": values 62, 30 and 94 of subset B).
_BC_INVOCATIONS = {"^": "><", ">": ">0", "~": ">="}
_BC_START_B = ">:"


def field_data(value: str) -> str:
    """`value` for a ^FD preceded by ^FH: '^', '~', '_' (the hex indicator), control and
    non-ASCII characters become _XX hex escapes of their UTF-8 bytes (the labels use ^CI28)."""
    out = []
    for char in value:
        if " " <= char <= "~" and char not in "^~_":
            out.append(char)
        else:
            out.extend(f"_{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def code128_data(value: str) -> str:
    """`value` as ^BC field data in subset B, which is what the layout reserved room for."""
    code128.check_encodable(value)
    return _BC_START_B + "".join(_BC_INVOCATIONS.get(char, char) for char in value)


def _ink(image: Image.Image) -> Image.Image:
    """`image` with its black dots set and its white dots clear (mode "1" has it the other way)."""
    return ImageOps.invert(image.convert("L")).convert("1")


def graphic_field(image: Image.Image) -> str:
    """A 1-bit image (black on white) as a ^GFA command: hex rows, 1 bits print."""
    ink = _ink(image)
    row_bytes = (image.width + 7) // 8
    data = ink.tobytes()
    return f"^GFA,{len(data)},{len(data)},{row_bytes},{data.hex().upper()}"


@functools.lru_cache(maxsize=4096)
def _text(element: Text, face: FontFace) -> str:
    """The ^GF bitmap of one text element. Cached: a dock prints the same SKUs, titles and
    grade lines all day, and drawing the text is nearly all the time a ZPL label takes."""
    image = text.render(element, face)
    bbox = _ink(image).getbbox()
    if bbox is None:
        return ""
    left, top, _, _ = bbox
    return f"^FO{element.x + left},{element.y + top}{graphic_field(image.crop(bbox))}^FS"


def _barcode(element: Barcode) -> str:
    symbol = element.symbol
    width = code128.subset_b_modules(symbol.text) * symbol.module
    x = element.x + (element.width - width) // 2
    gap = max(1, element.text_height // 8)
    font = f"^A0N,{element.text_height - gap},{(element.text_height - gap) * 3 // 4}"
    interpretation = "Y" if element.text_height else "N"
    return (
        f"^FO{x},{element.y}^BY{symbol.module}{font}"
        f"^BCN,{element.bar_height},{interpretation},N,N"
        f"^FD{code128_data(symbol.text)}^FS"
    )


def _qr(element: QrCode) -> str:
    return (
        f"^FO{element.x},{element.y}^BQN,2,{element.module}"
        f"^FH^FD{qr.ERROR_LEVEL}A,{field_data(element.data)}^FS"
    )


def _box(element: Box) -> str:
    thickness = min(element.width, element.height)
    return f"^FO{element.x},{element.y}^GB{element.width},{element.height},{thickness}^FS"


def write(layout: Layout, face: FontFace) -> bytes:
    """One ZPL label format (^XA … ^XZ) for a printer of `layout.dpi`, as ASCII bytes."""
    commands = ["^XA", "^CI28", f"^PW{layout.width}", f"^LL{layout.height}", "^LH0,0"]
    for element in layout.elements:
        if isinstance(element, Text):
            command = _text(element, face)
        elif isinstance(element, Barcode):
            command = _barcode(element)
        elif isinstance(element, QrCode):
            command = _qr(element)
        elif isinstance(element, Box):
            command = _box(element)
        else:  # pragma: no cover - a new element type without ZPL is a programming error
            raise TypeError(f"cannot write {element!r} as ZPL")
        if command:
            commands.append(command)
    commands.extend(["^PQ1", "^XZ"])
    return ("\n".join(commands) + "\n").encode("ascii")
