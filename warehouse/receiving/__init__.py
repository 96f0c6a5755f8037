"""Check-in at the dock: parcel and item scans, LPNs, reception counts and the exception queue."""
