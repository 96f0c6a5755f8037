"""QR codes as module matrices (segno), so they too are drawn in whole printer dots."""

from __future__ import annotations

import segno

#: Light modules around the symbol (ISO/IEC 18004 asks for 4).
QUIET_MODULES = 4
#: Error correction level: M, the same the ZPL ^BQ command is given.
ERROR_LEVEL = "M"


def matrix(data: str) -> tuple[tuple[int, ...], ...]:
    """Rows of the QR code of `data`: 1 for a dark module, 0 for light; no quiet zone."""
    symbol = segno.make_qr(data, error=ERROR_LEVEL.lower(), boost_error=False)
    return tuple(tuple(row) for row in symbol.matrix)
