"""Code 128 symbols sized in whole printer dots.

python-barcode computes the symbol (start code, subsets, check character, stop pattern) as a
string of modules, '1' for bar and '0' for space. Its own image writer scales that pattern
by a float module width and lets the resampling blur bar edges; a thermal printer cannot
print half a dot, so a blurred edge becomes a bar one dot too wide or too narrow, and enough
of those make a label that does not scan. Here every module is a whole number of dots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import barcode
from barcode.errors import BarcodeError

from labels.errors import CodeTooLong, UnencodableText
from labels.geometry import dots_per_mm, min_dots

#: Blank modules required on each side of the bars (ISO/IEC 15417 asks for 10).
QUIET_MODULES = 10
#: The narrowest module we print: 0.25 mm (2 dots at 203 dpi, 3 at 300), which hand-held
#: warehouse scanners read reliably off thermal labels.
MIN_MODULE_MM = 0.25
#: ^BY in ZPL takes 1 to 10 dots per module.
MAX_MODULE_DOTS = 10


def check_encodable(text: str) -> str:
    """`text` when Code 128 can carry it and a scanner would type it back unchanged.

    Printable ASCII only: Code 128 could carry control characters, but a keyboard-wedge
    scanner turns them into keystrokes, and anything non-ASCII is not in Code 128 at all.
    Spaces at either end are refused because scanners (and `scanners.parse`) strip them.
    """
    if not isinstance(text, str) or not text:
        raise UnencodableText("a barcode needs some text")
    bad = sorted({c for c in text if not " " <= c <= "~"})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise UnencodableText(f"Code 128 cannot carry {shown} in {text!r}: printable ASCII only")
    if text != text.strip():
        raise UnencodableText(f"{text!r} starts or ends with a space, which scanners drop")
    return text


def modules(text: str) -> str:
    """The symbol of `text` as modules, '1' for bar and '0' for space, quiet zones excluded."""
    check_encodable(text)
    try:
        (pattern,) = barcode.get("code128", text).build()
    except BarcodeError as exc:  # check_encodable should have caught it; say so clearly
        raise UnencodableText(str(exc)) from exc
    return pattern


def subset_b_modules(text: str) -> int:
    """Modules of `text` encoded in subset B alone: start, data, check, stop (13 modules).

    The ZPL printer builds its own symbol from ^FD in subset B, which is never shorter than
    python-barcode's, so a layout sized for the larger of the two fits both outputs.
    """
    return 11 * (len(text) + 3) + 2


@dataclass(frozen=True)
class Code128:
    """A Code 128 symbol for one label: its text, modules and dots per module."""

    text: str
    pattern: str
    module: int

    @property
    def width(self) -> int:
        """Width of the bars alone, in dots."""
        return len(self.pattern) * self.module

    @property
    def quiet(self) -> int:
        """Width of each quiet zone, in dots."""
        return QUIET_MODULES * self.module

    @property
    def reserved_modules(self) -> int:
        """Modules the layout keeps free for this symbol: the longer encoding plus quiet zones."""
        return max(len(self.pattern), subset_b_modules(self.text)) + 2 * QUIET_MODULES

    def bar_runs(self) -> list[tuple[int, int]]:
        """Each bar as (left dot, width in dots), measured from the first bar."""
        runs: list[tuple[int, int]] = []
        start = None
        for i, module in enumerate([*self.pattern, "0"]):
            if module == "1" and start is None:
                start = i
            elif module == "0" and start is not None:
                runs.append((start * self.module, (i - start) * self.module))
                start = None
        return runs


def plan(text: str, available_dots: int, dpi: int, max_module_mm: float) -> Code128:
    """The widest whole-dot module, up to `max_module_mm`, at which `text` and its quiet zones
    fit in `available_dots`; CodeTooLong when even 0.25 mm modules do not fit."""
    pattern = modules(text)
    needed = max(len(pattern), subset_b_modules(text)) + 2 * QUIET_MODULES
    smallest = min_dots(MIN_MODULE_MM, dpi)
    largest = min(MAX_MODULE_DOTS, max(smallest, math.floor(max_module_mm * dots_per_mm(dpi))))
    module = min(largest, available_dots // needed)
    if module < smallest:
        per_mm = dots_per_mm(dpi)
        raise CodeTooLong(
            f"{text!r} needs {needed * smallest / per_mm:.1f} mm at {MIN_MODULE_MM} mm modules "
            f"with quiet zones; the label has {available_dots / per_mm:.1f} mm"
        )
    return Code128(text=text, pattern=pattern, module=module)
