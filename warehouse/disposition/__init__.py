"""Disposition: bins, restock / refurbish / scrap and more routes, overrides, refurbishment."""
