"""What inspectors, supervisors and stores send and get back for checklists, photos and
inspections. Shapes and types only; what a template or an answer means is checked by
`warehouse.inspection.rules`."""

from __future__ import annotations

import marshmallow as ma

from warehouse.api import PageQuerySchema
from warehouse.inspection.lifecycle import Route, UnitState
from warehouse.inspection.rules import (
    MAX_ITEMS,
    Grade,
    ItemType,
    Liability,
    RejectReason,
)
from warehouse.schemas import StrictBoolean, StrictInteger, Text, optional

GRADES = [g.value for g in Grade]
LIABILITIES = [v.value for v in Liability if v != Liability.NONE]
ANSWER_EXAMPLE = {
    "tags_attached": True,
    "signs_of_wear": "none",
    "stains": False,
    "odour": False,
    "photo_front": ["01a20101-eefb-7643-9554-4f20cdebf367"],
}


class LabelField(ma.fields.Field):
    """A label: a string, or {"zh-CN": …, "en": …}."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) or (
            isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        ):
            return value
        raise ma.ValidationError('A string, or {"zh-CN": "…", "en": "…"}.')


class ConsequenceSchema(ma.Schema):
    """What a failing answer means."""

    grade_cap = optional(
        Text,
        max=1,
        validate=ma.validate.OneOf(GRADES),
        metadata={
            "description": "The best grade the unit can get (default C if critical, else B).",
            "example": "B",
        },
    )
    liability = optional(
        Text,
        max=16,
        validate=ma.validate.OneOf(LIABILITIES),
        metadata={
            "description": "Who alone can cause this failure; default: carrier for transit "
            "damage, else buyer if buyer_fault, else manufacturer.",
            "example": "buyer",
        },
    )
    buyer_fault = StrictBoolean(
        load_default=False, metadata={"description": "Usually the buyer's doing.", "example": True}
    )
    deduction_percent = StrictInteger(
        load_default=0,
        validate=ma.validate.Range(min=0, max=100),
        metadata={
            "description": "Of the unit price, deductible when the buyer caused it.",
            "example": 20,
        },
    )
    no_resale = StrictBoolean(
        load_default=False,
        metadata={"description": "Never back on sale (hygiene): scrap.", "example": False},
    )
    reject = optional(
        Text,
        max=32,
        validate=ma.validate.OneOf([r.value for r in RejectReason]),
        metadata={"description": "Flags the unit for rejection.", "example": None},
    )


class ChecklistItemSchema(ConsequenceSchema):
    key = Text(
        max=40,
        required=True,
        validate=ma.validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"),
        metadata={"example": "tags_attached"},
    )
    label = LabelField(
        required=True, metadata={"example": {"zh-CN": "吊牌完好", "en": "Tags attached"}}
    )
    type = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf([t.value for t in ItemType]),
        metadata={"example": "yes_no"},
    )
    required = StrictBoolean(load_default=True, metadata={"example": True})
    critical = StrictBoolean(load_default=False, metadata={"example": False})
    min = optional(ma.fields.Float, metadata={"example": None})
    max = optional(ma.fields.Float, metadata={"example": None})
    choices = optional(ma.fields.List, Text(max=64), metadata={"example": None})
    fail_when = optional(
        ma.fields.Raw,
        metadata={
            "description": "yes_no: the failing answer (true/false); choice: the failing "
            'choices; number: {"below": n, "above": m}.',
            "example": False,
        },
    )
    outcomes = optional(
        ma.fields.Dict,
        keys=ma.fields.String(),
        values=ma.fields.Nested(ConsequenceSchema),
        metadata={
            "description": "choice only: each failing choice's own consequence.",
            "example": {"worn": {"grade_cap": "C", "buyer_fault": True, "deduction_percent": 30}},
        },
    )

    @ma.post_load
    def _numbers_as_given(self, data, **_kwargs):
        # Keep whole numbers whole (a range of 0–100 reads back as 0–100, not 0.0–100.0).
        for name in ("min", "max"):
            value = data.get(name)
            if isinstance(value, float) and value.is_integer():
                data[name] = int(value)
        return data


class ChecklistInSchema(ma.Schema):
    name = Text(max=200, required=True, metadata={"example": "服装质检 Apparel QC"})
    category = Text(max=64, required=True, metadata={"example": "apparel"})
    items = ma.fields.List(
        ma.fields.Nested(ChecklistItemSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_ITEMS),
    )


class ChecklistEditSchema(ChecklistInSchema):
    version = optional(
        StrictInteger,
        metadata={
            "description": "The version the edit started from: a 409 if someone edited since.",
            "example": 1,
        },
    )


class ChecklistQuerySchema(PageQuerySchema):
    category = Text(
        max=64,
        load_default=None,
        metadata={"description": "The checklist for this category (or the default one)."},
    )


class ChecklistSchema(ma.Schema):
    id = ma.fields.String(
        metadata={"description": "The template's id, the same for every version."}
    )
    version = ma.fields.Integer(metadata={"example": 2})
    version_id = ma.fields.String()
    name = ma.fields.String()
    category = ma.fields.String()
    items = ma.fields.List(ma.fields.Dict())
    created_at = ma.fields.String(metadata={"description": "When this version was made."})
    created_by = ma.fields.String()


class ChecklistPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ChecklistSchema))
    next_cursor = ma.fields.String(allow_none=True)


class PhotoLinkSchema(ma.Schema):
    id = ma.fields.String()
    url = ma.fields.String(
        metadata={"example": "/api/v1/photos/01a20101-eefb-7643-9554-4f20cdebf367"}
    )
    thumbnail_url = ma.fields.String()


class PhotoSchema(PhotoLinkSchema):
    content_type = ma.fields.String(metadata={"example": "image/jpeg"})
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    size_bytes = ma.fields.Integer()
    sha256 = ma.fields.String()
    uploaded_by = ma.fields.String()
    created_at = ma.fields.String()


class InspectionInSchema(ma.Schema):
    checklist_id = optional(
        ma.fields.UUID,
        metadata={
            "description": "Default: the checklist of the unit's category (or the default one).",
            "example": "01a20101-eefb-7643-9554-4f20cdebf367",
        },
    )
    version = optional(
        StrictInteger,
        metadata={
            "description": "The checklist version the terminal showed: a 409 if it changed.",
            "example": 1,
        },
    )
    answers = ma.fields.Dict(
        keys=ma.fields.String(), required=True, metadata={"example": ANSWER_EXAMPLE}
    )
    photo_ids = ma.fields.List(
        ma.fields.String(),
        load_default=list,
        validate=ma.validate.Length(max=50),
        metadata={"example": ["01a20101-eefb-7643-9554-4f20cdebf367"]},
    )
    notes = optional(Text, max=2000, metadata={"example": "袖口有轻微污渍"})


class DeductionSchema(ma.Schema):
    amount = ma.fields.Integer(metadata={"description": "Minor units.", "example": 1980})
    currency = ma.fields.String(metadata={"example": "CNY"})
    percent = ma.fields.Integer(metadata={"example": 20})
    reason = ma.fields.String()


class ChecklistRefSchema(ma.Schema):
    id = ma.fields.String()
    version = ma.fields.Integer()
    name = ma.fields.String()
    category = ma.fields.String()


class InspectionSchema(ma.Schema):
    id = ma.fields.String()
    lpn = ma.fields.String()
    sequence = ma.fields.Integer(metadata={"description": "1 for the first inspection."})
    current = ma.fields.Boolean(metadata={"description": "The unit's latest inspection."})
    grade = ma.fields.String(metadata={"enum": GRADES})
    condition = ma.fields.String(metadata={"example": "open_box"})
    buyer_fault = ma.fields.Boolean()
    liability = ma.fields.String(metadata={"enum": [v.value for v in Liability]})
    recommended_disposition = ma.fields.String(metadata={"enum": [r.value for r in Route]})
    deduction = ma.fields.Nested(DeductionSchema)
    reject = ma.fields.Boolean()
    reject_reason = ma.fields.String(allow_none=True)
    no_resale = ma.fields.Boolean()
    findings = ma.fields.List(ma.fields.Dict())
    answers = ma.fields.Dict()
    photos = ma.fields.List(ma.fields.Nested(PhotoLinkSchema))
    checklist = ma.fields.Nested(ChecklistRefSchema)
    notes = ma.fields.String(allow_none=True)
    inspected_by = ma.fields.String()
    inspected_at = ma.fields.String()
    unit_state = ma.fields.String(metadata={"enum": [s.value for s in UnitState]})


class InspectionPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(InspectionSchema))
    next_cursor = ma.fields.String(allow_none=True)


class DeductionPolicySchema(ma.Schema):
    store_id = ma.fields.String()
    max_percent = ma.fields.Integer()


class DeductionPolicyInSchema(ma.Schema):
    max_percent = StrictInteger(
        required=True,
        validate=ma.validate.Range(min=0, max=100),
        metadata={
            "description": "The largest deduction, as a percentage of the unit price; 0 is none.",
            "example": 30,
        },
    )
