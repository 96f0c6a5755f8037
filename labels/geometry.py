"""Millimetres to printer dots.

Label printers come in 203 dpi (8 dots/mm) and 300 dpi (12 dots/mm); both figures are the
makers' own, and ZPL positions are whole dots, so every size in this library is stated in
millimetres and turned into dots here, once, by the printer's dots per millimetre. A label
laid out in dots for one printer is never resampled for the other: it is laid out again.
"""

from __future__ import annotations

from labels.errors import UnsupportedDpi

#: Printer resolutions the labels support, in dots per inch, and their dots per millimetre.
DOTS_PER_MM = {203: 8, 300: 12}
SUPPORTED_DPI = tuple(DOTS_PER_MM)
MM_PER_INCH = 25.4


def check_dpi(dpi: object) -> int:
    """`dpi` itself when it is 203 or 300; otherwise UnsupportedDpi (a ValueError)."""
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi not in DOTS_PER_MM:
        raise UnsupportedDpi(
            f"dpi must be one of {', '.join(map(str, SUPPORTED_DPI))}, not {dpi!r}"
        )
    return dpi


def dots_per_mm(dpi: int) -> int:
    """Whole dots per millimetre of a 203 or 300 dpi printer."""
    return DOTS_PER_MM[check_dpi(dpi)]


def mm_to_dots(mm: float, dpi: int) -> int:
    """`mm` millimetres as a whole number of dots, rounded to the nearest dot."""
    return round(mm * dots_per_mm(dpi))


def min_dots(mm: float, dpi: int) -> int:
    """The fewest whole dots that are at least `mm` millimetres wide."""
    per_mm = dots_per_mm(dpi)
    # Rounded first so that 0.25 mm at 12 dots/mm is 3 dots, not 4 from float noise.
    return max(1, -(-round(mm * per_mm * 1000) // 1000))


def physical_dpi(dpi: int) -> float:
    """The exact density of the dot grid (203.2 or 304.8 dpi), for PNG and PDF metadata.

    Written into images so that a PDF page or a PNG printed at 100 % is exactly the label's
    size in millimetres rather than 1.6 % off (300 dpi printers really print 12 dots/mm).
    """
    return dots_per_mm(dpi) * MM_PER_INCH
