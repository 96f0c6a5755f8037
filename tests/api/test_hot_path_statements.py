"""The dock's hot paths stay cheap: SQL statements and commits per parcel scan, item scan and
close are pinned, so a change that adds round trips (each one latency a receiver waits for at
every scan) fails here rather than in a benchmark weeks later."""

from __future__ import annotations

import uuid

import pytest
from factories import bearer, line, return_body
from sqlalchemy import event

#: Ceilings reached by the hot-path work (issue 9); lower them when a change saves more.
MAX_STATEMENTS = {"parcel scan": 5, "item scan": 6, "close": 8}


class StatementCount:
    """SQL statements (not counting SQLite's BEGIN) and commits an engine runs."""

    def __init__(self, engine) -> None:
        self.statements: list[str] = []
        self.commits = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            self.statements.append(statement)

    def _commit(self, _conn):
        self.commits += 1

    def during(self, request):
        self.statements, self.commits = [], 0
        response = request()
        return response, len(self.statements), self.commits


@pytest.fixture
def receiver(staff_token):
    return bearer(staff_token("receiver"))


@pytest.fixture
def counter(app):
    return StatementCount(app.extensions["warehouse.engine"])


def test_receiving_a_two_line_return_takes_few_statements_and_one_commit_per_request(
    client, store, receiver, counter
):
    _, key = store
    tracking = "YT7512345678901"
    created = client.post(
        "/api/v1/returns",
        json=return_body(
            carrier="YTO",
            tracking_number=tracking,
            lines=[line(sku="TEE-BLACK-M"), line(sku="MUG-WHITE", gtin=None)],
        ),
        headers=bearer(key),
    )
    assert created.status_code == 201, created.json
    # A warm-up request signs the receiver's token into the credential cache.
    assert client.get("/api/v1/exceptions", headers=receiver).status_code == 200

    scanned, statements, commits = counter.during(
        lambda: client.post(
            "/api/v1/parcels/scan",
            json={"scan_id": str(uuid.uuid4()), "code": tracking},
            headers=receiver,
        )
    )
    assert scanned.status_code == 200 and scanned.json["parcel"]["status"] == "matched"
    assert statements <= MAX_STATEMENTS["parcel scan"], counter.statements
    assert commits == 1
    parcel_id = scanned.json["parcel"]["id"]

    for sku in ("TEE-BLACK-M", "MUG-WHITE"):
        item, statements, commits = counter.during(
            lambda sku=sku: client.post(
                f"/api/v1/parcels/{parcel_id}/items/scan",
                json={"scan_id": str(uuid.uuid4()), "code": sku},
                headers=receiver,
            )
        )
        assert item.status_code == 200 and item.json["unit"]["status"] == "received"
        assert statements <= MAX_STATEMENTS["item scan"], counter.statements
        assert commits == 1

    closed, statements, commits = counter.during(
        lambda: client.post(f"/api/v1/parcels/{parcel_id}/close", headers=receiver)
    )
    assert closed.status_code == 200
    assert closed.json["returns"][0]["reception_status"] == "received"
    assert statements <= MAX_STATEMENTS["close"], counter.statements
    assert commits == 1


def test_a_replayed_scan_is_answered_from_two_reads_and_writes_nothing(
    client, store, receiver, counter
):
    _, key = store
    created = client.post("/api/v1/returns", json=return_body(), headers=bearer(key)).json
    body = {"scan_id": str(uuid.uuid4()), "code": created["rma_number"]}
    first = client.post("/api/v1/parcels/scan", json=body, headers=receiver)
    assert first.status_code == 200

    again, statements, _ = counter.during(
        lambda: client.post("/api/v1/parcels/scan", json=body, headers=receiver)
    )
    assert again.json["replayed"] is True
    assert again.json["parcel"] == first.json["parcel"]
    assert statements <= 2, counter.statements
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in counter.statements)


def test_an_idempotency_key_costs_a_scan_two_statements_and_its_replay_one(
    client, store, receiver, counter
):
    _, key = store
    created = client.post("/api/v1/returns", json=return_body(), headers=bearer(key)).json
    assert client.get("/api/v1/exceptions", headers=receiver).status_code == 200
    body = {"scan_id": str(uuid.uuid4()), "code": created["rma_number"]}
    keyed = {**receiver, "Idempotency-Key": str(uuid.uuid4())}

    first, statements, commits = counter.during(
        lambda: client.post("/api/v1/parcels/scan", json=body, headers=keyed)
    )
    assert first.status_code == 200
    # Looking the key up and keeping the answer; still one commit, with the scan.
    assert statements <= MAX_STATEMENTS["parcel scan"] + 2, counter.statements
    assert commits == 1

    again, statements, commits = counter.during(
        lambda: client.post("/api/v1/parcels/scan", json=body, headers=keyed)
    )
    assert again.headers["Idempotency-Replayed"] == "true"
    assert statements == 1, counter.statements
    assert commits == 0
