"""Printing labels from the API on the configured printers (fakes here), every print audited."""

from __future__ import annotations

import uuid

import pytest
from factories import bearer, line, return_body
from sqlalchemy import select

from labels import FakePrinter, PrinterError
from scanners import codes
from warehouse.audit.models import AuditEntry
from warehouse.config import Settings

PRINTERS = "dock1=127.0.0.1:9100@203,qc1=127.0.0.1:9101@300"


@pytest.fixture
def settings(database_url, tmp_path):
    """Two label printers: dock1 at 203 dpi and qc1 at 300 dpi; a SQLite writer waits for the
    lock for 1 s only, so a test fails fast if a print holds it."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        printers=PRINTERS,
        sqlite_busy_timeout_s=1.0,
    )


@pytest.fixture
def printers(app):
    """A FakePrinter for each configured printer, by name, in place of the network."""
    fakes = {"dock1": FakePrinter(), "qc1": FakePrinter()}
    app.extensions["warehouse.printer_factory"] = lambda config: fakes[config.name]
    return fakes


@pytest.fixture
def receiver(staff_token):
    return bearer(staff_token("receiver"))


@pytest.fixture
def ret(client, store):
    response = client.post(
        "/api/v1/returns",
        json=return_body(lines=[line(quantity=2), line(sku="MUG-WHITE")]),
        headers=bearer(store[1]),
    )
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def parcel(client, receiver, ret):
    """The return's parcel with its three units received: the parcel id and the LPNs."""
    parcel = client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]},
        headers=receiver,
    ).json["parcel"]
    lpns = [
        client.post(
            f"/api/v1/parcels/{parcel['id']}/items/scan",
            json={"scan_id": str(uuid.uuid4()), "code": sku},
            headers=receiver,
        ).json["unit"]["lpn"]
        for sku in (ret["lines"][0]["sku"], ret["lines"][0]["sku"], "MUG-WHITE")
    ]
    return parcel["id"], lpns


@pytest.fixture
def lpn(parcel):
    return parcel[1][0]


def print_label(client, headers, path, printer="dock1", **body):
    return client.post(
        f"/api/v1/labels/{path}/print", json={"printer": printer, **body}, headers=headers
    )


def audit_rows(db, action):
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_configured_printers_are_listed_with_their_dpi(client, receiver):
    response = client.get("/api/v1/printers", headers=receiver)
    assert response.status_code == 200
    assert response.json == {
        "items": [
            {"name": "dock1", "host": "127.0.0.1", "port": 9100, "dpi": 203},
            {"name": "qc1", "host": "127.0.0.1", "port": 9101, "dpi": 300},
        ],
        "next_cursor": None,
    }


@pytest.mark.parametrize(("printer", "width"), [("dock1", 400), ("qc1", 600)])
def test_printing_a_unit_label_sends_zpl_at_that_printers_dpi(
    client, receiver, printers, lpn, printer, width
):
    response = print_label(client, receiver, f"units/{lpn}", printer)
    assert response.status_code == 200, response.json
    assert response.json["printer"] == printer
    assert response.json["labels"] == response.json["copies"] == 1
    [job] = printers[printer].sent
    assert job.startswith(b"^XA") and job.rstrip().endswith(b"^XZ")
    assert f"^PW{width}".encode() in job and lpn.encode() in job
    assert response.json["bytes"] == len(job)
    other = "qc1" if printer == "dock1" else "dock1"
    assert printers[other].sent == []


def test_copies_print_the_label_that_many_times(client, receiver, printers, lpn):
    response = print_label(client, receiver, f"units/{lpn}", copies=3)
    assert response.status_code == 200
    [job] = printers["dock1"].sent
    assert job.count(b"^XA") == 3 and job.count(lpn.encode()) >= 3


def test_a_print_shows_in_the_units_history(client, receiver, printers, lpn):
    print_label(client, receiver, f"units/{lpn}", "qc1")
    history = client.get(f"/api/v1/units/{lpn}", headers=receiver).json["history"]
    printed = [entry for entry in history if entry["action"] == "label.printed"]
    assert len(printed) == 1
    assert printed[0]["after"]["printer"] == "qc1"
    assert printed[0]["after"]["dpi"] == 300


def test_a_parcels_labels_print_as_one_job_with_every_unit(client, receiver, printers, parcel, db):
    parcel_id, lpns = parcel
    response = print_label(client, receiver, f"parcels/{parcel_id}")
    assert response.status_code == 200
    assert response.json["labels"] == 3
    [job] = printers["dock1"].sent
    assert job.count(b"^XA") == 3
    for lpn in lpns:
        assert lpn.encode() in job
    assert sorted(row.object_id for row in audit_rows(db, "label.printed")) == sorted(lpns)


def test_a_return_slip_prints_and_is_audited_on_the_return(
    client, store, receiver, printers, ret, db
):
    response = print_label(client, receiver, f"returns/{ret['id']}", "qc1")
    assert response.status_code == 200
    [job] = printers["qc1"].sent
    assert ret["rma_number"].encode() in job and b"^PW1200" in job
    [row] = audit_rows(db, "label.printed")
    assert (row.object_type, row.object_id) == ("return", ret["id"])
    assert row.store_id == store[0]


def test_a_bin_label_prints(client, receiver, printers):
    code = codes.bin_code("A0103")
    assert print_label(client, receiver, f"bins/{code}").status_code == 200
    assert code.encode() in printers["dock1"].sent[0]


def test_a_failing_printer_answers_a_clear_problem_and_the_attempt_is_audited(
    client, receiver, printers, lpn, db
):
    printers["dock1"].fail_with = PrinterError("printer 127.0.0.1:9100 did not take the job")
    response = print_label(client, receiver, f"units/{lpn}")
    assert response.status_code == 502
    assert response.content_type == "application/problem+json"
    assert response.json["title"] == "Printer unavailable"
    assert response.json["printer"] == "dock1"
    assert "dock1" in response.json["detail"]
    assert "did not take the job" in response.json["detail"]
    [row] = audit_rows(db, "label.print_failed")
    assert row.object_id == lpn and "did not take the job" in row.after["error"]
    assert audit_rows(db, "label.printed") == []


def test_while_a_printer_takes_its_time_other_terminals_can_still_write(
    app, client, receiver, make_store, lpn
):
    written = []

    class BusyPrinter:
        """A printer that is slow to take the job: meanwhile, another terminal writes."""

        def send(self, zpl: bytes) -> None:
            written.append(make_store("打印时开的店 Opened while printing"))

    app.extensions["warehouse.printer_factory"] = lambda config: BusyPrinter()
    response = print_label(client, receiver, f"units/{lpn}")
    assert response.status_code == 200, response.json
    assert len(written) == 1


def test_a_keyed_print_while_another_terminal_writes_prints_once_and_replays(
    app, client, receiver, make_store, lpn
):
    sent = []

    class BusyPrinter:
        """Slow to take the job: meanwhile, another terminal writes."""

        def send(self, zpl: bytes) -> None:
            make_store(f"打印时开的店 {len(sent)}")
            sent.append(zpl)

    app.extensions["warehouse.printer_factory"] = lambda config: BusyPrinter()
    keyed = {**receiver, "Idempotency-Key": "print-1"}
    first = print_label(client, keyed, f"units/{lpn}")
    again = print_label(client, keyed, f"units/{lpn}")

    assert first.status_code == 200, first.json
    assert (again.status_code, again.json) == (200, first.json)
    assert again.headers["Idempotency-Replayed"] == "true"
    assert len(sent) == 1, "the retry after a lost answer did not print a second label"


def test_an_unknown_printer_is_refused_naming_the_printer(client, receiver, printers, lpn):
    response = print_label(client, receiver, f"units/{lpn}", "office9")
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["printer"]
    assert "dock1, qc1" in response.json["errors"]["printer"][0]
    assert printers["dock1"].sent == printers["qc1"].sent == []


@pytest.mark.parametrize("copies", [0, 21, "2", 1.5])
def test_copies_outside_1_to_20_are_refused(client, receiver, printers, lpn, copies):
    response = print_label(client, receiver, f"units/{lpn}", copies=copies)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["copies"]


def test_printing_an_unknown_unit_is_not_found_and_prints_nothing(client, receiver, printers):
    response = print_label(client, receiver, f"units/{codes.new_lpn()}")
    assert response.status_code == 404
    assert printers["dock1"].sent == []


def test_store_systems_may_not_print_on_the_warehouse_printers(client, store, printers, lpn, ret):
    key = bearer(store[1])
    assert print_label(client, key, f"units/{lpn}").status_code == 403
    assert print_label(client, key, f"returns/{ret['id']}").status_code == 403
    assert client.get("/api/v1/printers", headers=key).status_code == 403
    assert printers["dock1"].sent == []
