"""What handheld terminals send and get back at check-in."""

from __future__ import annotations

import marshmallow as ma

from warehouse.api import PageQuerySchema
from warehouse.inspection.lifecycle import UnitState
from warehouse.queue.rules import ACTIONS, ExceptionKind
from warehouse.returns.schemas import LineProductSchema
from warehouse.schemas import StrictBoolean, StrictInteger, Text, UTCDateTime, optional

MAX_CODE_LENGTH = 4096


class ScanInSchema(ma.Schema):
    scan_id = ma.fields.UUID(
        required=True,
        metadata={
            "description": "Chosen by the terminal; a retry sends the same id.",
            "example": "6f1c2a7e-3d5b-4c8e-9a10-2b3c4d5e6f70",
        },
    )
    code = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_CODE_LENGTH),
        metadata={"description": "The raw scanned text.", "example": "]C1SF1234567890123"},
    )
    scanned_at = UTCDateTime(
        load_default=None,
        metadata={
            "description": "When the terminal scanned (if it was offline); default now.",
            "example": "2026-11-22T08:15:00+00:00",
        },
    )


class ParcelScanInSchema(ScanInSchema):
    terminal_id = Text(max=64, load_default=None, metadata={"example": "HH-07"})
    weight_grams = optional(
        StrictInteger, validate=ma.validate.Range(min=0, max=1_000_000), metadata={"example": 850}
    )


class ItemScanInSchema(ScanInSchema):
    damaged = StrictBoolean(
        load_default=False, metadata={"description": "The item arrived damaged in transit."}
    )


class MatchInSchema(ma.Schema):
    return_id = ma.fields.UUID(
        required=True, metadata={"example": "01a20101-eefb-7643-9554-4f20cdebf367"}
    )


class ResolveInSchema(ma.Schema):
    action = ma.fields.String(
        required=True, validate=ma.validate.OneOf(sorted(ACTIONS)), metadata={"example": "accept"}
    )
    note = Text(max=1000, required=True, metadata={"example": "买家确认少寄一件"})
    return_id = ma.fields.UUID(
        load_default=None,
        metadata={
            "description": "With action `match`: the return the parcel belongs to.",
            "example": "01a20101-eefb-7643-9554-4f20cdebf367",
        },
    )


class ExceptionQuerySchema(PageQuerySchema):
    status = Text(
        max=16,
        load_default="open",
        validate=ma.validate.OneOf(["open", "claimed", "resolved", "all"]),
    )
    kind = Text(
        max=24, load_default=None, validate=ma.validate.OneOf([k.value for k in ExceptionKind])
    )
    parcel_id = ma.fields.UUID(load_default=None)
    return_id = ma.fields.UUID(load_default=None)


class ExpectedLineSchema(LineProductSchema):
    return_id = ma.fields.String()
    return_line_id = ma.fields.String()
    received = ma.fields.Integer()
    remaining = ma.fields.Integer()
    serial_numbers_expected = ma.fields.Integer()


class ParcelReturnSchema(ma.Schema):
    id = ma.fields.String()
    rma_number = ma.fields.String()
    store_id = ma.fields.String()
    external_id = ma.fields.String()
    order_id = ma.fields.String()
    status = ma.fields.String()
    reception_status = ma.fields.String()
    refund_status = ma.fields.String(
        metadata={"description": "requested at this scan for an express refund"}
    )


class ParcelSchema(ma.Schema):
    id = ma.fields.String()
    code = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["matched", "unmatched"]})
    state = ma.fields.String(metadata={"enum": ["open", "closed"]})
    return_id = ma.fields.String(allow_none=True)
    rma_number = ma.fields.String(allow_none=True)
    weight_grams = ma.fields.Integer(allow_none=True)
    has_units = ma.fields.Boolean()
    returns = ma.fields.List(ma.fields.Nested(ParcelReturnSchema))
    expected = ma.fields.List(ma.fields.Nested(ExpectedLineSchema))


class ExceptionSchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String(metadata={"enum": [k.value for k in ExceptionKind]})
    status = ma.fields.String()
    parcel_id = ma.fields.String(allow_none=True)
    return_id = ma.fields.String(allow_none=True)
    return_line_id = ma.fields.String(allow_none=True)
    store_id = ma.fields.String(allow_none=True)
    details = ma.fields.Dict()
    created_at = ma.fields.String()
    claimed_by = ma.fields.String(allow_none=True)
    resolved_by = ma.fields.String(allow_none=True)
    resolution = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    actions = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "The actions this exception may be resolved with (open ones)."},
    )


class ParcelScanOutSchema(ma.Schema):
    parcel = ma.fields.Nested(ParcelSchema)
    exception = ma.fields.Nested(ExceptionSchema, allow_none=True)
    scan = ma.fields.Dict(metadata={"description": "What the scanner library read."})
    warning = ma.fields.String()
    replayed = ma.fields.Boolean()


class UnitBriefSchema(ma.Schema):
    lpn = ma.fields.String(metadata={"example": "LPN3Q8ZK1M7TA"})
    return_line_id = ma.fields.String(allow_none=True)
    status = ma.fields.String(
        metadata={
            "description": "Where the unit is in its life now: received at check-in, then "
            "inspected, restocked, refurbishing, scrapped, …",
            "enum": [s.value for s in UnitState],
        }
    )
    reception_status = ma.fields.String(
        metadata={
            "description": "What check-in found: received, damaged_in_transit, "
            "serial_mismatch, wrong_item or extra.",
            "example": "received",
        }
    )
    line_id = ma.fields.String(allow_none=True)
    remaining_on_line = ma.fields.Integer(allow_none=True)


class ItemScanOutSchema(ma.Schema):
    unit = ma.fields.Nested(UnitBriefSchema)
    exception = ma.fields.Nested(ExceptionSchema, allow_none=True)
    scan = ma.fields.Dict()
    replayed = ma.fields.Boolean()


class CloseOutSchema(ma.Schema):
    parcel = ma.fields.Nested(ParcelSchema)
    units = ma.fields.Integer()
    returns = ma.fields.List(ma.fields.Dict())
    exceptions = ma.fields.List(ma.fields.Nested(ExceptionSchema))


class ParcelOutSchema(ma.Schema):
    parcel = ma.fields.Nested(ParcelSchema)


class ExceptionPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ExceptionSchema))
    next_cursor = ma.fields.String(allow_none=True)


class UnitSchema(UnitBriefSchema):
    parcel_id = ma.fields.String()
    return_id = ma.fields.String(allow_none=True)
    sku = ma.fields.String(allow_none=True)
    gtin = ma.fields.String(allow_none=True)
    serial = ma.fields.String(allow_none=True)
    scanned_code = ma.fields.String()
    received_by = ma.fields.String()
    received_at = ma.fields.String()
    title = ma.fields.String(allow_none=True)
    category = ma.fields.String(allow_none=True)
    exceptions = ma.fields.List(ma.fields.Nested(ExceptionSchema))
    inspections = ma.fields.List(ma.fields.Dict(), metadata={"description": "First first."})
    disposition = ma.fields.Dict(metadata={"description": "State, grade, bin and route now."})
    history = ma.fields.List(ma.fields.Dict())
