"""The inspection rules on their own: templates, answers, grade, liability, deduction, route."""

from __future__ import annotations

import pytest
from inspection_fixtures import apparel_items

from warehouse.inspection.lifecycle import Route
from warehouse.inspection.rules import (
    AnswersInvalid,
    Grade,
    Liability,
    RejectReason,
    TemplateInvalid,
    UnitFacts,
    assess,
    build_template,
    check_answers,
    report_return_inspected,
)
from warehouse.returns.rules import ReturnStatus, status_after_inspection

GOOD = {"tags_attached": True, "signs_of_wear": "none", "stains": False, "packaging_intact": True}


@pytest.fixture
def template():
    return build_template(apparel_items())


def facts(**overrides) -> UnitFacts:
    values = {
        "reason": "no_reason_7d",
        "reception_status": "received",
        "unit_price": 9900,
        "currency": "CNY",
    }
    values.update(overrides)
    return UnitFacts(**values)


def answers(**changes) -> dict:
    return {**GOOD, **changes}


# --- templates -----------------------------------------------------------------------------


def test_a_template_reads_back_exactly_as_it_is_stored(template):
    assert build_template(template.to_list()) == template


def test_a_failed_item_without_a_grade_cap_caps_at_b_or_at_c_when_critical():
    template = build_template(
        [
            {"key": "seal", "label": "Seal", "type": "yes_no", "fail_when": False},
            {
                "key": "boots",
                "label": "Boots",
                "type": "yes_no",
                "fail_when": False,
                "critical": True,
            },
        ]
    )
    assert [item.consequence.grade_cap for item in template.items] == [Grade.B, Grade.C]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"key": "Bad Key", "label": "x", "type": "yes_no"}, "items.0.key"),
        ({"key": "a", "label": {"en": "only English"}, "type": "yes_no"}, "items.0.label"),
        ({"key": "a", "label": "x", "type": "colour"}, "items.0.type"),
        ({"key": "a", "label": "x", "type": "number", "min": 5, "max": 1}, "items.0.max"),
        ({"key": "a", "label": "x", "type": "yes_no", "min": 1}, "items.0.min"),
        ({"key": "a", "label": "x", "type": "choice", "choices": ["one"]}, "items.0.choices"),
        ({"key": "a", "label": "x", "type": "yes_no", "fail_when": "no"}, "items.0.fail_when"),
        (
            {"key": "a", "label": "x", "type": "choice", "choices": ["p", "q"], "fail_when": ["r"]},
            "items.0.fail_when",
        ),
        (
            {"key": "a", "label": "x", "type": "number", "fail_when": {"under": 3}},
            "items.0.fail_when",
        ),
        ({"key": "a", "label": "x", "type": "text", "fail_when": True}, "items.0.fail_when"),
        ({"key": "a", "label": "x", "type": "yes_no", "grade_cap": "B"}, "items.0.fail_when"),
        (
            {"key": "a", "label": "x", "type": "yes_no", "fail_when": True, "grade_cap": "E"},
            "items.0.grade_cap",
        ),
        (
            {
                "key": "a",
                "label": "x",
                "type": "yes_no",
                "fail_when": True,
                "deduction_percent": 101,
            },
            "items.0.deduction_percent",
        ),
        (
            {"key": "a", "label": "x", "type": "yes_no", "fail_when": True, "liability": "god"},
            "items.0.liability",
        ),
        (
            {"key": "a", "label": "x", "type": "yes_no", "fail_when": True, "reject": "ugly"},
            "items.0.reject",
        ),
        (
            {"key": "a", "label": "x", "type": "yes_no", "outcomes": {"yes": {}}},
            "items.0.outcomes",
        ),
        (
            {
                "key": "a",
                "label": "x",
                "type": "choice",
                "choices": ["p", "q"],
                "outcomes": {"r": {"grade_cap": "C"}},
            },
            "items.0.outcomes.r",
        ),
        ({"key": "a", "label": "x", "type": "yes_no", "formula": "1+1"}, "items.0.formula"),
    ],
    ids=[
        "key",
        "label-one-language",
        "type",
        "min-above-max",
        "range-on-yes-no",
        "one-choice",
        "fail-when-text",
        "fail-when-unknown-choice",
        "fail-when-unknown-bound",
        "text-cannot-fail",
        "consequence-without-failure",
        "grade-cap",
        "deduction-over-100",
        "liability",
        "reject-reason",
        "outcomes-on-yes-no",
        "outcome-unknown-choice",
        "unknown-field",
    ],
)
def test_a_template_that_cannot_work_names_the_offending_field(item, field):
    with pytest.raises(TemplateInvalid) as refused:
        build_template([item])
    assert field in refused.value.errors


def test_a_key_used_twice_and_an_empty_template_are_refused():
    item = {"key": "a", "label": "x", "type": "yes_no"}
    with pytest.raises(TemplateInvalid) as twice:
        build_template([item, item])
    assert "items.1.key" in twice.value.errors
    with pytest.raises(TemplateInvalid):
        build_template([])


# --- answers -------------------------------------------------------------------------------


def test_every_bad_answer_is_named_at_once(template):
    bad = {
        "tags_attached": "yes",
        "signs_of_wear": "destroyed",
        "chest_cm": 500,
        "photo_front": "not-a-uuid",
        "colour": "red",
    }
    with pytest.raises(AnswersInvalid) as refused:
        check_answers(template, bad)
    assert set(refused.value.errors) == {
        "answers.tags_attached",
        "answers.signs_of_wear",
        "answers.stains",
        "answers.packaging_intact",
        "answers.chest_cm",
        "answers.photo_front",
        "answers.colour",
    }
    assert refused.value.errors["answers.stains"] == ["Required: answer this item."]
    assert refused.value.errors["answers.chest_cm"] == ["At most 200."]
    assert refused.value.errors["answers.colour"] == ["Not an item of this checklist."]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("tags_attached", 1, "Answer true or false."),
        ("signs_of_wear", ["none"], "One of: none, tried_on, worn."),
        ("chest_cm", True, "A number."),
        ("chest_cm", "80", "A number."),
        ("chest_cm", 29.5, "At least 30."),
        ("chest_cm", float("nan"), "A finite number."),
        ("notes", 42, "Text of at most 1000 characters."),
        ("notes", "x" * 1001, "Text of at most 1000 characters."),
        ("photo_front", [1, 2], "A list of up to 20 photo ids."),
    ],
)
def test_each_item_type_refuses_answers_of_another_type(template, key, value, message):
    with pytest.raises(AnswersInvalid) as refused:
        check_answers(template, answers(**{key: value}))
    assert refused.value.errors == {f"answers.{key}": [message]}


def test_optional_items_may_be_left_out_or_null(template):
    assert check_answers(template, answers(chest_cm=None)) == GOOD


def test_a_photo_answer_is_a_list_of_ids(template):
    photo = "01a20101-eefb-7643-9554-4f20cdebf367"
    assert check_answers(template, answers(photo_front=photo))["photo_front"] == [photo]


def test_answers_that_are_not_an_object_are_refused(template):
    with pytest.raises(AnswersInvalid) as refused:
        check_answers(template, ["tags_attached"])
    assert "answers" in refused.value.errors


# --- grades ----------------------------------------------------------------------------------


def test_a_unit_with_nothing_wrong_is_grade_a_restocked_without_deduction(template):
    result = assess(template, GOOD, facts())
    assert result.grade == Grade.A
    assert result.liability == Liability.NONE
    assert result.buyer_fault is False
    assert result.recommended_disposition == Route.RESTOCK
    assert result.deduction.amount == 0
    assert result.findings == ()


@pytest.mark.parametrize(
    ("changes", "grade", "route"),
    [
        ({"packaging_intact": False}, Grade.B, Route.RESTOCK),
        ({"signs_of_wear": "tried_on"}, Grade.B, Route.RESTOCK),
        ({"signs_of_wear": "worn"}, Grade.C, Route.REFURBISH),
        ({"stains": True, "packaging_intact": False}, Grade.C, Route.REFURBISH),
    ],
)
def test_the_worst_failed_item_sets_the_grade_and_the_route(template, changes, grade, route):
    result = assess(template, answers(**changes), facts())
    assert (result.grade, result.recommended_disposition) == (grade, route)


def test_a_number_outside_its_passing_band_fails():
    template = build_template(
        [
            {
                "key": "battery",
                "label": "Battery %",
                "type": "number",
                "min": 0,
                "max": 100,
                "fail_when": {"below": 80},
                "grade_cap": "C",
            }
        ]
    )
    assert assess(template, {"battery": 79.5}, facts()).grade == Grade.C
    assert assess(template, {"battery": 80}, facts()).grade == Grade.A


def test_grade_d_is_scrapped_and_a_no_resale_failure_is_scrapped_whatever_its_grade():
    template = build_template(
        [
            {
                "key": "broken",
                "label": "Broken",
                "type": "yes_no",
                "fail_when": True,
                "grade_cap": "D",
            },
            {
                "key": "opened",
                "label": "Opened",
                "type": "yes_no",
                "fail_when": True,
                "no_resale": True,
            },
        ]
    )
    assert assess(template, {"broken": True, "opened": False}, facts()).recommended_disposition == (
        Route.SCRAP
    )
    hygiene = assess(template, {"broken": False, "opened": True}, facts())
    assert (hygiene.grade, hygiene.no_resale, hygiene.recommended_disposition) == (
        Grade.B,
        True,
        Route.SCRAP,
    )


# --- liability and buyer's fault -------------------------------------------------------------


def test_damage_the_buyer_usually_causes_is_the_buyers(template):
    result = assess(template, answers(stains=True), facts())
    assert (result.liability, result.buyer_fault) == (Liability.BUYER, True)


def test_a_failure_that_is_no_ones_fault_in_particular_is_the_manufacturers(template):
    result = assess(template, answers(packaging_intact=False), facts(reason="quality_issue"))
    assert (result.liability, result.buyer_fault) == (Liability.MANUFACTURER, False)


@pytest.mark.parametrize(
    "context",
    [{"reception_status": "damaged_in_transit"}, {"reason": "damaged_in_transit"}],
    ids=["arrived-damaged", "returned-for-transit-damage"],
)
def test_transit_damage_is_the_carriers_unless_only_the_buyer_can_cause_it(template, context):
    stained = assess(template, answers(stains=True), facts(**context))
    assert (stained.liability, stained.buyer_fault) == (Liability.CARRIER, False)
    # Removed tags are no carrier's doing: the template names the buyer for them.
    no_tags = assess(template, answers(tags_attached=False), facts(**context))
    assert (no_tags.liability, no_tags.buyer_fault) == (Liability.BUYER, True)


def test_the_most_severe_failure_decides_the_liability(template):
    result = assess(template, answers(tags_attached=False, signs_of_wear="worn"), facts())
    assert result.grade == Grade.C
    assert result.liability == Liability.BUYER
    mixed = build_template(
        [
            {"key": "dead", "label": "Dead", "type": "yes_no", "fail_when": True, "grade_cap": "C"},
            {
                "key": "scuffed",
                "label": "Scuffed",
                "type": "yes_no",
                "fail_when": True,
                "buyer_fault": True,
            },
        ]
    )
    result = assess(mixed, {"dead": True, "scuffed": True}, facts())
    assert (result.liability, result.buyer_fault) == (Liability.MANUFACTURER, True)


# --- deductions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason", ["quality_issue", "not_as_described", "wrong_item_sent", "damaged_in_transit"]
)
def test_returns_that_are_the_stores_or_carriers_fault_never_get_a_deduction(template, reason):
    result = assess(template, answers(stains=True, tags_attached=False), facts(reason=reason))
    assert result.deduction.amount == 0
    assert reason in result.deduction.reason or "transit" in result.deduction.reason


@pytest.mark.parametrize("reason", ["no_reason_7d", "other"])
def test_a_non_quality_return_damaged_by_the_buyer_gets_the_largest_percentage(template, reason):
    result = assess(
        template, answers(stains=True, tags_attached=False), facts(reason=reason, unit_price=9900)
    )
    assert result.deduction.percent == 30
    assert result.deduction.amount == 2970
    assert result.deduction.currency == "CNY"
    assert "stains" in result.deduction.reason and "tags_attached" in result.deduction.reason


def test_a_7_day_return_without_buyer_damage_gets_no_deduction(template):
    result = assess(template, answers(packaging_intact=False), facts())
    assert result.deduction.amount == 0


def test_the_stores_policy_caps_the_deduction_and_rounding_favours_the_buyer(template):
    result = assess(template, answers(stains=True), facts(unit_price=999, max_deduction_percent=20))
    assert result.deduction.percent == 20
    assert result.deduction.amount == 199  # 199.8 rounded down
    assert "caps" in result.deduction.reason
    off = assess(template, answers(stains=True), facts(max_deduction_percent=0))
    assert off.deduction.amount == 0


def test_a_unit_on_no_line_has_no_price_and_so_no_deduction(template):
    assert assess(template, answers(stains=True), facts(unit_price=None)).deduction.amount == 0


# --- rejection -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["serial_mismatch", "wrong_item"])
def test_a_serial_mismatch_or_wrong_item_is_flagged_for_rejection(template, status):
    result = assess(template, answers(stains=True), facts(reception_status=status))
    assert result.reject is True
    assert result.reject_reason == RejectReason(status)
    assert result.recommended_disposition == Route.RETURN_TO_BUYER
    assert result.deduction.amount == 0


def test_an_item_may_flag_a_unit_for_rejection():
    template = build_template(
        [
            {
                "key": "serial_matches",
                "label": "Serial matches",
                "type": "yes_no",
                "fail_when": False,
                "reject": "serial_mismatch",
            }
        ]
    )
    result = assess(template, {"serial_matches": False}, facts())
    assert (result.reject, result.reject_reason) == (True, RejectReason.SERIAL_MISMATCH)
    assert assess(template, {"serial_matches": True}, facts()).reject is False


# --- the return ------------------------------------------------------------------------------


def test_the_last_unit_inspected_makes_a_received_return_inspected():
    received = ReturnStatus.RECEIVED
    assert status_after_inspection(received, all_units_inspected=True) == ReturnStatus.INSPECTED
    assert status_after_inspection(received, all_units_inspected=False) == received


@pytest.mark.parametrize(
    "status",
    [
        ReturnStatus.PARTIALLY_RECEIVED,
        ReturnStatus.IN_TRANSIT,
        ReturnStatus.REFUND_REQUESTED,
        ReturnStatus.CLOSED,
    ],
)
def test_a_return_not_fully_received_or_further_along_keeps_its_status(status):
    assert status_after_inspection(status, all_units_inspected=True) == status


def test_the_store_is_told_once_unless_a_supervisor_corrects_a_grade():
    told = {"all_units_inspected": True, "fully_received": True}
    assert report_return_inspected(**told, reported_before=False, reinspection=False)
    assert not report_return_inspected(**told, reported_before=True, reinspection=False)
    assert report_return_inspected(**told, reported_before=True, reinspection=True)
    assert not report_return_inspected(
        all_units_inspected=False, fully_received=True, reported_before=False, reinspection=False
    )
    assert not report_return_inspected(
        all_units_inspected=True, fully_received=False, reported_before=False, reinspection=False
    )
