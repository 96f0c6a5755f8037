"""What the floor sends and gets back for bins, dispositions and refurbishment orders."""

from __future__ import annotations

import marshmallow as ma

from warehouse.api import PageQuerySchema
from warehouse.disposition.rules import RefurbishOutcome, ScrapReason
from warehouse.inspection.lifecycle import Route, UnitState
from warehouse.schemas import Text, optional

BIN_EXAMPLE = "A0103Q"


def _scanned_bin(description: str) -> ma.fields.Field:
    """The label of the bin a unit goes to, as scanned (optional: restock only)."""
    return optional(Text, max=64, metadata={"description": description, "example": BIN_EXAMPLE})


class BinInSchema(ma.Schema):
    code = Text(
        max=20,
        required=True,
        metadata={
            "description": "The location's name, 2–20 letters and digits; the answer adds its "
            "check character.",
            "example": "A0103",
        },
    )
    description = optional(Text, max=200, metadata={"example": "A区1排3层 开箱品"})


class BinSchema(ma.Schema):
    code = ma.fields.String(
        metadata={"description": "As printed on its label.", "example": BIN_EXAMPLE}
    )
    name = ma.fields.String(metadata={"example": "A0103"})
    description = ma.fields.String(allow_none=True)
    unit_count = ma.fields.Integer()
    created_at = ma.fields.String()
    created_by = ma.fields.String()


class BinUnitSchema(ma.Schema):
    lpn = ma.fields.String()
    sku = ma.fields.String(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    placed_at = ma.fields.String()
    placed_by = ma.fields.String()


class BinContentsSchema(BinSchema):
    units = ma.fields.List(
        ma.fields.Nested(BinUnitSchema), metadata={"description": "The latest 200 placed."}
    )


class BinPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(BinSchema))
    next_cursor = ma.fields.String(allow_none=True)


class DispositionInSchema(ma.Schema):
    decision = ma.fields.Enum(
        Route,
        by_value=True,
        required=True,
        metadata={"example": "restock"},
    )
    bin = _scanned_bin("Restock only: the scanned bin label.")
    reason = optional(
        Text,
        max=500,
        metadata={
            "description": "Scrap: one of "
            + ", ".join(ScrapReason)
            + ". Another route than the recommended one: why (a supervisor).",
            "example": "damaged_beyond_repair",
        },
    )
    note = optional(Text, max=1000, metadata={"example": "外壳裂纹, 无法修复"})


class MoveInSchema(ma.Schema):
    bin = Text(max=64, required=True, metadata={"example": BIN_EXAMPLE})


class RefurbishCompleteInSchema(ma.Schema):
    outcome = ma.fields.Enum(
        RefurbishOutcome, by_value=True, required=True, metadata={"example": "restock"}
    )
    notes = optional(Text, max=2000, metadata={"example": "更换耳机仓电池, 测试通过"})
    bin = _scanned_bin("Restock: the scanned bin label.")
    reason = optional(
        Text,
        max=64,
        metadata={
            "description": "Scrap: one of " + ", ".join(ScrapReason) + " (default "
            "refurbishment_failed).",
            "example": None,
        },
    )


class NoteInSchema(ma.Schema):
    text = Text(max=2000, required=True, metadata={"example": "待更换屏幕, 已订配件"})


class RefurbishQuerySchema(PageQuerySchema):
    status = Text(max=8, load_default="open", validate=ma.validate.OneOf(["open", "done", "all"]))


class NoteSchema(ma.Schema):
    at = ma.fields.String()
    by = ma.fields.String()
    text = ma.fields.String()


class RefurbishmentSchema(ma.Schema):
    id = ma.fields.String()
    lpn = ma.fields.String()
    sku = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"enum": ["open", "done"]})
    unit_state = ma.fields.String(metadata={"enum": [s.value for s in UnitState]})
    grade = ma.fields.String(allow_none=True)
    notes = ma.fields.List(ma.fields.Nested(NoteSchema))
    opened_at = ma.fields.String()
    opened_by = ma.fields.String()
    outcome = ma.fields.String(allow_none=True)
    scrap_reason = ma.fields.String(allow_none=True)
    bin = ma.fields.String(allow_none=True)
    completed_at = ma.fields.String(allow_none=True)
    completed_by = ma.fields.String(allow_none=True)


class RefurbishmentPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RefurbishmentSchema))
    next_cursor = ma.fields.String(allow_none=True)


class DispositionBriefSchema(ma.Schema):
    id = ma.fields.String()
    decision = ma.fields.String(metadata={"enum": [r.value for r in Route]})
    recommended = ma.fields.String()
    override = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    inspection_id = ma.fields.String()
    decided_by = ma.fields.String()
    decided_at = ma.fields.String()


class UnitDispositionSchema(ma.Schema):
    lpn = ma.fields.String()
    state = ma.fields.String(metadata={"enum": [s.value for s in UnitState]})
    grade = ma.fields.String(allow_none=True)
    condition = ma.fields.String(allow_none=True)
    bin = ma.fields.String(allow_none=True)
    disposition = ma.fields.Nested(DispositionBriefSchema, allow_none=True)
    refurbishment = ma.fields.Nested(RefurbishmentSchema, allow_none=True)
