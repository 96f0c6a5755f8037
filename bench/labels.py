"""How long the labels library takes per label, per format and dpi (median milliseconds).

Run: .venv/bin/python bench/labels.py [count]. Receiving prints one unit label per scan, so
a unit label should take a few milliseconds (goal: PNG under 10 ms, ZPL under 0.5 ms); a
sheet of 240 is an office batch. "unit" labels share a product, as the units of one return
line do; "unit-new" gives every label a title never drawn before (no cached text).
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

# The repository before bench/, so that `labels` is the package and not this file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labels import BinLabel, ReturnSlip, UnitLabel, render_label, render_sheet
from scanners.codes import bin_code, new_lpn, new_rma_number


def per_label_ms(make, fmt: str, dpi: int, count: int) -> float:
    """The median time to render one label."""
    times = []
    for label in [make() for _ in range(count)]:
        start = time.perf_counter()
        render_label(label, fmt, dpi)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def label_kinds() -> dict:
    """Makers of each kind of label, as the service prints them."""
    serial = itertools.count(1)
    return {
        "unit": lambda: UnitLabel(new_lpn(), "SKU-884213-BLK", "小米蓝牙耳机 Air 2 SE 黑色", "B"),
        "unit-new": lambda: UnitLabel(
            new_lpn(), f"SKU-{next(serial)}", f"蓝牙耳机 第{next(serial)}款 黑色", "B"
        ),
        "slip": lambda: ReturnSlip(
            new_rma_number(), "优品数码旗舰店", "张小明", "TB2024110512345678", ["1 × 耳机"] * 3
        ),
        "bin": lambda: BinLabel(bin_code("A0103")),
    }


def unit_label_ms(count: int = 50, dpi: int = 203) -> dict[str, float]:
    """Median milliseconds per unit label (a product seen before), as PNG and as ZPL."""
    make = label_kinds()["unit"]
    render_label(make(), "png", dpi)  # font discovery and caches, once
    return {fmt: per_label_ms(make, fmt, dpi, count) for fmt in ("png", "zpl")}


def main(count: int = 50) -> None:
    kinds = label_kinds()
    render_label(kinds["unit"](), "png", 203)  # font discovery and caches, once
    print(f"{'kind':9}{'fmt':5}{'dpi':>5}{'median ms':>10}")
    for name, make in kinds.items():
        for fmt in ("png", "pdf", "zpl"):
            for dpi in (203, 300):
                print(f"{name:9}{fmt:5}{dpi:>5}{per_label_ms(make, fmt, dpi, count):>10.2f}")
    start = time.perf_counter()
    render_sheet([kinds["unit"]() for _ in range(240)])
    print(f"A4 sheets of 240 unit labels (10 pages): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
