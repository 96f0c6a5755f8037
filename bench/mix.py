"""The floor's mix of work, driven over HTTP by concurrent terminals, flat out or paced.

Each terminal is a station on the floor: it receives a loaded return the way a receiver does
(scan the parcel's tracking label, scan both items, close the parcel), then inspects both
units against the apparel checklist and routes each where the inspection recommends
(restock into a bin). That is eight requests per return: 1 parcel scan, 2 item scans,
1 close, 2 inspections, 2 dispositions.

- Flat out: a terminal sends its next request the moment the last one is answered; the
  figures are the server's throughput and its latency when saturated.
- Paced: a terminal waits 0.5–1.5 s (uniformly; 1 s on average) before each request, a
  hand-held's rhythm of scanning; the figures are the latency a person sees at 32 terminals.

Any answer other than the expected one fails the run: a benchmark of errors measures nothing.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bench.harness import Latencies, Terminal
from bench.load import sku_for, tracking_for

PIN = "2580"
USERS = {"bench-receiver": "receiver", "bench-inspector": "inspector", "bench-sup": "supervisor"}
#: A paced terminal waits this long before each request, uniformly at random.
PACED_WAIT_S = (0.5, 1.5)
CLEAN = {"tags_attached": True, "signs_of_wear": "none", "stains": False, "packaging_intact": True}
CHECKLIST = {
    "name": "Bench apparel QC",
    "category": "apparel",
    "items": [
        {"key": "tags_attached", "label": "Tags attached", "type": "yes_no", "fail_when": False},
        {
            "key": "signs_of_wear",
            "label": "Signs of wear",
            "type": "choice",
            "choices": ["none", "tried_on", "worn"],
        },
        {"key": "stains", "label": "Stains", "type": "yes_no", "fail_when": True},
        {"key": "packaging_intact", "label": "Packaging", "type": "yes_no", "fail_when": False},
    ],
}

PARCEL_SCAN = "POST /parcels/scan"
ITEM_SCAN = "POST /parcels/{id}/items/scan"
CLOSE = "POST /parcels/{id}/close"
INSPECT = "POST /units/{lpn}/inspection"
DISPOSE = "POST /units/{lpn}/disposition"
ENDPOINTS = (PARCEL_SCAN, ITEM_SCAN, CLOSE, INSPECT, DISPOSE)


def prepare_database(url: str) -> None:
    """Migrates a fresh database and adds the staff the terminals sign in as."""
    from warehouse import migrate
    from warehouse.auth.services import create_user
    from warehouse.clock import SystemClock
    from warehouse.config import Settings
    from warehouse.context import SYSTEM, Context
    from warehouse.db import make_engine, make_session_factory, transaction

    engine = make_engine(Settings(database_url=url))
    migrate.upgrade(engine)
    session = make_session_factory(engine)()
    with transaction(session):
        ctx = Context(SYSTEM, SystemClock().now())
        for username, role in USERS.items():
            create_user(session, ctx, username=username, role=role, pin=PIN)
    session.close()
    engine.dispose()


@dataclass(frozen=True)
class Floor:
    """What the terminals need from a prepared database: tokens and the bin to restock into.
    Tokens are stored in the database, so they outlive a restart of the server."""

    receiver: str
    inspector: str
    bin_code: str


def open_floor(address: str) -> Floor:
    """Signs the staff in, and (as a supervisor) adds the checklist and a bin."""
    setup = Terminal(address, terminal_id="BENCH-SETUP")
    tokens = {}
    for username in USERS:
        status, body = setup.post("/api/v1/auth/token", {"username": username, "pin": PIN})
        if status != 200:
            raise RuntimeError(f"sign-in of {username} failed: {status} {body}")
        tokens[username] = body["token"]
    supervisor = Terminal(address, tokens["bench-sup"], terminal_id="BENCH-SETUP")
    status, body = supervisor.post("/api/v1/checklists", CHECKLIST)
    if status != 201:
        raise RuntimeError(f"checklist: {status} {body}")
    status, body = supervisor.post("/api/v1/bins", {"code": "A0101"})
    if status != 201:
        raise RuntimeError(f"bin: {status} {body}")
    setup.close()
    supervisor.close()
    return Floor(tokens["bench-receiver"], tokens["bench-inspector"], body["code"])


class PhaseOver(Exception):
    """The phase's time is up: the terminal sends nothing more."""


class ReturnsUsedUp(PhaseOver):
    """The phase has received every return it may use: the terminal stops cleanly, as at the
    phase's end, and the phase says it ran out (a fast machine must not fail the run)."""


class ReturnPicker:
    """Hands out loaded return numbers at random, each once, to any number of threads.

    A phase may be given a share of what is left (`share_for`), so that an early phase on a
    quick machine cannot use up the returns the later phases need."""

    def __init__(self, seed: int = 7) -> None:
        self.loaded = 0
        self._used: set[int] = set()
        self._limit: int | None = None
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        return len(self._used)

    def share_for(self, phases_left: int) -> int:
        """Lets the next phase take an equal share of the unused returns (with `phases_left`
        phases, this one included, still to come); answers the share."""
        with self._lock:
            share = (self.loaded - len(self._used)) // max(phases_left, 1)
            self._limit = len(self._used) + share
            return share

    def next(self) -> int:
        with self._lock:
            if len(self._used) >= self.loaded:
                raise ReturnsUsedUp(f"all {self.loaded} loaded returns have been received")
            if self._limit is not None and len(self._used) >= self._limit:
                raise ReturnsUsedUp("the phase's share of the loaded returns has been received")
            while True:
                n = self._rng.randrange(self.loaded)
                if n not in self._used:
                    self._used.add(n)
                    return n


class Station:
    """One terminal: its connections (as receiver and as inspector), its rhythm, its figures."""

    def __init__(
        self, address: str, floor: Floor | None, number: int, *, paced: bool = False
    ) -> None:
        """`floor` None: a terminal for the baseline app, which takes no credentials."""
        terminal_id = f"HH-{number:02d}"
        self.receiver = Terminal(address, floor and floor.receiver, terminal_id=terminal_id)
        self.inspector = Terminal(address, floor and floor.inspector, terminal_id=terminal_id)
        self.bin_code = floor and floor.bin_code
        self.paced = paced
        self.rng = random.Random(number)
        self.latencies = Latencies()
        self.deadline = float("inf")

    def close(self) -> None:
        self.receiver.close()
        self.inspector.close()

    def send(self, terminal: Terminal, name: str, path: str, body: dict | None, expect: int):
        if self.paced:
            time.sleep(self.rng.uniform(*PACED_WAIT_S))
        if time.perf_counter() >= self.deadline:
            raise PhaseOver
        began = time.perf_counter()
        status, answer = terminal.post(path, body)
        self.latencies.add(name, time.perf_counter() - began)
        if status != expect:
            raise RuntimeError(f"{name} {path}: {status} {answer}")
        return answer

    def scan_parcel(self, n: int) -> str:
        """Scans return n's tracking label; answers the parcel's id."""
        body = {"scan_id": str(uuid.uuid4()), "code": tracking_for(n)}
        answer = self.send(self.receiver, PARCEL_SCAN, "/api/v1/parcels/scan", body, 200)
        if answer["parcel"]["status"] != "matched":
            raise RuntimeError(f"parcel {tracking_for(n)} did not match its return: {answer}")
        return answer["parcel"]["id"]

    def handle_return(self, n: int) -> None:
        """Receives return n, then inspects and routes both of its units."""
        parcel = self.scan_parcel(n)
        lpns = []
        for line in range(2):
            body = {"scan_id": str(uuid.uuid4()), "code": sku_for(n, line)}
            path = f"/api/v1/parcels/{parcel}/items/scan"
            answer = self.send(self.receiver, ITEM_SCAN, path, body, 200)
            if answer["unit"]["status"] != "received":
                raise RuntimeError(f"item {sku_for(n, line)} was not received: {answer}")
            lpns.append(answer["unit"]["lpn"])
        self.send(self.receiver, CLOSE, f"/api/v1/parcels/{parcel}/close", None, 200)
        routes = []
        for lpn in lpns:
            path = f"/api/v1/units/{lpn}/inspection"
            answer = self.send(self.inspector, INSPECT, path, {"answers": CLEAN}, 201)
            routes.append(answer["recommended_disposition"])
        for lpn, route in zip(lpns, routes, strict=True):
            body = {"decision": route, "bin": self.bin_code if route == "restock" else None}
            self.send(self.inspector, DISPOSE, f"/api/v1/units/{lpn}/disposition", body, 201)


@dataclass
class PhaseResult:
    rows: list[dict]
    wall_s: float
    terminals: int
    #: How many terminals stopped early because the phase's returns were used up.
    ran_out: int = 0


def run_phase(
    stations: list[Station], work: Callable[[Station], None], seconds: float, min_rounds: int = 0
) -> PhaseResult:
    """Every station repeats `work` for `seconds` (a request sent before the end is answered
    and counted), and at least `min_rounds` times however long that takes; answers
    per-endpoint rows, plus an "all requests" row."""
    errors: list[BaseException] = []
    finished: list[float] = []
    ran_out: list[Station] = []
    barrier = threading.Barrier(len(stations) + 1)
    for station in stations:
        station.latencies = Latencies()
        station.deadline = float("inf")  # until the phase starts, then its end (or 0: failed)

    def run(station: Station) -> None:
        barrier.wait()
        try:
            for _ in range(min_rounds):
                work(station)
            station.deadline = min(station.deadline, ends)
            while True:
                work(station)
        except ReturnsUsedUp:
            ran_out.append(station)
        except PhaseOver:
            pass
        except BaseException as exc:  # re-raised below: a failed request fails the run
            errors.append(exc)
            for other in stations:
                other.deadline = 0.0
        finished.append(time.perf_counter())

    threads = [threading.Thread(target=run, args=(s,), daemon=True) for s in stations]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    ends = began + seconds
    if not min_rounds:
        for station in stations:
            station.deadline = ends
    barrier.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    if errors:
        raise errors[0]
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("a terminal did not finish within two minutes of the phase's end")
    wall = max(finished) - began
    total = Latencies()
    for station in stations:
        total.merge(station.latencies)
    rows = sorted(total.rows(wall), key=lambda r: _order(r["endpoint"]))
    everything = [v for values in total.samples.values() for v in values]
    if len(total.samples) > 1:
        rows.append(Latencies({"all requests": everything}).rows(wall)[0])
    return PhaseResult(rows, wall, len(stations), len(ran_out))


def _order(endpoint: str) -> int:
    return ENDPOINTS.index(endpoint) if endpoint in ENDPOINTS else len(ENDPOINTS)


def baseline_work(path: str, method: str = "GET") -> Callable[[Station], None]:
    """One request to the baseline app per call, as the terminal's receiver connection."""
    expect = 201 if method == "POST" else 200
    name = f"{method} {path}"

    def work(station: Station) -> None:
        if station.paced:
            time.sleep(station.rng.uniform(*PACED_WAIT_S))
        if time.perf_counter() >= station.deadline:
            raise PhaseOver
        began = time.perf_counter()
        status, answer = station.receiver.request(method, path, {} if method == "POST" else None)
        station.latencies.add(name, time.perf_counter() - began)
        if status != expect:
            raise RuntimeError(f"{name}: {status} {answer}")

    return work
