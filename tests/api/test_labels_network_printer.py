"""Printing through the real TCP path, to a raw-print (port 9100 style) server on 127.0.0.1.

Nothing here is sent anywhere but the loopback address.
"""

from __future__ import annotations

import queue
import socket
import threading
import uuid

import pytest
from factories import bearer, return_body

from warehouse.config import Settings


@pytest.fixture
def zpl_server():
    """A raw-print server on 127.0.0.1: its port, and a queue of the jobs it received."""
    jobs: queue.Queue[bytes] = queue.Queue()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                chunks = []
                while chunk := conn.recv(65536):  # the job ends when the sender shuts down
                    chunks.append(chunk)
                jobs.put(b"".join(chunks))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], jobs
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that nothing listens on: connecting to it is refused."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


@pytest.fixture
def settings(database_url, tmp_path, zpl_server, closed_port):
    """Two printers on the loopback address: one listening at 300 dpi, one switched off."""
    port, _ = zpl_server
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        printers=f"qc1=127.0.0.1:{port}@300, off=127.0.0.1:{closed_port}@203",
    )


@pytest.fixture
def receiver(staff_token):
    return bearer(staff_token("receiver"))


@pytest.fixture
def lpn(client, store, receiver):
    ret = client.post("/api/v1/returns", json=return_body(), headers=bearer(store[1])).json
    parcel = client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]},
        headers=receiver,
    ).json["parcel"]
    return client.post(
        f"/api/v1/parcels/{parcel['id']}/items/scan",
        json={"scan_id": str(uuid.uuid4()), "code": ret["lines"][0]["sku"]},
        headers=receiver,
    ).json["unit"]["lpn"]


def test_a_network_printer_receives_the_label_as_zpl_over_tcp(client, receiver, zpl_server, lpn):
    _, jobs = zpl_server
    response = client.post(
        f"/api/v1/labels/units/{lpn}/print", json={"printer": "qc1"}, headers=receiver
    )
    assert response.status_code == 200, response.json
    job = jobs.get(timeout=5)
    assert job.startswith(b"^XA") and job.rstrip().endswith(b"^XZ")
    assert b"^PW600" in job and lpn.encode() in job
    assert response.json["bytes"] == len(job)


def test_a_printer_that_refuses_the_connection_answers_502_with_the_reason(
    client, receiver, lpn, closed_port
):
    response = client.post(
        f"/api/v1/labels/units/{lpn}/print", json={"printer": "off"}, headers=receiver
    )
    assert response.status_code == 502
    assert response.content_type == "application/problem+json"
    detail = response.json["detail"]
    assert "Printer off did not take the job" in detail
    assert f"127.0.0.1:{closed_port}" in detail and "refused" in detail.lower()
