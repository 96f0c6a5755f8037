"""Inspection rules in plain Python (no Flask, no database): what a checklist template may say,
whether a set of answers fits it, and what the answers mean for the unit: grade, liability,
buyer's fault, the recommended route, the deduction the store's policy allows, rejection.

Templates are data, never code: each item says which answer is a failure (`fail_when`) and
what a failure means (`grade_cap`, `buyer_fault`, `liability`, `deduction_percent`,
`no_resale`, `reject`); a choice item may give each failing choice its own meaning
(`outcomes`). Nothing a user writes is ever evaluated.

Grading: a unit with no failed item is A. Each failed item caps the grade (its `grade_cap`;
by default C for a critical item, B otherwise); the worst cap wins.

Liability (after Amazon's condition codes: customer damaged, carrier damaged, warehouse
damaged, defective): a failed item's `liability` when the template names one (a failure
only one party can cause, such as removed tags); otherwise the carrier's when the unit
arrived damaged in transit or the return is for transit damage (the buyer gets the benefit
of the doubt), else the buyer's when the item says `buyer_fault`, else the manufacturer's.
The unit's liability is that of its most severe failure (the first in checklist order
among equals); `none` when nothing failed. `buyer_fault` says whether any failure is the
buyer's doing.

Deduction: only on a return whose reason allows one (never on quality_issue,
not_as_described, wrong_item_sent or damaged_in_transit returns), only for failures that
are the buyer's doing, as the largest `deduction_percent` among them of the line's unit
price, capped by the store's policy, rounded down (in the buyer's favour), in minor units.
A unit flagged for rejection gets no deduction: the store decides what happens to it.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from warehouse.inspection.lifecycle import Route
from warehouse.returns.rules import ReturnReason


class ItemType(StrEnum):
    YES_NO = "yes_no"
    CHOICE = "choice"
    NUMBER = "number"
    TEXT = "text"
    PHOTO = "photo"


class Grade(StrEnum):
    A = "A"  # like new
    B = "B"  # open box / light wear
    C = "C"  # needs refurbishment
    D = "D"  # unsalvageable


class Liability(StrEnum):
    NONE = "none"
    BUYER = "buyer"
    CARRIER = "carrier"
    WAREHOUSE = "warehouse"
    MANUFACTURER = "manufacturer"


class RejectReason(StrEnum):
    SERIAL_MISMATCH = "serial_mismatch"
    WRONG_ITEM = "wrong_item"
    COUNTERFEIT = "counterfeit"


GRADE_ORDER = (Grade.A, Grade.B, Grade.C, Grade.D)
#: The reception statuses (from check-in) that flag a unit for rejection.
REJECT_ON_RECEPTION = {
    "serial_mismatch": RejectReason.SERIAL_MISMATCH,
    "wrong_item": RejectReason.WRONG_ITEM,
}
#: Reasons on which the store never deducts: the fault is the store's or the carrier's.
NO_DEDUCTION_REASONS = frozenset(
    {
        ReturnReason.QUALITY_ISSUE,
        ReturnReason.NOT_AS_DESCRIBED,
        ReturnReason.WRONG_ITEM_SENT,
        ReturnReason.DAMAGED_IN_TRANSIT,
    }
)
#: What a unit's grade recommends when nothing else decides.
ROUTE_FOR_GRADE = {
    Grade.A: Route.RESTOCK,
    Grade.B: Route.RESTOCK,
    Grade.C: Route.REFURBISH,
    Grade.D: Route.SCRAP,
}
#: What a grade means to a buyer of the restocked unit.
CONDITION = {Grade.A: "like_new", Grade.B: "open_box", Grade.C: "used", Grade.D: "unsalvageable"}

MAX_ITEMS = 100
MAX_CHOICES = 40
MAX_TEXT_ANSWER = 1000
MAX_PHOTOS_PER_ANSWER = 20
LABEL_LANGUAGES = ("zh-CN", "en")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


# --- templates ------------------------------------------------------------------------------


class FieldsInvalid(Exception):
    """A rule's refusal of what it was given, with the messages for each offending field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class TemplateInvalid(FieldsInvalid):
    """A template that cannot be used, with a message for each offending field."""


@dataclass(frozen=True)
class Consequence:
    """What a failure means."""

    grade_cap: Grade
    liability: Liability | None = None
    buyer_fault: bool = False
    deduction_percent: int = 0
    no_resale: bool = False
    reject: RejectReason | None = None


@dataclass(frozen=True)
class Item:
    key: str
    label: str | dict[str, str]
    type: ItemType
    required: bool = True
    critical: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    #: yes_no: the failing answer; choice: the failing choices; number: {"below", "above"}.
    fail_when: bool | tuple[str, ...] | dict[str, float] | None = None
    consequence: Consequence | None = None
    #: choice only: a failing choice's own consequence.
    outcomes: dict[str, Consequence] = field(default_factory=dict)

    def failure(self, answer: object) -> Consequence | None:
        """The consequence of `answer` (a valid one), or None when it is not a failure."""
        if answer is None:
            return None
        if self.type == ItemType.YES_NO:
            return self.consequence if self.fail_when is answer else None
        if self.type == ItemType.CHOICE:
            if answer in self.outcomes:
                return self.outcomes[answer]
            failing = self.fail_when or ()
            return self.consequence if answer in failing else None
        if self.type == ItemType.NUMBER and isinstance(self.fail_when, dict):
            below, above = self.fail_when.get("below"), self.fail_when.get("above")
            failed = (below is not None and answer < below) or (
                above is not None and answer > above
            )
            return self.consequence if failed else None
        return None

    def to_dict(self) -> dict:
        """The item as the API shows it and the database stores it."""
        body: dict = {
            "key": self.key,
            "label": self.label,
            "type": str(self.type),
            "required": self.required,
            "critical": self.critical,
            "min": self.min,
            "max": self.max,
            "choices": list(self.choices) if self.type == ItemType.CHOICE else None,
            "fail_when": list(self.fail_when)
            if isinstance(self.fail_when, tuple)
            else self.fail_when,
        }
        body.update(_consequence_dict(self.consequence))
        body["outcomes"] = (
            {choice: _consequence_dict(c) for choice, c in self.outcomes.items()}
            if self.outcomes
            else None
        )
        return body


def _consequence_dict(consequence: Consequence | None) -> dict:
    if consequence is None:
        return {
            "grade_cap": None,
            "liability": None,
            "buyer_fault": False,
            "deduction_percent": 0,
            "no_resale": False,
            "reject": None,
        }
    return {
        "grade_cap": str(consequence.grade_cap),
        "liability": str(consequence.liability) if consequence.liability else None,
        "buyer_fault": consequence.buyer_fault,
        "deduction_percent": consequence.deduction_percent,
        "no_resale": consequence.no_resale,
        "reject": str(consequence.reject) if consequence.reject else None,
    }


@dataclass(frozen=True)
class Template:
    items: tuple[Item, ...]

    def item(self, key: str) -> Item | None:
        return next((item for item in self.items if item.key == key), None)

    def to_list(self) -> list[dict]:
        return [item.to_dict() for item in self.items]


_CONSEQUENCE_FIELDS = (
    "grade_cap",
    "liability",
    "buyer_fault",
    "deduction_percent",
    "no_resale",
    "reject",
)
_ITEM_FIELDS = frozenset(
    {"key", "label", "type", "required", "critical", "min", "max", "choices", "fail_when"}
    | set(_CONSEQUENCE_FIELDS)
    | {"outcomes"}
)


def build_template(items: object) -> Template:
    """The template `items` describe, or TemplateInvalid naming every problem
    (`items.<n>.<field>`)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(items, list) or not items:
        raise TemplateInvalid({"items": ["A checklist needs at least one item."]})
    if len(items) > MAX_ITEMS:
        raise TemplateInvalid({"items": [f"At most {MAX_ITEMS} items."]})
    built: list[Item] = []
    seen: set[str] = set()
    for n, raw in enumerate(items):
        item_errors = _Errors(errors, f"items.{n}")
        item = _build_item(raw, item_errors)
        if item is None:
            continue
        if item.key in seen:
            item_errors.add("key", f"The key {item.key!r} is used twice.")
            continue
        seen.add(item.key)
        built.append(item)
    if errors:
        raise TemplateInvalid(errors)
    return Template(tuple(built))


class _Errors:
    def __init__(self, errors: dict[str, list[str]], prefix: str) -> None:
        self.errors, self.prefix, self.count = errors, prefix, 0

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(f"{self.prefix}.{name}" if name else self.prefix, []).append(message)
        self.count += 1


def _build_item(raw: object, errors: _Errors) -> Item | None:
    if not isinstance(raw, Mapping):
        errors.add("", "An item is an object.")
        return None
    for name in sorted(set(raw) - _ITEM_FIELDS):
        errors.add(name, "Unknown field.")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        errors.add("key", "1 to 40 lower-case letters, digits and _, starting with a letter.")
    label = _label(raw.get("label"), errors)
    try:
        type_ = ItemType(raw.get("type"))
    except ValueError:
        errors.add("type", f"One of: {', '.join(t.value for t in ItemType)}.")
        return None
    required = _flag(raw, "required", True, errors)
    critical = _flag(raw, "critical", False, errors)
    low, high = _number(raw, "min", errors), _number(raw, "max", errors)
    if type_ != ItemType.NUMBER and (low is not None or high is not None):
        errors.add("min" if low is not None else "max", "Only number items have a range.")
    if low is not None and high is not None and low > high:
        errors.add("max", "Less than min.")
    choices = _choices(raw, type_, errors)
    fail_when = _fail_when(raw.get("fail_when"), type_, choices, errors)
    consequence = _consequence(raw, critical, errors, prefix="")
    has_consequence = any(raw.get(name) not in (None, False, 0) for name in _CONSEQUENCE_FIELDS)
    outcomes: dict[str, Consequence] = {}
    raw_outcomes = raw.get("outcomes")
    if raw_outcomes is not None:
        if type_ != ItemType.CHOICE or not isinstance(raw_outcomes, Mapping):
            errors.add("outcomes", "Only a choice item has outcomes: {choice: {grade_cap, …}}.")
        else:
            for choice, spec in raw_outcomes.items():
                if choice not in choices:
                    errors.add(f"outcomes.{choice}", "Not one of the choices.")
                elif not isinstance(spec, Mapping):
                    errors.add(f"outcomes.{choice}", "An object: {grade_cap, buyer_fault, …}.")
                else:
                    extra = sorted(set(spec) - set(_CONSEQUENCE_FIELDS))
                    for name in extra:
                        errors.add(f"outcomes.{choice}.{name}", "Unknown field.")
                    built = _consequence(spec, critical, errors, prefix=f"outcomes.{choice}.")
                    if built is not None:
                        outcomes[choice] = built
    if fail_when is None and has_consequence:
        errors.add("fail_when", "Say which answer is a failure, or drop what a failure means.")
    if type_ in (ItemType.TEXT, ItemType.PHOTO) and (fail_when is not None or has_consequence):
        errors.add("fail_when", f"A {type_} item cannot fail; use a yes_no or choice item.")
    if errors.count:
        return None
    return Item(
        key=key,
        label=label,
        type=type_,
        required=required,
        critical=critical,
        min=low,
        max=high,
        choices=choices,
        fail_when=fail_when,
        consequence=consequence if fail_when is not None else None,
        outcomes=outcomes,
    )


def _label(value: object, errors: _Errors) -> str | dict[str, str]:
    if isinstance(value, str) and 1 <= len(value.strip()) <= 200:
        return value.strip()
    if isinstance(value, Mapping):
        if not all(lang in value for lang in LABEL_LANGUAGES):
            errors.add("label", "A string, or an object with both zh-CN and en.")
            return ""
        label = {}
        for lang, text in value.items():
            if not isinstance(lang, str) or not _LANGUAGE_TAG.fullmatch(lang):
                errors.add("label", f"{lang!r} is not a language tag.")
            elif not isinstance(text, str) or not 1 <= len(text.strip()) <= 200:
                errors.add("label", f"The {lang} label is 1 to 200 characters.")
            else:
                label[lang] = text.strip()
        return label
    errors.add("label", "A string, or an object with both zh-CN and en.")
    return ""


def _flag(raw: Mapping, key: str, default: bool, errors: _Errors, name: str = "") -> bool:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        errors.add(name or key, "true or false.")
        return default
    return value


def _number(raw: Mapping, name: str, errors: _Errors) -> float | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.add(name, "A number.")
        return None
    return value


def _choices(raw: Mapping, type_: ItemType, errors: _Errors) -> tuple[str, ...]:
    value = raw.get("choices")
    if type_ != ItemType.CHOICE:
        if value:
            errors.add("choices", "Only choice items have choices.")
        return ()
    if (
        not isinstance(value, list)
        or not 2 <= len(value) <= MAX_CHOICES
        or not all(isinstance(c, str) and 1 <= len(c) <= 64 for c in value)
    ):
        errors.add("choices", f"2 to {MAX_CHOICES} strings of 1 to 64 characters.")
        return ()
    if len(set(value)) != len(value):
        errors.add("choices", "A choice is listed twice.")
        return ()
    return tuple(value)


def _fail_when(value: object, type_: ItemType, choices: tuple[str, ...], errors: _Errors):
    if value is None:
        return None
    if type_ == ItemType.YES_NO:
        if not isinstance(value, bool):
            errors.add("fail_when", "true or false: the answer that is a failure.")
            return None
        return value
    if type_ == ItemType.CHOICE:
        if not isinstance(value, list) or not value or not all(v in choices for v in value):
            errors.add("fail_when", "A list of the choices that are failures.")
            return None
        return tuple(value)
    if type_ == ItemType.NUMBER:
        if (
            not isinstance(value, Mapping)
            or not value
            or set(value) - {"below", "above"}
            or any(
                isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
                for v in value.values()
            )
        ):
            errors.add("fail_when", 'An object {"below": n, "above": m} (either or both).')
            return None
        return dict(value)
    return value  # text and photo: refused by the caller


def _consequence(raw: Mapping, critical: bool, errors: _Errors, *, prefix: str):
    grade = raw.get("grade_cap")
    default_cap = Grade.C if critical else Grade.B
    before = errors.count
    try:
        grade_cap = Grade(grade) if grade is not None else default_cap
    except ValueError:
        errors.add(prefix + "grade_cap", "One of A, B, C, D.")
        grade_cap = default_cap
    liability = raw.get("liability")
    try:
        liability = Liability(liability) if liability is not None else None
    except ValueError:
        errors.add(prefix + "liability", "One of buyer, carrier, warehouse, manufacturer.")
    if liability == Liability.NONE:
        errors.add(prefix + "liability", "One of buyer, carrier, warehouse, manufacturer.")
    percent = raw.get("deduction_percent", 0)
    if percent is None:
        percent = 0
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        errors.add(prefix + "deduction_percent", "A whole number from 0 to 100.")
        percent = 0
    reject = raw.get("reject")
    try:
        reject = RejectReason(reject) if reject is not None else None
    except ValueError:
        errors.add(prefix + "reject", f"One of: {', '.join(r.value for r in RejectReason)}.")
    buyer_fault = _flag(raw, "buyer_fault", False, errors, name=prefix + "buyer_fault")
    no_resale = _flag(raw, "no_resale", False, errors, name=prefix + "no_resale")
    if errors.count > before:
        return None
    return Consequence(
        grade_cap=grade_cap,
        liability=liability,
        buyer_fault=buyer_fault,
        deduction_percent=percent,
        no_resale=no_resale,
        reject=reject,
    )


# --- answers ---------------------------------------------------------------------------------


class AnswersInvalid(FieldsInvalid):
    """Answers that do not fit the template, with a message for each item (`answers.<key>`)."""


def check_answers(template: Template, answers: object) -> dict[str, object]:
    """The answers, checked against every item: unknown keys, missing required answers, wrong
    types and out-of-range numbers are each named. Photo answers come back as lists of ids."""
    if not isinstance(answers, Mapping):
        raise AnswersInvalid({"answers": ["An object: {item key: answer}."]})
    errors: dict[str, list[str]] = {}
    for key in answers:
        if template.item(key) is None:
            errors[f"answers.{key}"] = ["Not an item of this checklist."]
    checked: dict[str, object] = {}
    for item in template.items:
        value = answers.get(item.key)
        if value is None:
            if item.required:
                errors[f"answers.{item.key}"] = ["Required: answer this item."]
            continue
        problem, clean = _check_answer(item, value)
        if problem:
            errors[f"answers.{item.key}"] = [problem]
        else:
            checked[item.key] = clean
    if errors:
        raise AnswersInvalid(errors)
    return checked


def _check_answer(item: Item, value: object) -> tuple[str | None, object]:
    if item.type == ItemType.YES_NO:
        return (None, value) if isinstance(value, bool) else ("Answer true or false.", None)
    if item.type == ItemType.CHOICE:
        if isinstance(value, str) and value in item.choices:
            return None, value
        return f"One of: {', '.join(item.choices)}.", None
    if item.type == ItemType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "A number.", None
        if not math.isfinite(value):
            return "A finite number.", None
        if item.min is not None and value < item.min:
            return f"At least {_show(item.min)}.", None
        if item.max is not None and value > item.max:
            return f"At most {_show(item.max)}.", None
        return None, value
    if item.type == ItemType.TEXT:
        if isinstance(value, str) and len(value) <= MAX_TEXT_ANSWER:
            text = value.strip()
            if text or not item.required:
                return None, text
            return "Required: answer this item.", None
        return f"Text of at most {MAX_TEXT_ANSWER} characters.", None
    # photo: one photo id or a list of them, as answered by POST /units/{lpn}/photos
    ids = [value] if isinstance(value, str) else value
    if (
        not isinstance(ids, list)
        or not all(isinstance(i, str) for i in ids)
        or len(ids) > MAX_PHOTOS_PER_ANSWER
    ):
        return f"A list of up to {MAX_PHOTOS_PER_ANSWER} photo ids.", None
    if item.required and not ids:
        return "Required: take at least one photo.", None
    try:
        return None, [str(uuid.UUID(i)) for i in ids]
    except ValueError:
        return "Photo ids as answered by POST /units/{lpn}/photos.", None


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def photo_ids_in(template: Template, answers: Mapping[str, object]) -> list[str]:
    """Every photo id the (checked) answers refer to, in checklist order."""
    ids: list[str] = []
    for item in template.items:
        if item.type == ItemType.PHOTO:
            ids.extend(answers.get(item.key) or [])
    return ids


# --- assessment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFacts:
    """What the assessment needs to know about the unit besides the answers."""

    reason: str
    reception_status: str
    unit_price: int | None
    currency: str
    #: The store's policy: the largest deduction, as a percentage of the unit price.
    max_deduction_percent: int = 100


@dataclass(frozen=True)
class Finding:
    """One failed item and what it means."""

    key: str
    label: str | dict[str, str]
    answer: object
    grade_cap: Grade
    liability: Liability
    deduction_percent: int
    no_resale: bool
    reject: RejectReason | None
    critical: bool

    @property
    def buyer_fault(self) -> bool:
        return self.liability == Liability.BUYER

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "answer": self.answer,
            "grade_cap": str(self.grade_cap),
            "liability": str(self.liability),
            "buyer_fault": self.buyer_fault,
            "deduction_percent": self.deduction_percent,
            "no_resale": self.no_resale,
            "reject": str(self.reject) if self.reject else None,
            "critical": self.critical,
        }


@dataclass(frozen=True)
class Deduction:
    amount: int
    currency: str
    percent: int
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Assessment:
    grade: Grade
    buyer_fault: bool
    liability: Liability
    recommended_disposition: Route
    deduction: Deduction
    reject: bool
    reject_reason: RejectReason | None
    #: Never resold (restock, refurbish, liquidate refused), e.g. an opened cosmetic.
    no_resale: bool
    findings: tuple[Finding, ...]

    @property
    def condition(self) -> str:
        return CONDITION[self.grade]


def carrier_context(facts: UnitFacts) -> bool:
    """Whether damage is presumed the carrier's: the parcel arrived damaged, or the buyer
    returned the item for damage in (outbound) transit."""
    return (
        facts.reception_status == "damaged_in_transit"
        or facts.reason == ReturnReason.DAMAGED_IN_TRANSIT
    )


def findings(template: Template, answers: Mapping[str, object], facts: UnitFacts) -> list[Finding]:
    """The failed items of checked answers, each with its liability settled."""
    found = []
    in_transit = carrier_context(facts)
    for item in template.items:
        answer = answers.get(item.key)
        consequence = item.failure(answer)
        if consequence is None:
            continue
        if consequence.liability is not None:
            liability = consequence.liability
        elif in_transit:
            liability = Liability.CARRIER
        elif consequence.buyer_fault:
            liability = Liability.BUYER
        else:
            liability = Liability.MANUFACTURER
        found.append(
            Finding(
                key=item.key,
                label=item.label,
                answer=answer,
                grade_cap=consequence.grade_cap,
                liability=liability,
                deduction_percent=consequence.deduction_percent,
                no_resale=consequence.no_resale,
                reject=consequence.reject,
                critical=item.critical,
            )
        )
    return found


def assess(template: Template, answers: Mapping[str, object], facts: UnitFacts) -> Assessment:
    """Everything an inspection concludes from checked answers (see the module's docstring)."""
    found = findings(template, answers, facts)
    grade = max((f.grade_cap for f in found), key=GRADE_ORDER.index, default=Grade.A)
    worst = next((f for f in found if f.grade_cap == grade), None)
    liability = worst.liability if worst else Liability.NONE
    reject_reason = REJECT_ON_RECEPTION.get(facts.reception_status) or next(
        (f.reject for f in found if f.reject), None
    )
    no_resale = any(f.no_resale for f in found)
    if reject_reason is not None:
        route = Route.RETURN_TO_BUYER
    elif no_resale:
        route = Route.SCRAP
    else:
        route = ROUTE_FOR_GRADE[grade]
    return Assessment(
        grade=grade,
        buyer_fault=any(f.buyer_fault for f in found),
        liability=liability,
        recommended_disposition=route,
        deduction=deduction(found, facts, rejected=reject_reason is not None),
        reject=reject_reason is not None,
        reject_reason=reject_reason,
        no_resale=no_resale,
        findings=tuple(found),
    )


def deduction(found: list[Finding], facts: UnitFacts, *, rejected: bool = False) -> Deduction:
    """What the store may deduct from this unit's refund, and why (or why not)."""

    def none(reason: str) -> Deduction:
        return Deduction(0, facts.currency, 0, reason)

    if rejected:
        return none("No deduction: the unit is flagged for rejection; the store decides.")
    if facts.reason in NO_DEDUCTION_REASONS:
        return none(f"No deduction on a {facts.reason} return.")
    if carrier_context(facts):
        return none("No deduction: the unit arrived damaged in transit.")
    by_buyer = [f for f in found if f.buyer_fault and f.deduction_percent > 0]
    if not by_buyer:
        return none("No deduction: no damage caused by the buyer.")
    if facts.unit_price is None:
        return none("No deduction: the unit is on no return line, so it has no price.")
    percent = max(f.deduction_percent for f in by_buyer)
    keys = ", ".join(f.key for f in by_buyer)
    reason = f"{percent}% of the unit price for damage caused by the buyer ({keys})"
    if percent > facts.max_deduction_percent:
        percent = facts.max_deduction_percent
        reason += f"; the store's policy caps deductions at {percent}%"
    amount = facts.unit_price * percent // 100
    return Deduction(amount, facts.currency, percent, reason + ".")


def report_return_inspected(
    *, all_units_inspected: bool, fully_received: bool, reported_before: bool, reinspection: bool
) -> bool:
    """Whether the store is told `return.inspected` now: when the last unit of a fully received
    return is inspected, and again when a supervisor re-inspects a unit of a return already
    reported (the event then carries the corrected grades)."""
    if not (all_units_inspected and fully_received):
        return False
    return not reported_before or reinspection
