"""Refund triggers: what the store is told to refund (or that the return is rejected, or that
an exchange is ready), decided once per unit, and the store's confirmation."""
