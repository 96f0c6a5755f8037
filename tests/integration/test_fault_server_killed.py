"""Fault drill: `warehouse serve` killed with SIGKILL (master, web workers and delivery worker at
once) while receivers scan parcels and items and inspectors submit inspections.

After a restart nothing may be half-written (each parcel, unit and inspection has its audit
row, scan and events; line counts add up; event sequences have no gaps), and every request
the terminals sent, answered or not, sent again with the same `scan_id` gets the answer of
its first success and creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest
from factories import bearer, line, return_body
from served_warehouse import Client, ServedWarehouse
from sqlalchemy import func, select

from warehouse.audit.models import AuditEntry
from warehouse.clock import FakeClock
from warehouse.events.models import Event
from warehouse.inspection.models import Inspection, UnitStatus
from warehouse.receiving.models import Parcel, ParcelReturn, Scan, Unit
from warehouse.returns.models import Return, ReturnLine

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

RECEIVERS = 4
RETURNS_PER_RECEIVER = 12
INSPECTORS = 2
UNITS_PER_INSPECTOR = 20
#: The server is killed once this many requests have been answered: mid-load, by design.
KILL_AFTER_ANSWERS = 50
ITEM_GTIN = "6901234567892"
CHECKLIST = [
    {"key": "packaging_intact", "label": "Packaging", "type": "yes_no", "fail_when": False}
]


@pytest.fixture
def clock():
    """The set-up done in-process happens now, as the server's real clock sees it. (With the
    fixtures' usual date, the returns received before the server starts would be weeks past
    their decision deadline, and the deadline watch beside the restarted server would add
    its events while the replays are being counted.)"""
    return FakeClock(dt.datetime.now(dt.UTC))


class Log:
    """Every request the terminals sent, in order, with the answer if one came."""

    def __init__(self, kill_after: int) -> None:
        self.kill_after = kill_after
        self.entries: list[dict] = []
        self.answered = 0
        self.lock = threading.Lock()
        self.enough = threading.Event()
        self.errors: list[str] = []

    def fail(self, error: AssertionError) -> None:
        """A terminal got a wrong answer before the kill: stop the drill at once."""
        self.errors.append(str(error))
        self.enough.set()

    def send(self, terminal: Client, kind: str, path: str, body: dict | None) -> dict:
        entry = {"kind": kind, "path": path, "body": body, "headers": terminal.headers}
        with self.lock:
            self.entries.append(entry)
        entry["status"], entry["answer"], _ = terminal.request("POST", path, body)
        with self.lock:
            self.answered += 1
            if self.answered >= self.kill_after:
                self.enough.set()
        return entry


def receive(address, token, terminal_id, tracking_numbers, log: Log) -> None:
    """A receiver working through parcels: scan, two items, close; stops at the first
    request that gets no answer (the server is gone). Its two reads of one GTIN go back to
    back, as a terminal's queue replays them (X-Scan-Replay), so the double-scan guard does
    not take the second for the trigger held too long."""
    headers = {**bearer(token), "X-Terminal-Id": terminal_id, "X-Scan-Replay": "1"}
    terminal = Client(address, headers)
    try:
        for tracking in tracking_numbers:
            scan = {"scan_id": str(uuid.uuid4()), "code": tracking}
            parcel = log.send(terminal, "parcel", "/api/v1/parcels/scan", scan)
            assert parcel["status"] == 200, parcel
            parcel_id = parcel["answer"]["parcel"]["id"]
            for _ in range(2):
                item = {"scan_id": str(uuid.uuid4()), "code": ITEM_GTIN}
                sent = log.send(terminal, "item", f"/api/v1/parcels/{parcel_id}/items/scan", item)
                assert sent["status"] == 200, sent
            closed = log.send(terminal, "close", f"/api/v1/parcels/{parcel_id}/close", None)
            assert closed["status"] == 200, closed
    except OSError:
        return
    except AssertionError as error:
        log.fail(error)
    finally:
        terminal.close()


def inspect(address, token, terminal_id, lpns, log: Log) -> None:
    terminal = Client(address, {**bearer(token), "X-Terminal-Id": terminal_id})
    try:
        for lpn in lpns:
            body = {"answers": {"packaging_intact": True}}
            sent = log.send(terminal, "inspection", f"/api/v1/units/{lpn}/inspection", body)
            assert sent["status"] == 201, sent
    except OSError:
        return
    except AssertionError as error:
        log.fail(error)
    finally:
        terminal.close()


def open_returns(client, api_key: str, tracking_numbers: list[str]) -> list[str]:
    """A two-line return (one GTIN) per tracking number, created in-process; answers them."""
    for number in tracking_numbers:
        body = return_body(tracking_number=number, lines=[line(), line(category="home")])
        response = client.post("/api/v1/returns", json=body, headers=bearer(api_key))
        assert response.status_code == 201, response.json
    return tracking_numbers


def received_units(client, receiver: dict, tracking_numbers: list[str]) -> list[str]:
    """Receives parcels in-process (before the server starts); answers their units' LPNs."""
    lpns = []
    for tracking in tracking_numbers:
        scan = {"scan_id": str(uuid.uuid4()), "code": tracking}
        parcel = client.post("/api/v1/parcels/scan", json=scan, headers=receiver).json["parcel"]
        for _ in range(2):
            item = {"scan_id": str(uuid.uuid4()), "code": ITEM_GTIN}
            answer = client.post(
                f"/api/v1/parcels/{parcel['id']}/items/scan", json=item, headers=receiver
            )
            lpns.append(answer.json["unit"]["lpn"])
        closed = client.post(f"/api/v1/parcels/{parcel['id']}/close", headers=receiver)
        assert closed.status_code == 200, closed.json
    return lpns


def count_rows(db) -> dict[str, int]:
    db.rollback()  # a fresh snapshot
    models = (Parcel, Unit, Scan, Inspection, Event, AuditEntry, ParcelReturn)
    return {m.__tablename__: db.scalar(select(func.count()).select_from(m)) for m in models}


def assert_nothing_half_written(db) -> None:
    """Every row the scans and inspections write exists with all its companions, or not at all."""
    db.rollback()
    audits = Counter(
        (action, object_id)
        for action, object_id in db.execute(select(AuditEntry.action, AuditEntry.object_id))
    )
    parcels = db.scalars(select(Parcel)).all()
    parcel_scans = set(db.scalars(select(Scan.parcel_id).where(Scan.scan_type == "parcel")))
    for parcel in parcels:
        assert audits[("parcel.opened", str(parcel.id))] == 1, parcel.code
        assert parcel.id in parcel_scans, parcel.code
        assert parcel.links, f"parcel {parcel.code} matched to no return"
        closed = audits[("parcel.closed", str(parcel.id))]
        assert closed == (1 if parcel.state == "closed" else 0), parcel.code
    assert sum(n for (action, _), n in audits.items() if action == "parcel.opened") == len(parcels)

    units = db.scalars(select(Unit)).all()
    unit_scans = set(db.scalars(select(Scan.unit_id).where(Scan.scan_type == "item")))
    parcel_ids = {p.id for p in parcels}
    for unit in units:
        assert unit.parcel_id in parcel_ids, f"unit {unit.lpn} without its parcel"
        assert audits[("unit.received", unit.lpn)] == 1, unit.lpn
        assert unit.id in unit_scans, unit.lpn
    assert sum(n for (action, _), n in audits.items() if action == "unit.received") == len(units)
    item_scans = db.scalar(select(func.count()).select_from(Scan).where(Scan.scan_type == "item"))
    assert item_scans == len(units)

    counted = Counter(unit.return_line_id for unit in units)
    for return_line in db.scalars(select(ReturnLine)):
        assert return_line.received_quantity == counted[return_line.id], return_line.sku

    inspections = db.scalars(select(Inspection)).all()
    inspected_units = Counter(i.return_id for i in inspections)
    units_of = Counter(unit.return_id for unit in units)
    events = Counter((e.return_id, e.type) for e in db.scalars(select(Event)))
    for ret in db.scalars(select(Return)):
        received = ret.received_at is not None
        assert events[(ret.id, "return.received")] == (1 if received else 0), ret.rma_number
        # The last unit's inspection reports the return and decides its refund, together.
        done = received and inspected_units[ret.id] == units_of[ret.id]
        assert events[(ret.id, "return.inspected")] == (1 if done else 0), ret.rma_number
        assert events[(ret.id, "return.refund_requested")] == (1 if done else 0), ret.rma_number

    statuses = {s.unit_id: s for s in db.scalars(select(UnitStatus))}
    assert len({i.unit_id for i in inspections}) == len(inspections), "a unit inspected twice"
    for inspection in inspections:
        assert statuses[inspection.unit_id].inspection_id == inspection.id
    inspected_audits = db.execute(
        select(AuditEntry.after).where(AuditEntry.action == "unit.inspected")
    ).scalars()
    assert sorted(a["inspection_id"] for a in inspected_audits) == sorted(
        str(i.id) for i in inspections
    )
    assert set(statuses) == {i.unit_id for i in inspections}

    for store_id, sequences in _sequences(db).items():
        assert sequences == list(range(1, len(sequences) + 1)), f"gap in store {store_id}"


def _sequences(db) -> dict:
    found: dict = {}
    for store_id, sequence in db.execute(
        select(Event.store_id, Event.sequence).order_by(Event.sequence)
    ):
        found.setdefault(store_id, []).append(sequence)
    return found


def without_replayed(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "replayed"}


def test_a_server_killed_mid_scan_leaves_nothing_half_written_and_replays_every_scan(
    app, client, store, staff_token, make_user, settings, database_url, db
):
    _, api_key = store
    supervisor = bearer(staff_token("supervisor"))
    checklist = {"name": "QC", "category": "default", "items": CHECKLIST}
    assert client.post("/api/v1/checklists", json=checklist, headers=supervisor).status_code == 201

    tracking = [f"SF{n:013d}" for n in range(1000000000001, 1000000001000)]
    to_receive = open_returns(client, api_key, tracking[: RECEIVERS * RETURNS_PER_RECEIVER])
    to_inspect = open_returns(
        client, api_key, tracking[len(to_receive) :][: INSPECTORS * UNITS_PER_INSPECTOR // 2]
    )
    lpns = received_units(client, bearer(staff_token("receiver")), to_inspect)
    staff = {f"recv{i}": "receiver" for i in range(RECEIVERS)}
    staff |= {f"qc{i}": "inspector" for i in range(INSPECTORS)}
    for username, role in staff.items():
        make_user(username, role, "2468")

    server = ServedWarehouse(database_url, settings.data_dir)
    try:
        server.start()
        # Signed in against the server, whose clock is the real one (not the fixtures').
        tokens = {name: sign_in(server.address, name) for name in staff}
        receivers = [tokens[f"recv{i}"] for i in range(RECEIVERS)]
        inspectors = [tokens[f"qc{i}"] for i in range(INSPECTORS)]
        figures = kill_mid_load_and_replay(
            server, db, receivers, inspectors, to_receive, lpns, KILL_AFTER_ANSWERS
        )
    finally:
        server.stop()
    print(f"\n{figures}")


def kill_mid_load_and_replay(
    server: ServedWarehouse, db, receivers, inspectors, tracking_numbers, lpns, kill_after: int
) -> dict:
    """The drill proper, on a running server: load, SIGKILL once `kill_after` requests are
    answered, restart, check, replay every request twice. Leaves the server running;
    answers what happened. (`python -m bench.drills.server_killed` repeats it.)"""
    per_receiver = len(tracking_numbers) // len(receivers)
    per_inspector = len(lpns) // len(inspectors)
    log = Log(kill_after)
    threads = [
        threading.Thread(
            target=receive,
            args=(
                server.address,
                token,
                f"HH-{i}",
                tracking_numbers[i * per_receiver : (i + 1) * per_receiver],
                log,
            ),
        )
        for i, token in enumerate(receivers)
    ] + [
        threading.Thread(
            target=inspect,
            args=(
                server.address,
                token,
                f"QC-{i}",
                lpns[i * per_inspector : (i + 1) * per_inspector],
                log,
            ),
        )
        for i, token in enumerate(inspectors)
    ]
    for thread in threads:
        thread.start()
    assert log.enough.wait(timeout=60), "the terminals never got going"
    assert not log.errors, log.errors
    killed = server.kill()
    for thread in threads:
        thread.join(timeout=60)
    assert killed >= 3  # the master, two web workers (and the delivery worker)
    unanswered = [e for e in log.entries if "status" not in e]
    # Each busy terminal had a request in flight when the server died.
    assert unanswered, "the server died between requests; the drill proved nothing"

    server.start()
    assert_nothing_half_written(db)
    committed = set(db.scalars(select(Scan.scan_id)))
    inspected_before = {lpn for (lpn,) in db.execute(_inspected_lpns())}
    closed_before = set(db.scalars(select(Parcel.id).where(Parcel.state == "closed")))
    before = count_rows(db)

    first_success = replay_everything(
        server.address, log, committed, closed_before, inspected_before
    )
    after_first = count_rows(db)
    scans = [e for e in log.entries if e["kind"] in ("parcel", "item")]
    new_scans = [e for e in scans if uuid.UUID(e["body"]["scan_id"]) not in committed]
    assert after_first["scans"] - before["scans"] == len(new_scans)
    assert after_first["units"] - before["units"] == sum(e["kind"] == "item" for e in new_scans)
    assert after_first["parcels"] - before["parcels"] == sum(
        e["kind"] == "parcel" for e in new_scans
    )

    # Every scan again: its first success, word for word, and not one row more.
    for entry in scans:
        status, answer, _ = Client(server.address, entry["headers"]).request(
            "POST", entry["path"], entry["body"]
        )
        assert status == 200
        assert answer["replayed"] is True
        assert without_replayed(answer) == first_success[entry["body"]["scan_id"]]
    assert count_rows(db) == after_first
    assert_nothing_half_written(db)
    lost_answers = [e for e in unanswered if e["kind"] in ("parcel", "item")]
    return {
        "sent": len(log.entries),
        "answered": log.answered,
        "unanswered": len(unanswered),
        "scans committed without an answer": sum(
            uuid.UUID(e["body"]["scan_id"]) in committed for e in lost_answers
        ),
        "inspections committed without an answer": sum(
            e["kind"] == "inspection" and e["path"].split("/")[4] in inspected_before
            for e in unanswered
        ),
        "processes killed": killed,
        "rows after restart": before,
    }


def sign_in(address: str, username: str) -> str:
    status, answer, _ = Client(address).request(
        "POST", "/api/v1/auth/token", {"username": username, "pin": "2468"}
    )
    assert status == 200, answer
    return answer["token"]


def _inspected_lpns():
    return select(Unit.lpn).join(Inspection, Inspection.unit_id == Unit.id)


def replay_everything(address, log: Log, committed, closed_before, inspected_before) -> dict:
    """Sends every logged request again, in the order first sent; checks each answer against
    what the first attempt got (or, unanswered, against what the database says happened) and
    answers each scan's first success."""
    first_success: dict[str, dict] = {}
    for entry in log.entries:
        status, answer, content_type = Client(address, entry["headers"]).request(
            "POST", entry["path"], entry["body"]
        )
        if entry["kind"] in ("parcel", "item"):
            scan_id = entry["body"]["scan_id"]
            assert status == 200, answer
            assert answer["replayed"] is (uuid.UUID(scan_id) in committed), entry
            if "status" in entry:
                assert without_replayed(answer) == without_replayed(entry["answer"])
            first_success[scan_id] = without_replayed(answer)
        elif entry["kind"] == "close":
            parcel_id = uuid.UUID(entry["path"].split("/")[4])
            was_closed = "status" in entry or parcel_id in closed_before
            assert status == (409 if was_closed else 200), answer
        else:
            lpn = entry["path"].split("/")[4]
            was_inspected = "status" in entry or lpn in inspected_before
            assert status == (409 if was_inspected else 201), answer
        if status >= 400:
            assert content_type == "application/problem+json"
    return first_success
