"""Disposition rules in plain Python: which route a person may choose for an inspected unit,
and what each route needs.

The recommended route is one scan away for anyone who may dispose; any other route is an
override: a supervisor's, with a reason. A unit the inspection marked `no_resale` (an opened
cosmetic: hygiene) never goes back on sale, whoever asks. Restocking needs a bin; scrapping
needs a reason from a fixed list.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from warehouse.inspection.lifecycle import Route
from warehouse.inspection.rules import FieldsInvalid
from warehouse.texts import Text


class ScrapReason(StrEnum):
    DAMAGED_BEYOND_REPAIR = "damaged_beyond_repair"
    HYGIENE = "hygiene"
    MISSING_PARTS = "missing_parts"
    COUNTERFEIT = "counterfeit"
    EXPIRED = "expired"
    HAZARDOUS = "hazardous"
    NO_RESALE_VALUE = "no_resale_value"
    REFURBISHMENT_FAILED = "refurbishment_failed"


class RefurbishOutcome(StrEnum):
    RESTOCK = "restock"
    SCRAP = "scrap"


#: Routes that put the unit (or its parts) on sale again.
RESALE_ROUTES = frozenset({Route.RESTOCK, Route.REFURBISH, Route.LIQUIDATE})
#: The grade a refurbished unit goes back to stock as: open box.
REFURBISHED_GRADE = "B"
MIN_OVERRIDE_REASON = 3


class NeverResold(Exception):
    """The unit may never go back on sale (hygiene): no one may choose this route."""


class SupervisorNeeded(Exception):
    """Only a supervisor may choose another route than the recommended one."""


class DecisionInvalid(FieldsInvalid):
    """What the request lacks or has too much of, by field."""


@dataclass(frozen=True)
class Judgement:
    override: bool
    scrap_reason: ScrapReason | None


def judge(
    decision: Route,
    *,
    recommended: Route,
    no_resale: bool,
    supervisor: bool,
    reason: str | None,
    has_bin: bool,
) -> Judgement:
    """Whether this person may send the unit this way with what they sent, and whether it is
    an override. Refusals: NeverResold, SupervisorNeeded, DecisionInvalid (in that order)."""
    if no_resale and decision in RESALE_ROUTES:
        raise NeverResold(
            Text(
                "This unit may never be resold (hygiene or safety): {decision} is not possible.",
                decision=decision.value,
            )
        )
    override = decision != recommended
    if override and not supervisor:
        raise SupervisorNeeded(
            Text(
                "The recommended route is {recommended}; only a supervisor may choose {decision}.",
                recommended=recommended.value,
                decision=decision.value,
            )
        )
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip() or None
    if decision == Route.RESTOCK and not has_bin:
        errors["bin"] = [Text("Restocking needs a bin: scan the bin's label.")]
    if decision != Route.RESTOCK and has_bin:
        errors["bin"] = [Text("Only a restocked unit goes into a bin.")]
    scrap_reason = None
    if decision == Route.SCRAP:
        scrap_reason = _scrap_reason(reason, errors)
    elif override and (reason is None or len(reason) < MIN_OVERRIDE_REASON):
        errors["reason"] = [
            Text(
                "Choosing {decision} over the recommended {recommended} needs a reason.",
                decision=decision.value,
                recommended=recommended.value,
            )
        ]
    if errors:
        raise DecisionInvalid(errors)
    return Judgement(override=override, scrap_reason=scrap_reason)


def judge_refurbishment(
    outcome: RefurbishOutcome, *, reason: str | None, has_bin: bool
) -> ScrapReason | None:
    """What completing a refurbishment needs: a bin to restock into; a scrap reason from the
    list (refurbishment_failed when none is given). Answers the scrap reason."""
    errors: dict[str, list[str]] = {}
    if outcome == RefurbishOutcome.RESTOCK and not has_bin:
        errors["bin"] = [Text("Restocking needs a bin: scan the bin's label.")]
    if outcome == RefurbishOutcome.SCRAP and has_bin:
        errors["bin"] = [Text("Only a restocked unit goes into a bin.")]
    scrap_reason = None
    if outcome == RefurbishOutcome.SCRAP:
        scrap_reason = _scrap_reason(reason or ScrapReason.REFURBISHMENT_FAILED.value, errors)
    if errors:
        raise DecisionInvalid(errors)
    return scrap_reason


def _scrap_reason(reason: str | None, errors: dict[str, list[str]]) -> ScrapReason | None:
    try:
        return ScrapReason((reason or "").strip())
    except ValueError:
        errors["reason"] = [
            Text("Scrapping needs a reason, one of: {reasons}.", reasons=", ".join(ScrapReason))
        ]
        return None
