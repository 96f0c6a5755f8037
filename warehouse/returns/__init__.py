"""Return requests (RMAs) that store systems send in: their lines, identifiers and life cycle."""
