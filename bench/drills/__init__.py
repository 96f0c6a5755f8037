"""Fault drills too slow to be tests: each is `python -m bench.drills.<name>`, prints its
figures and ends with PASS or FAIL (exit status 0 or 1)."""
