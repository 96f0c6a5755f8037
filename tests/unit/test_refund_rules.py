"""The refund decision: amounts, deductions, rejections, exchanges, at most once per unit."""

from __future__ import annotations

import uuid

from warehouse.refunds.rules import (
    Kind,
    LineTerms,
    UnitFinding,
    after_inspection,
    express_refund,
    express_verdict,
)

TEE = LineTerms(uuid.uuid4(), "L1", quantity=2, unit_price=9900)
MUG = LineTerms(uuid.uuid4(), "L2", quantity=1, unit_price=3500)


def finding(line, slot, **kw):
    return UnitFinding(unit_id=uuid.uuid4(), lpn=f"LPN{slot}", line=line.id, slot=slot, **kw)


def decide(findings, refunded=frozenset(), already=0, exchange=False):
    return after_inspection(
        exchange=exchange,
        lines=[TEE, MUG],
        findings=findings,
        refunded=set(refunded),
        already_refunded_amount=already,
    )


def test_every_accepted_unit_is_refunded_at_its_line_price():
    decision = decide([finding(TEE, 0), finding(TEE, 1), finding(MUG, 0)])
    assert decision.kind == Kind.REFUND
    assert [(ln.line_id, ln.quantity, ln.amount) for ln in decision.lines] == [
        ("L1", 2, 19800),
        ("L2", 1, 3500),
    ]
    assert decision.amount == 23300


def test_a_justified_deduction_comes_off_its_line_and_is_explained():
    decision = decide(
        [finding(TEE, 0, deduction=1980, deduction_reason="tags removed"), finding(TEE, 1)]
    )
    line = decision.lines[0]
    assert (line.amount, line.deduction, line.deduction_reason) == (17820, 1980, "tags removed")
    assert line.to_event() == {
        "line_id": "L1",
        "quantity": 2,
        "amount": 17820,
        "deduction": 1980,
        "deduction_reason": "tags removed",
    }


def test_a_deduction_never_makes_a_unit_worth_less_than_nothing():
    decision = decide([finding(MUG, 0, deduction=99999, deduction_reason="smashed")])
    assert decision.lines[0].amount == 0


def test_a_partial_receipt_refunds_only_what_arrived():
    decision = decide([finding(TEE, 0)])
    assert [(ln.line_id, ln.quantity, ln.amount) for ln in decision.lines] == [("L1", 1, 9900)]


def test_units_already_refunded_are_never_refunded_again():
    decision = decide([finding(TEE, 0), finding(TEE, 1)], refunded={(TEE.id, 0)}, already=9900)
    assert [(ln.quantity, ln.amount, ln.slots) for ln in decision.lines] == [(1, 9900, (1,))]
    assert decide([finding(TEE, 0)], refunded={(TEE.id, 0)}).kind == Kind.NOTHING


def test_the_total_never_exceeds_what_the_buyer_paid():
    decision = decide([finding(TEE, 0), finding(TEE, 1), finding(MUG, 0)], already=20000)
    assert decision.amount == 23300 - 20000


def test_a_unit_flagged_for_rejection_is_not_refunded_but_reported():
    swapped = finding(TEE, 1, reject_reason="serial_mismatch")
    decision = decide([finding(TEE, 0), swapped])
    assert decision.kind == Kind.REFUND
    assert decision.amount == 9900
    assert decision.rejected == (swapped,)


def test_nothing_acceptable_and_something_rejected_is_a_rejection():
    decision = decide([finding(TEE, 0, reject_reason="wrong_item")])
    assert decision.kind == Kind.REJECT
    assert decision.lines == ()


def test_an_exchange_return_asks_for_the_exchange_instead_of_a_refund():
    decision = decide([finding(TEE, 0)], exchange=True)
    assert decision.kind == Kind.EXCHANGE
    assert decision.lines[0].slots == (0,)


def test_an_express_refund_covers_every_expected_unit_at_full_price():
    decision = express_refund([TEE, MUG], refunded=set())
    assert decision.kind == Kind.REFUND
    assert decision.amount == 23300
    assert express_refund([TEE, MUG], {(TEE.id, 0), (TEE.id, 1), (MUG.id, 0)}).kind == Kind.NOTHING


def test_express_refunds_follow_the_stores_policy():
    ok = dict(requested=True, limit=50000, total=23300, buyer_flagged=False, exchange=False)
    assert express_verdict(**ok).allowed
    assert not express_verdict(**{**ok, "requested": False}).allowed
    assert not express_verdict(**{**ok, "limit": 0}).allowed
    assert "over" in express_verdict(**{**ok, "total": 50001}).reason
    assert "flagged" in express_verdict(**{**ok, "buyer_flagged": True}).reason
    assert not express_verdict(**{**ok, "exchange": True}).allowed
