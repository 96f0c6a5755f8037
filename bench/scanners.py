"""How many scans `scanners.parse` reads per second on one core, over a realistic mix.

Run: ``.venv/bin/python bench/scanners.py [--seconds 3]``. The mix is roughly a dock and
receiving line's day: mostly carrier tracking numbers and product barcodes, our own RMA
numbers and LPNs, some GS1 labels, order numbers and SKUs, and the noise handhelds add
(terminators, AIM prefixes, lower case, full-width digits, wrong check digits).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's own name would
# shadow the scanners package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from scanners import codes, parse  # noqa: E402

TARGET_PER_SECOND = 100_000

# (weight, samples): published sample numbers, as in the unit tests.
MIX = [
    # Chinese domestic carriers: the bulk of a return centre's parcels.
    (
        30,
        [
            "SF1385628716739\r",
            "YT8962646785389\r",
            "JT5261988016578\r",
            "73610555582883\r",
            "463431409940372\r",
            "JDX024407261700-1-1-\r",
            "1207119765021\r",
        ],
    ),
    (
        5,
        [
            "EE123456785CN\r",
            "RB123456785GB\r",
            "1Z999AA10123456784\r",
            "986578788855\r",
            "9400111201080805483016\r",
            "3318810025\r",
        ],
    ),
    # Items: EAN/UPC, some with AIM prefixes.
    (
        25,
        [
            "6901234567892\r",
            "4006381333931\r",
            "]E06901234567892\r",
            "036000291452\r",
            "9780306406157\r",
        ],
    ),
    (
        15,
        [codes.new_rma_number() + "\r" for _ in range(20)]
        + [codes.new_lpn() + "\r" for _ in range(20)],
    ),
    (
        8,
        [
            "]C10109506000134352172512311" + "0AB12\x1d21XYZ123\r",
            "]d20109506000134352\x1d21SN9\r",
            "(01)09506000134352(10)AB12\r",
        ],
    ),
    # Order numbers, SKUs, serial numbers: unknown, looked up by the service.
    (12, ["3056781234567890123\r", "240101-123456789012345\r", "SKU-RED-42\r", "C02XK0J3JG5J\r"]),
    # Noise: lower case, full-width, padding, wrong check digits.
    (
        5,
        [
            "  1z999aa10123456784\r\n",
            "６９０１２３４５６７８９２\r",
            "4006381333932\r",
            "\tsf1385628716739\n",
            "RMA0000000000\r",
        ],
    ),
]


def sample_scans(count: int, seed: int = 20240601) -> list[str]:
    """`count` scans drawn from the mix."""
    rng = random.Random(seed)
    weights = [weight for weight, _ in MIX]
    groups = [samples for _, samples in MIX]
    return [rng.choice(rng.choices(groups, weights)[0]) for _ in range(count)]


def scans_per_second(seconds: float) -> tuple[float, int, float]:
    """Parses the mix over and over for `seconds`; answers (rate, scans, elapsed seconds)."""
    scans = sample_scans(50_000)
    for raw in scans[:2_000]:  # warm up
        parse(raw)
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for raw in scans:
            parse(raw)
        done += len(scans)
    elapsed = time.perf_counter() - start
    return done / elapsed, done, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to measure")
    args = parser.parse_args(argv)
    rate, done, elapsed = scans_per_second(args.seconds)
    print(f"{rate:,.0f} scans parsed per second on one core ({done:,} in {elapsed:.2f} s)")
    print(f"target {TARGET_PER_SECOND:,}: {'met' if rate >= TARGET_PER_SECOND else 'NOT met'}")
    return 0 if rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
