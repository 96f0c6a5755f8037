"""Fuzzing from the OpenAPI document: every operation, authenticated, answers within its contract.

Schemathesis reads `/api/v1/openapi.json` and drives the WSGI app in-process (no server) with
generated requests, valid and invalid, for every operation. Each answer must not be a 5xx,
must carry a documented status code and content type, and its body must validate against
the documented schema. Store operations are called with a store's API key, staff operations
with an admin's token, and most requests aim at real objects (a received return, its parcel
and units, an inspection, a photo, a bin, a checklist, an event), so the generated bodies
reach the services rather than stopping at a 404.

`WAREHOUSE_FUZZ_EXAMPLES` (default 15) bounds the examples per operation, so the whole run
stays within a few minutes in `make test`.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import Counter, defaultdict

import pytest
import schemathesis
from factories import bearer, line
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from inspection_fixtures import Floor
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

OPENAPI = "/api/v1/openapi.json"
EXAMPLES_PER_OPERATION = int(os.environ.get("WAREHOUSE_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class FuzzWorld:
    """A store with a received, partly inspected return, and the credentials to act on it."""

    def __init__(self, app, client, store, staff_token) -> None:
        floor = Floor(app, client, store, staff_token)
        self.client = client
        self.store_key = store[1]
        self.admin = bearer(staff_token("admin"))
        checklist = floor.checklist("apparel")
        ret = floor.create_return(
            [
                line(sku="FUZZ-TEE", gtin=None, quantity=2, unit_price=9900),
                line(sku="FUZZ-CAP", gtin=None, quantity=1, unit_price=3500),
            ]
        )
        inspected, spare = floor.receive(ret, ["FUZZ-TEE", "FUZZ-TEE"])
        photo = floor.photo(inspected)
        inspection = floor.inspected(inspected, photo_ids=[photo])
        parcel = client.get(f"/api/v1/units/{inspected}", headers=self.admin).json
        exceptions = client.get("/api/v1/exceptions", headers=self.admin).json["items"]
        events = client.get("/api/v1/events", headers=bearer(self.store_key)).json["items"]
        self.real = {
            "store_id": str(store[0]),
            "return_id": ret["id"],
            "parcel_id": parcel["parcel_id"],
            "photo_id": photo,
            "inspection_id": inspection["id"],
            "checklist_id": checklist["id"],
            "version": str(checklist["version"]),
            "code": floor.bin("A0101"),
            "exception_id": exceptions[0]["id"] if exceptions else str(uuid.uuid4()),
            "event_id": events[0]["id"],
        }
        self.lpns = [inspected, spare]
        self._store_may: dict[tuple[str, str], bool] = {}
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.status_check = None  # set from the document once it is loaded

    def strategy(self, operation):
        """Valid and invalid requests aimed at real objects, and some at made-up ids."""
        aimed = []
        for lpn in self.lpns:
            real = {**self.real, "lpn": lpn}
            fixed = {name: real[name] for name in _path_names(operation) if name in real}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                aimed.append(operation.as_strategy(mode, path_parameters=fixed))
        return st.one_of(*aimed, operation.as_strategy(GenerationMode.POSITIVE))

    def credentials(self, case) -> dict[str, str]:
        """The store's key where a store may call the operation, else an admin's token."""
        key = (case.method.upper(), case.path)
        if key not in self._store_may:
            url = case.path.format(**{k: str(uuid.uuid4()) for k in case.path_parameters})
            probe = self.client.open(url, method=key[0], json={}, headers=bearer(self.store_key))
            self._store_may[key] = probe.status_code != 403
        return bearer(self.store_key) if self._store_may[key] else self.admin


@pytest.fixture
def fuzz_world(app, client, store, staff_token):
    return FuzzWorld(app, client, store, staff_token)


def _path_names(operation) -> list[str]:
    return re.findall(r"{([^}]+)}", operation.path)


#: Answers every operation may give without listing them: 401 (no or bad credentials) and
#: 403 (a role that may not); with a body, 400 (not JSON) and 413 (over the size limit); and
#: 404 wherever the path names an object. Anything else must be listed for the operation.
ALWAYS_POSSIBLE = {401, 403}
WITH_A_BODY = {400, 413}


def listed_status_check(document: dict):
    """A stricter status check than schemathesis's own, which the catch-all `default`
    answer flask-smorest documents for every operation would always satisfy."""

    def status_code_listed(ctx, response, case):
        operation = document["paths"][case.path][case.method.lower()]
        allowed = {int(code) for code in operation["responses"] if code.isdigit()}
        allowed |= ALWAYS_POSSIBLE
        if "requestBody" in operation:
            allowed |= WITH_A_BODY
        if "{" in case.path:
            allowed.add(404)
        if response.status_code not in allowed:
            raise AssertionError(
                f"{response.status_code} is not documented for {case.method} {case.path} "
                f"(documented: {sorted(allowed)})"
            )

    return status_code_listed


def fuzz_operation(operation, world: FuzzWorld) -> tuple[int, str | None]:
    """Runs the bounded examples for one operation; answers (examples run, failure or None)."""
    ran = 0

    @given(case=world.strategy(operation))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case):
        nonlocal ran
        ran += 1
        response = case.call_and_validate(
            headers=world.credentials(case), checks=[*CHECKS, world.status_check]
        )
        world.statuses[operation.label][response.status_code] += 1

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:  # all reported together at the end
        return ran, f"{operation.label}: {failure}"
    return ran, None


def test_every_operation_answers_within_its_documented_contract(app, fuzz_world):
    schema = schemathesis.openapi.from_wsgi(OPENAPI, app)
    fuzz_world.status_check = listed_status_check(app.test_client().get(OPENAPI).json)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    started = time.perf_counter()
    examples, failures = 0, []
    for operation in operations:
        ran, failure = fuzz_operation(operation, fuzz_world)
        examples += ran
        if failure:
            failures.append(failure)
    succeeded = [label for label, seen in fuzz_world.statuses.items() if min(seen) < 300]
    print(
        f"fuzzed {len(operations)} operations with {examples} requests "
        f"in {time.perf_counter() - started:.1f} s; {len(succeeded)} reached a 2xx"
    )
    for label, seen in sorted(fuzz_world.statuses.items()):
        print(label, dict(sorted(seen.items())))
    assert not failures, "\n\n".join(failures)
    # Not vacuous: authenticated and aimed at real objects, most operations got through.
    assert len(succeeded) >= len(operations) // 2, sorted(succeeded)
