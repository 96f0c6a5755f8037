"""Read-only figures for supervisors: the dashboard's counts and the lists behind them.

Every query is aggregated in SQL, bounded by a period or a small "now" set (open exceptions,
undecided returns), and served by an index (migration 0010), so the dashboard costs the
same with a hundred returns or a million.
"""
