"""Every fault drill in turn: ``.venv/bin/python -m bench.drills``; PASS only if each passes.

The quick drills are tests (tests/integration/test_fault_*.py) and run with the suite.
"""

from __future__ import annotations

import sys
import time

from bench.drills import photo_disk_full, postgres_restart, server_killed

DRILLS = {
    "server_killed": lambda: server_killed.main(["--cycles", "4"]),
    "postgres_restart": lambda: postgres_restart.main([]),
    "photo_disk_full": photo_disk_full.main,
}


def main() -> int:
    results = {}
    for name, run in DRILLS.items():
        print(f"\n=== {name}")
        began = time.monotonic()
        results[name] = (run(), time.monotonic() - began)
    print()
    for name, (code, seconds) in results.items():
        print(f"{name:<20}{'PASS' if code == 0 else 'FAIL':>6}{seconds:>8.0f} s")
    failed = any(code for code, _ in results.values())
    print("FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
