"""Imports every model so `Base.metadata` is complete (for Alembic and the drift check)."""

from warehouse.audit.models import AuditEntry
from warehouse.auth.models import StaffToken, StaffUser
from warehouse.db import Base
from warehouse.events.models import Event
from warehouse.returns.models import IdempotencyKey, Return, ReturnIdentifier, ReturnLine
from warehouse.stores.models import Store, StoreApiKey

__all__ = [
    "AuditEntry",
    "Base",
    "Event",
    "IdempotencyKey",
    "Return",
    "ReturnIdentifier",
    "ReturnLine",
    "StaffToken",
    "StaffUser",
    "Store",
    "StoreApiKey",
]
