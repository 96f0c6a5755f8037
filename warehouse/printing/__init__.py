"""Labels from the service: label files (PNG, PDF, ZPL) for units, returns, parcels and bins,
and printing them on the centre's label printers (`WAREHOUSE_PRINTERS`)."""
