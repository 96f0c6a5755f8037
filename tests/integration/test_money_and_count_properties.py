"""Property tests of the core promises, driven through the real API on a real database.

Hypothesis draws whole return journeys (lines, prices, express or not, how many items
arrive, what inspection finds, and what supervisors and stores do afterwards) and checks
after each journey what a store and an auditor would check:

- a refund never exceeds what was paid: per line, per return, across express,
  after-inspection and every later decision, with deductions never above a unit's price;
- no unit is refunded twice (each (line, slot) at most once, never beyond the quantity);
- reception counts add up: for every line, expected = received + short, and items beyond
  the expected quantity are counted apart as extra, each with a unit and an exception.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from factories import bearer, line
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from inspection_fixtures import GOOD_APPAREL, Floor
from sqlalchemy import select

from warehouse.events.models import Event
from warehouse.receiving.models import Unit
from warehouse.refunds.models import Refund, RefundUnit
from warehouse.returns.models import ReturnLine

JOURNEYS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a whole journey
)
FINDINGS = {
    "good": GOOD_APPAREL,
    "stained": {**GOOD_APPAREL, "stains": True},
    "worn": {**GOOD_APPAREL, "signs_of_wear": "worn"},
    "no_tags": {**GOOD_APPAREL, "tags_attached": False},
}

lines_st = st.lists(
    st.tuples(st.integers(1, 3), st.integers(1, 200_000)),  # quantity, unit price (minor units)
    min_size=1,
    max_size=3,
)


@st.composite
def journeys(draw):
    lines = draw(lines_st)
    arrived = [draw(st.integers(0, quantity + 1)) for quantity, _ in lines]
    return {
        "lines": lines,
        "arrived": arrived,
        "reason": draw(st.sampled_from(["no_reason_7d", "quality_issue", "other"])),
        "express": draw(st.booleans()),
        "express_limit": draw(st.sampled_from([0, 50_000, 10**9])),
        "findings": draw(
            # One finding per unit that arrived at least (three lines may bring twelve).
            st.lists(
                st.sampled_from(sorted(FINDINGS)),
                min_size=sum(arrived),
                max_size=max(10, sum(arrived)),
            )
        ),
        "with_photo": draw(st.booleans()),
        "afterwards": draw(
            st.lists(
                st.sampled_from(["reinspect", "override", "fail_and_retry", "confirm"]),
                max_size=3,
            )
        ),
    }


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    return floor


def run_journey(floor, make_store, journey) -> tuple[dict, list[tuple[int, int]], str]:
    """Plays one journey through the API; answers (return, [(quantity, price)], parcel id)."""
    _, key = make_store(express_refund_limit=journey["express_limit"])
    store = bearer(key)
    prefix = uuid.uuid4().hex[:6].upper()
    lines = [
        line(sku=f"P{prefix}{i}", gtin=None, quantity=q, unit_price=p)
        for i, (q, p) in enumerate(journey["lines"])
    ]
    ret = floor.create_return(
        lines, headers=store, reason=journey["reason"], express_refund=journey["express"]
    )
    codes = [f"P{prefix}{i}" for i, n in enumerate(journey["arrived"]) for _ in range(n)]
    scan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
    parcel_id = floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver).json[
        "parcel"
    ]["id"]
    lpns = []
    for code in codes:
        answer = floor.client.post(
            f"/api/v1/parcels/{parcel_id}/items/scan",
            json={"scan_id": str(uuid.uuid4()), "code": code},
            headers=floor.receiver,
        )
        assert answer.status_code == 200, answer.json
        if answer.json["exception"] is None:  # a unit of the return, not an extra
            lpns.append(answer.json["unit"]["lpn"])
    closed = floor.client.post(f"/api/v1/parcels/{parcel_id}/close", headers=floor.receiver)
    assert closed.status_code == 200, closed.json

    for lpn, finding in zip(lpns, journey["findings"], strict=False):
        photos = [floor.photo(lpn)] if journey["with_photo"] else []
        floor.inspect(lpn, FINDINGS[finding], photo_ids=photos)
    for step in journey["afterwards"]:
        if step == "reinspect" and lpns:
            floor.inspect(lpns[0], FINDINGS["good"], headers=floor.supervisor)
        elif step == "override":
            floor.client.post(
                f"/api/v1/returns/{ret['id']}/decision",
                json={"decision": "refund", "reason": "proof shown"},
                headers=floor.supervisor,
            )
        elif step == "fail_and_retry":
            floor.client.post(
                f"/api/v1/returns/{ret['id']}/refund-failure",
                json={"reason": "account closed"},
                headers=store,
            )
            floor.client.post(f"/api/v1/returns/{ret['id']}/refund-retry", headers=floor.supervisor)
        elif step == "confirm":
            requested = sum(
                e.data["amount"]
                for e in floor.events("return.refund_requested")
                if e.data["return_id"] == ret["id"]
            )
            floor.client.post(
                f"/api/v1/returns/{ret['id']}/refund-confirmation",
                json={"refund_id": f"R{prefix}", "amount": requested},
                headers=store,
            )
    return ret, journey["lines"], parcel_id


@given(journey=journeys())
@example(
    journey={
        "lines": [(2, 9900), (1, 3500)],
        "arrived": [2, 1],
        "reason": "no_reason_7d",
        "express": False,
        "express_limit": 0,
        "findings": ["good", "good", "good"],
        "with_photo": False,
        "afterwards": [],
    }
)
@example(
    journey={
        "lines": [(2, 9900)],
        "arrived": [1],
        "reason": "no_reason_7d",
        "express": True,
        "express_limit": 10**9,
        "findings": ["stained"],
        "with_photo": True,
        "afterwards": ["reinspect", "override", "fail_and_retry"],
    }
)
@JOURNEYS
def test_a_refund_never_exceeds_what_was_paid_and_no_unit_is_refunded_twice(
    floor, make_store, db, journey
):
    ret, terms, _ = run_journey(floor, make_store, journey)
    db.rollback()  # a fresh snapshot: see what the requests committed
    return_id = uuid.UUID(ret["id"])
    lines = {
        row.id: row
        for row in db.scalars(select(ReturnLine).where(ReturnLine.return_id == return_id))
    }
    paid = {row.id: row.quantity * row.unit_price for row in lines.values()}

    refunds = db.scalars(
        select(Refund).where(Refund.return_id == return_id, Refund.kind == "refund")
    ).all()
    assert all(r.amount >= 0 for r in refunds)
    assert sum(r.amount for r in refunds) <= sum(paid.values())

    slots = db.execute(
        select(RefundUnit.return_line_id, RefundUnit.slot)
        .join(Refund, Refund.id == RefundUnit.refund_id)
        .where(Refund.return_id == return_id, Refund.kind == "refund")
    ).all()
    assert len(slots) == len(set(slots)), "a unit was refunded twice"
    for line_id, slot in slots:
        assert 0 <= slot < lines[line_id].quantity

    # What the store was told adds up the same way. A retry after a failed refund resends
    # the same request (same refund_request_id, same amount and lines): the store counts
    # each request once.
    requests: dict[str, dict] = {}
    for event in db.scalars(select(Event).where(Event.type == "return.refund_requested")):
        if event.data["return_id"] != ret["id"]:
            continue
        request_id = event.data["refund_request_id"]
        sent = {k: event.data[k] for k in ("amount", "currency", "lines", "mode")}
        assert requests.setdefault(request_id, sent) == sent, "a resend changed the request"
    by_line_id = {row.line_id: row for row in lines.values()}
    told_amount, told_quantity = Counter(), Counter()
    for sent in requests.values():
        assert sent["amount"] == sum(item["amount"] for item in sent["lines"])
        for item in sent["lines"]:
            row = by_line_id[item["line_id"]]
            assert item["amount"] >= 0 and item["deduction"] >= 0
            assert item["amount"] + item["deduction"] <= item["quantity"] * row.unit_price
            told_amount[item["line_id"]] += item["amount"]
            told_quantity[item["line_id"]] += item["quantity"]
    for line_id, amount in told_amount.items():
        row = by_line_id[line_id]
        assert amount <= row.quantity * row.unit_price
        assert told_quantity[line_id] <= row.quantity
    assert sum(sent["amount"] for sent in requests.values()) <= sum(paid.values())
    assert [q for q, _ in terms] == [by_line_id[i["line_id"]].quantity for i in ret["lines"]]

    # And the journeys are not vacuous: everything back and like new is refunded in full.
    everything_good = [q for q, _ in terms] == journey["arrived"] and all(
        f == "good" for f in journey["findings"][: sum(journey["arrived"])]
    )
    if everything_good and not journey["afterwards"]:
        assert sum(r.amount for r in refunds) == sum(paid.values())
        assert len(slots) == sum(q for q, _ in terms)
    assert [q for q, _ in terms] == [by_line_id[i["line_id"]].quantity for i in ret["lines"]]


@given(
    lines=lines_st,
    arrivals=st.lists(st.integers(0, 4), min_size=3, max_size=3),
    strangers=st.integers(0, 2),
    damaged=st.booleans(),
    pause_after=st.none() | st.integers(0, 12),
)
@JOURNEYS
def test_reception_counts_always_add_up(
    floor, db, lines, arrivals, strangers, damaged, pause_after
):
    """`pause_after`: the receiver closes the parcel after that many items and reopens it
    later by scanning the slip again (the rest came in a second box)."""
    prefix = uuid.uuid4().hex[:6].upper()
    ret = floor.create_return(
        [
            line(sku=f"C{prefix}{i}", gtin=None, quantity=q, unit_price=p)
            for i, (q, p) in enumerate(lines)
        ]
    )
    scan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
    parcel_id = floor.client.post("/api/v1/parcels/scan", json=scan, headers=floor.receiver).json[
        "parcel"
    ]["id"]
    codes = [f"C{prefix}{i}" for i in range(len(lines)) for _ in range(arrivals[i])]
    codes += [f"STRANGER{prefix}{n}" for n in range(strangers)]
    for n, code in enumerate(codes):
        if n == pause_after:
            closed = floor.client.post(f"/api/v1/parcels/{parcel_id}/close", headers=floor.receiver)
            assert closed.status_code == 200, closed.json
            rescan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
            reopened = floor.client.post(
                "/api/v1/parcels/scan", json=rescan, headers=floor.receiver
            )
            assert reopened.status_code == 200, reopened.json
            parcel_id = reopened.json["parcel"]["id"]
        answer = floor.client.post(
            f"/api/v1/parcels/{parcel_id}/items/scan",
            json={"scan_id": str(uuid.uuid4()), "code": code, "damaged": damaged and n == 0},
            headers=floor.receiver,
        )
        assert answer.status_code == 200, answer.json
    closed = floor.client.post(f"/api/v1/parcels/{parcel_id}/close", headers=floor.receiver)
    assert closed.status_code == 200, closed.json

    db.rollback()  # a fresh snapshot: see what the requests committed
    rows = {
        row.line_id: row
        for row in db.scalars(
            select(ReturnLine).where(ReturnLine.return_id == uuid.UUID(ret["id"]))
        )
    }
    units = db.scalars(select(Unit).where(Unit.parcel_id == uuid.UUID(parcel_id))).all()
    assert len(units) == len(codes), "every scanned item is a unit with an LPN"
    if not codes:
        # An empty box is one empty_parcel exception and nothing else (issue 14).
        queued = floor.client.get(
            "/api/v1/exceptions", query_string={"parcel_id": parcel_id}, headers=floor.supervisor
        ).json["items"]
        assert [e["kind"] for e in queued] == ["empty_parcel"]
        assert all(row.received_quantity == row.short_quantity == 0 for row in rows.values())
        return
    for i, sent in enumerate(ret["lines"]):
        row = rows[sent["line_id"]]
        scanned = arrivals[i]
        assert row.received_quantity == min(scanned, row.quantity)
        assert row.quantity == row.received_quantity + row.short_quantity
        assert row.extra_quantity == max(scanned - row.quantity, 0)
        assert 0 <= row.damaged_quantity <= row.received_quantity

    exceptions = floor.client.get(
        "/api/v1/exceptions",
        query_string={"parcel_id": parcel_id, "limit": 200},
        headers=floor.supervisor,
    ).json["items"]
    kinds = Counter(e["kind"] for e in exceptions if e["kind"] != "short")
    kinds["short"] = sum(1 for e in exceptions if e["kind"] == "short" and e["status"] == "open")
    short_lines = sum(1 for row in rows.values() if row.short_quantity)
    assert kinds["short"] == short_lines
    assert kinds["extra"] == sum(row.extra_quantity for row in rows.values())
    assert kinds["wrong_item"] == strangers
