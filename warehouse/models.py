"""Imports every model so `Base.metadata` is complete (for Alembic and the drift check)."""

from warehouse.audit.models import AuditEntry
from warehouse.auth.models import StaffToken, StaffUser
from warehouse.db import Base
from warehouse.disposition.models import Bin, Disposition, Refurbishment, UnitLocation
from warehouse.events.models import Event, EventDelivery, EventDeliveryAttempt
from warehouse.idempotency.models import KeptAnswer
from warehouse.inspection.models import (
    Checklist,
    ChecklistVersion,
    DeductionPolicy,
    Inspection,
    Photo,
    UnitStatus,
)
from warehouse.receiving.models import (
    Parcel,
    ParcelReturn,
    ReceivingException,
    Scan,
    Unit,
)
from warehouse.refunds.models import Refund, RefundUnit
from warehouse.returns.models import IdempotencyKey, Return, ReturnIdentifier, ReturnLine
from warehouse.stores.models import Store, StoreApiKey

__all__ = [
    "AuditEntry",
    "Base",
    "Bin",
    "Checklist",
    "ChecklistVersion",
    "DeductionPolicy",
    "Disposition",
    "Event",
    "EventDelivery",
    "EventDeliveryAttempt",
    "IdempotencyKey",
    "Inspection",
    "KeptAnswer",
    "Parcel",
    "ParcelReturn",
    "Photo",
    "ReceivingException",
    "Refund",
    "RefundUnit",
    "Refurbishment",
    "Return",
    "ReturnIdentifier",
    "ReturnLine",
    "Scan",
    "StaffToken",
    "StaffUser",
    "Store",
    "StoreApiKey",
    "Unit",
    "UnitLocation",
    "UnitStatus",
]
