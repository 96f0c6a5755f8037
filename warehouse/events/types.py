"""The event types stores receive (contract: "Events to stores")."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    RETURN_RECEIVED = "return.received"
    RETURN_INSPECTED = "return.inspected"
    RETURN_REFUND_REQUESTED = "return.refund_requested"
    RETURN_REJECTED = "return.rejected"
    RETURN_EXCHANGE_REQUESTED = "return.exchange_requested"
    UNIT_DISPOSED = "unit.disposed"
    RETURN_CLOSED = "return.closed"
    RETURN_CANCELLED = "return.cancelled"
    #: A received return's decision deadline passed with no decision (platforms auto-refund).
    RETURN_DEADLINE_PASSED = "return.deadline_passed"
