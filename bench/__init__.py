"""Benchmarks: scripts that print figures (never timed tests). `python -m bench` runs them all."""
