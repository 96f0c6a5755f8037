"""A unit's states after check-in, and the disposition rules: each move legal and illegal."""

from __future__ import annotations

import pytest

from warehouse.disposition.rules import (
    DecisionInvalid,
    NeverResold,
    RefurbishOutcome,
    ScrapReason,
    SupervisorNeeded,
    judge,
    judge_refurbishment,
)
from warehouse.inspection.lifecycle import (
    TRANSITIONS,
    Move,
    MoveRefused,
    Route,
    UnitState,
    state_after,
)

LEGAL = [
    (UnitState.RECEIVED, Move.INSPECT, UnitState.INSPECTED),
    (UnitState.INSPECTED, Move.REINSPECT, UnitState.INSPECTED),
    (UnitState.INSPECTED, Move.RESTOCK, UnitState.RESTOCKED),
    (UnitState.INSPECTED, Move.REFURBISH, UnitState.REFURBISHING),
    (UnitState.INSPECTED, Move.SCRAP, UnitState.SCRAPPED),
    (UnitState.INSPECTED, Move.RETURN_TO_VENDOR, UnitState.RETURNED_TO_VENDOR),
    (UnitState.INSPECTED, Move.LIQUIDATE, UnitState.LIQUIDATED),
    (UnitState.INSPECTED, Move.RETURN_TO_BUYER, UnitState.RETURNED_TO_BUYER),
    (UnitState.REFURBISHING, Move.REFURBISHED_RESTOCK, UnitState.RESTOCKED),
    (UnitState.REFURBISHING, Move.REFURBISHED_SCRAP, UnitState.SCRAPPED),
    (UnitState.RESTOCKED, Move.MOVE_BIN, UnitState.RESTOCKED),
]


@pytest.mark.parametrize(("state", "move", "after"), LEGAL)
def test_each_legal_move_leads_to_its_state(state, move, after):
    assert state_after(state, move) == after


def test_every_other_move_is_refused_naming_the_current_state():
    legal = {(state, move) for state, move, _ in LEGAL}
    assert legal == set(TRANSITIONS)
    for state in UnitState:
        for move in Move:
            if (state, move) in legal:
                continue
            with pytest.raises(MoveRefused) as refused:
                state_after(state, move)
            assert state.value in str(refused.value), (state, move)


def test_disposing_before_inspection_says_to_inspect_first():
    with pytest.raises(MoveRefused, match="inspect it first"):
        state_after(UnitState.RECEIVED, Move.RESTOCK)


def test_disposing_twice_says_it_was_disposed_of():
    with pytest.raises(MoveRefused, match="scrapped already"):
        state_after(UnitState.SCRAPPED, Move.RESTOCK)


# --- disposition rules -------------------------------------------------------------------------


def decide(decision, **overrides):
    args = {
        "recommended": Route.RESTOCK,
        "no_resale": False,
        "supervisor": False,
        "reason": None,
        "has_bin": decision == Route.RESTOCK,
    }
    args.update(overrides)
    return judge(decision, **args)


def test_the_recommended_route_needs_no_supervisor_and_no_reason():
    assert decide(Route.RESTOCK).override is False


def test_another_route_needs_a_supervisor():
    with pytest.raises(SupervisorNeeded, match="recommended route is restock"):
        decide(Route.REFURBISH, reason="screen flickers")


def test_a_supervisors_override_needs_a_reason():
    with pytest.raises(DecisionInvalid) as refused:
        decide(Route.REFURBISH, supervisor=True)
    assert "reason" in refused.value.errors
    assert decide(Route.REFURBISH, supervisor=True, reason="screen flickers").override is True


def test_restocking_needs_a_bin_and_nothing_else_takes_one():
    with pytest.raises(DecisionInvalid) as no_bin:
        decide(Route.RESTOCK, has_bin=False)
    assert list(no_bin.value.errors) == ["bin"]
    with pytest.raises(DecisionInvalid) as stray_bin:
        decide(Route.REFURBISH, recommended=Route.REFURBISH, has_bin=True)
    assert list(stray_bin.value.errors) == ["bin"]


def test_scrapping_needs_a_reason_from_the_list():
    with pytest.raises(DecisionInvalid) as refused:
        decide(Route.SCRAP, recommended=Route.SCRAP, reason="looks bad")
    assert "hygiene" in refused.value.errors["reason"][0]
    judged = decide(Route.SCRAP, recommended=Route.SCRAP, reason="hygiene")
    assert judged.scrap_reason == ScrapReason.HYGIENE


@pytest.mark.parametrize("route", [Route.RESTOCK, Route.REFURBISH, Route.LIQUIDATE])
def test_a_unit_never_to_be_resold_is_refused_every_resale_route_even_for_a_supervisor(route):
    with pytest.raises(NeverResold):
        decide(route, recommended=Route.SCRAP, no_resale=True, supervisor=True, reason="boss")


def test_refurbishment_completes_into_a_bin_or_as_scrap_with_a_default_reason():
    assert judge_refurbishment(RefurbishOutcome.RESTOCK, reason=None, has_bin=True) is None
    assert judge_refurbishment(RefurbishOutcome.SCRAP, reason=None, has_bin=False) == (
        ScrapReason.REFURBISHMENT_FAILED
    )
    with pytest.raises(DecisionInvalid):
        judge_refurbishment(RefurbishOutcome.RESTOCK, reason=None, has_bin=False)
