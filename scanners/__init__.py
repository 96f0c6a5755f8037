"""Understands the codes a return centre scans. A plain library: no Flask, no database.

`parse(raw)` cleans what a handheld typed and says what the code is (a `Scan`);
`scanners.codes` issues and verifies the service's own codes; `DoubleScanGuard` tells a
trigger held down from a real second scan.
"""

from scanners.guard import DoubleScanGuard
from scanners.parsing import Context, normalise_tracking, parse
from scanners.products import normalise_gtin
from scanners.scan import KINDS, PROBLEM_CODES, Kind, Scan

__all__ = [
    "KINDS",
    "PROBLEM_CODES",
    "Context",
    "DoubleScanGuard",
    "Kind",
    "Scan",
    "normalise_gtin",
    "normalise_tracking",
    "parse",
]
