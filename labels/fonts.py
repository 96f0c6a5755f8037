"""Fonts for label text, Chinese included, and what to do when there is none.

Store names and product titles are Chinese. A CJK font is found, in this order, at an
explicit path the service passes in (its setting), at the usual Debian paths, or through
fontconfig. When there is none the label still prints: text falls back to DejaVu Sans (or
Pillow's built-in font), characters that font cannot draw become '?', and one warning is
logged for the process. A label that does not print would stop the receiving line; a label
whose title reads '????' only inconveniences the person holding it.

Debian packages that provide a CJK font: fonts-noto-cjk (preferred), fonts-wqy-zenhei.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

log = logging.getLogger(__name__)

#: Where Debian (and most distributions) install the CJK fonts we know to look good.
CJK_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora, Arch
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
)
#: Latin fallbacks when no CJK font is installed (fonts-dejavu-core).
FALLBACK_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
#: Characters a font must draw to count as a Chinese font (common in store names and titles).
_CJK_PROBE = "中货退"
#: A code point no font maps: it draws the font's "missing glyph" box, to compare against.
_NO_SUCH_CHAR = "\uffff"
#: Tall and deep glyphs, to find how far a font reaches above and below its baseline.
_EXTENT_PROBE = "ÁÉÅgjpqy|中国"
REPLACEMENT = "?"

_warned: set[str] = set()


@dataclass(frozen=True)
class FontFace:
    """One font file (and face within a .ttc collection); `path` None is Pillow's own font."""

    path: str | None
    index: int = 0
    cjk: bool = False

    def load(self, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        """This face at `size` pixels per em."""
        return _load(self.path, self.index, size)


@functools.lru_cache(maxsize=256)
def _load(path: str | None, index: int, size: int):
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, index=index)


def has_glyph(font, char: str) -> bool:
    """Whether `font` draws `char` as itself rather than as its missing-glyph box."""
    if char.isspace():
        return True
    return _has_glyph(font, char)


@functools.lru_cache(maxsize=8192)
def _has_glyph(font, char: str) -> bool:
    # Pillow exposes no character map, so compare bitmaps: every unmapped character renders
    # the same .notdef glyph. An empty rendering is a missing glyph too (fonts with a blank
    # .notdef, and zero-width characters that would print nothing).
    mask = font.getmask(char)
    if mask.getbbox() is None:
        return False
    notdef = font.getmask(_NO_SUCH_CHAR)
    return not (mask.size == notdef.size and bytes(mask) == bytes(notdef))


def displayable(text: str, font) -> str:
    """`text` with every character `font` cannot draw replaced by '?'."""
    return "".join(c if has_glyph(font, c) else REPLACEMENT for c in text)


def _faces_in(path: str, index: int | None = None) -> FontFace | None:
    """The best Chinese face in the font file at `path`, or None when it has none.

    In a collection (.ttc) the Simplified Chinese face is preferred: Noto's collection
    starts with the Japanese one, whose forms of some characters differ.
    """
    indices = [index] if index is not None else range(16)
    chinese = []
    for i in indices:
        try:
            font = _load(path, i, 32)
        except OSError:
            break  # past the last face of the collection, or not a font at all
        if all(has_glyph(font, c) for c in _CJK_PROBE):
            family = font.getname()[0] or ""
            chinese.append((0 if " SC" in family or "GB" in family else 1, i))
    if not chinese:
        return None
    return FontFace(path=path, index=min(chinese)[1], cjk=True)


def _fontconfig_cjk() -> FontFace | None:
    """Ask fontconfig for a Simplified Chinese sans font, when fc-match is installed.

    fc-match always answers with some font, so the answer is checked for Chinese glyphs.
    """
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        done = subprocess.run(
            [fc_match, "-f", "%{file}\n%{index}", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("fc-match failed: %s", exc)
        return None
    path, _, index = done.stdout.partition("\n")
    if not path or not Path(path).is_file():
        return None
    return _faces_in(path, int(index) if index.strip().isdigit() else None)


def find_cjk_font() -> FontFace | None:
    """An installed font that draws Chinese, from the usual paths or fontconfig."""
    for path in CJK_FONT_PATHS:
        if Path(path).is_file() and (face := _faces_in(path)) is not None:
            return face
    return _fontconfig_cjk()


def _fallback_face() -> FontFace:
    for path in FALLBACK_FONT_PATHS:
        if Path(path).is_file():
            return FontFace(path=path)
    return FontFace(path=None)


def _warn_once(message: str, *args: object) -> None:
    key = message % args
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


@functools.lru_cache(maxsize=16)
def text_face(font_path: str | None = None) -> FontFace:
    """The face label text is drawn in: `font_path` when given, else an installed CJK font.

    An explicit `font_path` (the service's setting) is used alone, so a misconfiguration
    shows as a warning instead of being papered over by whatever else is installed. Without
    a usable Chinese font, the Latin fallback and one warning.
    """
    if font_path is not None:
        try:
            _load(str(font_path), 0, 32)
        except OSError as exc:
            _warn_once(
                "label font %s cannot be loaded (%s); Chinese text on labels prints as '?'",
                font_path,
                exc,
            )
            return _fallback_face()
        face = _faces_in(str(font_path))
        if face is None:
            _warn_once("label font %s has no Chinese glyphs; Chinese text prints as '?'", font_path)
            return FontFace(path=str(font_path))
        return face
    face = find_cjk_font()
    if face is None:
        _warn_once(
            "no CJK font installed (install the Debian package fonts-noto-cjk, or set a font "
            "path); Chinese text on labels prints as '?'"
        )
        return _fallback_face()
    return face


@dataclass(frozen=True)
class SizedFont:
    """A face at the size whose glyphs fit a line `height` dots tall.

    Text is drawn at (x, `top`) so that the highest accent starts on the line's first row.
    """

    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    top: int
    height: int


@functools.lru_cache(maxsize=256)
def sized(face: FontFace, height: int) -> SizedFont:
    """`face` scaled so that its tallest and deepest glyphs fit in `height` dots."""
    reference = 100
    top, bottom = _extent(face.load(reference))
    size = max(1, int(height * reference / (bottom - top)))
    font = face.load(size)
    top, bottom = _extent(font)
    while size > 1 and bottom - top > height:  # hinting can add a dot or two
        size -= 1
        font = face.load(size)
        top, bottom = _extent(font)
    return SizedFont(font=font, top=-top, height=height)


def _extent(font) -> tuple[int, int]:
    """The rows the probe's ink covers, relative to where text drawn at y=0 starts."""
    _, top, _, bottom = font.getbbox(_EXTENT_PROBE)
    return top, bottom


def reset() -> None:
    """Forget the chosen fonts and the warnings already given (tests, changed settings)."""
    text_face.cache_clear()
    sized.cache_clear()
    _load.cache_clear()
    _has_glyph.cache_clear()
    _warned.clear()
