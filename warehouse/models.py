"""Imports every model so `Base.metadata` is complete (for Alembic and the drift check)."""

from warehouse.audit.models import AuditEntry
from warehouse.auth.models import StaffToken, StaffUser
from warehouse.db import Base
from warehouse.events.models import Event
from warehouse.receiving.models import (
    Parcel,
    ParcelReturn,
    ReceivingException,
    Scan,
    Unit,
)
from warehouse.returns.models import IdempotencyKey, Return, ReturnIdentifier, ReturnLine
from warehouse.stores.models import Store, StoreApiKey

__all__ = [
    "AuditEntry",
    "Base",
    "Event",
    "IdempotencyKey",
    "Parcel",
    "ParcelReturn",
    "ReceivingException",
    "Return",
    "ReturnIdentifier",
    "ReturnLine",
    "Scan",
    "StaffToken",
    "StaffUser",
    "Store",
    "StoreApiKey",
    "Unit",
]
