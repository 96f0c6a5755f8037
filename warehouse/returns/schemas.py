"""What store systems send and get back for return requests."""

from __future__ import annotations

import json

import marshmallow as ma

from warehouse.api import PageQuerySchema
from warehouse.returns.rules import ReturnReason, ReturnStatus, unscannable
from warehouse.schemas import (
    Currency,
    Enum,
    Gtin,
    Money,
    QueryInteger,
    StrictBoolean,
    StrictInteger,
    Text,
    UTCDateTime,
    optional,
)

MAX_LINES = 500
MAX_QUANTITY_PER_LINE = 10_000
MAX_METADATA_KEYS = 20
MAX_METADATA_BYTES = 4096


class BuyerSchema(ma.Schema):
    id = Text(max=64, required=True, metadata={"example": "tb_buyer_8841"})
    name = optional(Text, max=100, metadata={"example": "李*"})
    phone = optional(Text, max=32, metadata={"example": "138****0000"})


class ReturnLineInSchema(ma.Schema):
    line_id = Text(max=64, required=True, metadata={"example": "L1"})
    sku = Text(max=64, required=True, metadata={"example": "TSHIRT-BLK-M"})
    gtin = optional(
        Gtin,
        metadata={
            "description": "8, 12, 13 or 14 digits with a correct GS1 check digit.",
            "example": "6901234567892",
        },
    )
    title = Text(max=300, required=True, metadata={"example": "纯棉T恤 黑色 M"})
    category = Text(max=64, load_default="default", metadata={"example": "apparel"})
    quantity = StrictInteger(
        required=True,
        validate=ma.validate.Range(min=1, max=MAX_QUANTITY_PER_LINE),
        metadata={"example": 1},
    )
    unit_price = Money(required=True, metadata={"description": "Minor units.", "example": 9900})
    serial_numbers = ma.fields.List(Text(max=64), load_default=list, metadata={"example": []})

    @ma.validates_schema
    def _serials_fit_quantity(self, data, **_kwargs):
        serials = data.get("serial_numbers") or []
        if len(serials) > data.get("quantity", 0):
            raise ma.ValidationError("More serial numbers than units.", "serial_numbers")
        if len(set(serials)) != len(serials):
            raise ma.ValidationError("A serial number is listed twice.", "serial_numbers")

    @ma.validates_schema
    def _scannable(self, data, **_kwargs):
        # The item scan compares what it reads with these: one it can never read back would
        # make the real item a wrong item or a serial mismatch.
        errors = {}
        serials = {
            str(n): [f"Cannot be scanned: {why}"]
            for n, serial in enumerate(data.get("serial_numbers") or [])
            if (why := unscannable(serial))
        }
        if serials:
            errors["serial_numbers"] = serials
        sku = data.get("sku")
        if sku and not data.get("gtin") and (why := unscannable(sku)):
            errors["sku"] = [f"Cannot be scanned, and the line has no GTIN to scan: {why}"]
        if errors:
            raise ma.ValidationError(errors)


def _validate_metadata(value: dict) -> None:
    if len(value) > MAX_METADATA_KEYS:
        raise ma.ValidationError(f"At most {MAX_METADATA_KEYS} keys.")
    if len(json.dumps(value, ensure_ascii=False).encode()) > MAX_METADATA_BYTES:
        raise ma.ValidationError(f"At most {MAX_METADATA_BYTES} bytes in all.")


class ReturnCreateSchema(ma.Schema):
    external_id = Text(max=64, required=True, metadata={"example": "TB-RF-20261122-0001"})
    order_id = Text(max=64, required=True, metadata={"example": "3928475610293847"})
    reason = ma.fields.Enum(
        ReturnReason, by_value=True, required=True, metadata={"example": "no_reason_7d"}
    )
    reason_detail = optional(Text, max=500, metadata={"example": "袖口开线 / seam open"})
    buyer = ma.fields.Nested(BuyerSchema, required=True)
    express_refund = StrictBoolean(load_default=False)
    exchange = StrictBoolean(load_default=False)
    carrier = optional(Text, max=32, metadata={"example": "SF"})
    tracking_number = optional(Text, max=40, metadata={"example": "SF1234567890123"})
    currency = Currency(load_default="CNY", metadata={"example": "CNY"})
    metadata = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(min=1, max=64)),
        values=ma.fields.String(validate=ma.validate.Length(max=1024)),
        load_default=dict,
        validate=_validate_metadata,
        metadata={"example": {"refund_id": "2026112201", "refund_version": "1732233600"}},
    )
    lines = ma.fields.List(
        ma.fields.Nested(ReturnLineInSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_LINES),
    )

    @ma.validates_schema
    def _line_ids_unique(self, data, **_kwargs):
        ids = [line["line_id"] for line in data.get("lines", [])]
        if len(set(ids)) != len(ids):
            raise ma.ValidationError("Each line_id may appear once.", "lines")


class TrackingSchema(ma.Schema):
    carrier = optional(Text, max=32, metadata={"example": "SF"})
    tracking_number = Text(max=40, required=True, metadata={"example": "SF1234567890123"})


class RefundConfirmationSchema(ma.Schema):
    refund_id = Text(max=64, required=True, metadata={"example": "RF20261122000123"})
    amount = Money(required=True, metadata={"example": 9900})


class RefundFailureSchema(ma.Schema):
    reason = Text(
        max=500, required=True, metadata={"example": "支付宝账户异常 / payee account closed"}
    )


class DecisionOverrideSchema(ma.Schema):
    decision = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["refund"]), metadata={"example": "refund"}
    )
    reason = Text(max=500, required=True, metadata={"example": "买家提供了购买凭证 / proof shown"})


class DeadlineQuerySchema(PageQuerySchema):
    within_hours = QueryInteger(
        load_default=12,
        validate=ma.validate.Range(min=0, max=24 * 30),
        metadata={"description": "Returns due within this many hours, and those past due."},
    )


class ReturnQuerySchema(PageQuerySchema):
    status = Enum(ReturnStatus, by_value=True, load_default=None)
    external_id = Text(max=64, load_default=None)


class LineProductSchema(ma.Schema):
    """What a return line says of its product: the return's line and a parcel's expected
    line both show it."""

    line_id = ma.fields.String()
    sku = ma.fields.String()
    gtin = ma.fields.String(allow_none=True)
    title = ma.fields.String()
    category = ma.fields.String()
    quantity = ma.fields.Integer()


class ReturnLineSchema(LineProductSchema):
    id = ma.fields.UUID()
    unit_price = ma.fields.Integer()
    serial_numbers = ma.fields.List(ma.fields.String())


class RefundRequestSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"enum": ["refund", "exchange"]})
    mode = ma.fields.String(metadata={"enum": ["express", "after_inspection"]})
    status = ma.fields.String(metadata={"enum": ["requested", "confirmed", "failed"]})
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    lines = ma.fields.List(ma.fields.Dict())
    requested_at = UTCDateTime()
    confirmed_at = UTCDateTime(allow_none=True)
    failure_reason = ma.fields.String(allow_none=True)
    retries = ma.fields.Integer()


class RefundStateSchema(ma.Schema):
    status = ma.fields.String(
        attribute="refund_status", metadata={"enum": ["none", "requested", "confirmed", "failed"]}
    )
    refund_id = ma.fields.String(allow_none=True)
    amount = ma.fields.Integer(attribute="refund_amount", allow_none=True)
    confirmed_at = UTCDateTime(attribute="refund_confirmed_at", allow_none=True)


class ReturnSchema(ma.Schema):
    id = ma.fields.UUID()
    store_id = ma.fields.UUID()
    rma_number = ma.fields.String(metadata={"example": "RMA7K2D9QX4P"})
    external_id = ma.fields.String()
    order_id = ma.fields.String()
    status = ma.fields.String(metadata={"enum": [s.value for s in ReturnStatus]})
    reason = ma.fields.String()
    reason_detail = ma.fields.String(allow_none=True)
    buyer = ma.fields.Method("_buyer")
    express_refund = ma.fields.Boolean()
    exchange = ma.fields.Boolean()
    carrier = ma.fields.String(allow_none=True)
    tracking_number = ma.fields.String(allow_none=True)
    currency = ma.fields.String()
    total_amount = ma.fields.Integer(metadata={"description": "Sum of quantity × unit_price."})
    metadata = ma.fields.Dict(attribute="store_metadata")
    lines = ma.fields.List(ma.fields.Nested(ReturnLineSchema))
    refund = ma.fields.Function(lambda r: RefundStateSchema().dump(r))
    refund_requests = ma.fields.Method("_refund_requests")
    created_at = UTCDateTime()
    updated_at = UTCDateTime()
    received_at = UTCDateTime(allow_none=True)
    due_at = UTCDateTime(allow_none=True)
    deadline_passed_at = UTCDateTime(allow_none=True)
    cancelled_at = UTCDateTime(allow_none=True)
    closed_at = UTCDateTime(allow_none=True)

    def _refund_requests(self, ret) -> list:
        return RefundRequestSchema(many=True).dump(getattr(ret, "refund_requests", []))

    def _buyer(self, ret) -> dict:
        return {"id": ret.buyer_id, "name": ret.buyer_name, "phone": ret.buyer_phone}


class ReturnDetailSchema(ReturnSchema):
    """A single return as GET /returns/{id} answers it: also what has happened so far."""

    parcels = ma.fields.List(ma.fields.Dict(), attribute="parcels_so_far")
    units = ma.fields.List(ma.fields.Dict(), attribute="units_so_far")
    events = ma.fields.List(
        ma.fields.Dict(),
        attribute="events_so_far",
        metadata={"description": "The same objects webhooks carry, in sequence order."},
    )


class ReturnPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ReturnSchema))
    next_cursor = ma.fields.String(allow_none=True)
