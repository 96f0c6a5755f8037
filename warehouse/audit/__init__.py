"""The audit log: one row for every write — who, from which terminal, when, what changed."""
