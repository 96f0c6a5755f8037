"""Fuzzing from the OpenAPI document: every operation, authenticated, answers within its contract.

Schemathesis reads `/api/v1/openapi.json` and drives the WSGI app in-process (no server) with
generated requests, valid and invalid, for every operation, under all of its checks (as
`schemathesis run --checks all`): no 5xx; a documented status code, content type, headers
and body; invalid data refused and valid data accepted; credentials enforced. On top of
those, every error must be problem+json, and a schema-valid request may be refused (422)
only for a rule the document cannot state (a check character, the state of an object),
never for one it does state (text without NUL or lone surrogates, the cursor's format).

Each operation is called as a store (its API key) and as a supervisor, whichever may call
it (an admin for the few that neither may), and most requests aim at real objects (a
received return, its parcel and units, an inspection, a photo, a bin, a checklist, an
event), so the generated bodies reach the services rather than stopping at a 404.

`WAREHOUSE_FUZZ_EXAMPLES` (default 15) bounds the examples per operation and caller, so the
run stays well under two minutes per database in `make test`.
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
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import negative_data_rejection

from warehouse.text_guard import MESSAGE as UNSTORABLE_TEXT

OPENAPI = "/api/v1/openapi.json"
EXAMPLES_PER_OPERATION = int(os.environ.get("WAREHOUSE_FUZZ_EXAMPLES", "15"))
PROBLEM = "application/problem+json"
#: The service refuses what JSON Schema cannot say (a check character, a state, a rule
#: between fields) with a 422 naming the field: valid data may meet it (see above).
POSITIVE_STATUSES = ["422"]
#: Refusals of invalid data besides schemathesis's own list.
NEGATIVE_STATUSES = ["413", "414"]


def all_checks() -> list:
    """Every check schemathesis has, as `--checks all` runs them (negative_data_rejection
    as sent: see `negative_data_rejection_as_sent`)."""
    load_all_checks()
    checks = list(CHECKS.get_all())
    return [negative_data_rejection_as_sent if c is negative_data_rejection else c for c in checks]


def negative_data_rejection_as_sent(ctx, response, case):
    """schemathesis's check, but not for a "negative" query value of `{}` or `[]`: it is
    serialized as no parameter at all, so the request sent is a valid one."""
    if any(value in ({}, []) for value in (case.query or {}).values()):
        return None
    return negative_data_rejection(ctx, response, case)


class FuzzWorld:
    """A store with a received, partly inspected return, and the credentials to act on it."""

    def __init__(self, app, client, store, staff_token) -> None:
        floor = Floor(app, client, store, staff_token)
        self.client = client
        self.store_key = store[1]
        self.callers = {
            "store": bearer(self.store_key),
            "supervisor": bearer(staff_token("supervisor")),
            "admin": bearer(staff_token("admin")),
        }
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
        parcel = client.get(f"/api/v1/units/{inspected}", headers=self.callers["admin"]).json
        exceptions = client.get("/api/v1/exceptions", headers=self.callers["admin"]).json["items"]
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
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.status_check = self.text_check = None  # set from the document once loaded

    def strategy(self, operation, caller: str):
        """Valid and invalid requests aimed at real objects, and some at made-up ids, all
        with the caller's credentials (fixed, so no case claims to have dropped them)."""
        headers = self.callers[caller]
        aimed = []
        for lpn in self.lpns:
            real = {**self.real, "lpn": lpn}
            fixed = {name: real[name] for name in _path_names(operation) if name in real}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                aimed.append(operation.as_strategy(mode, path_parameters=fixed, headers=headers))
        return st.one_of(*aimed, operation.as_strategy(GenerationMode.POSITIVE, headers=headers))

    def callers_of(self, operation) -> list[str]:
        """The store and the supervisor, whichever may call the operation (else an admin)."""
        url = re.sub(r"{[^}]+}", lambda _m: str(uuid.uuid4()), operation.path)
        may = [
            name
            for name in ("store", "supervisor")
            if self.client.open(
                url, method=operation.method.upper(), headers=self.callers[name]
            ).status_code
            != 403
        ]
        return may or ["admin"]


@pytest.fixture
def fuzz_world(app, client, store, staff_token):
    return FuzzWorld(app, client, store, staff_token)


def _path_names(operation) -> list[str]:
    return re.findall(r"{([^}]+)}", operation.path)


#: Answers every operation may give without listing them: 401 (no or bad credentials) and
#: 403 (a role that may not); and 404 wherever the path names an object. Anything else (414
#: and, where a body is taken, 400, 413 and 415 included) must be listed for the operation.
ALWAYS_POSSIBLE = {401, 403}


def listed_status_check(document: dict):
    """A stricter status check than schemathesis's own, which the catch-all `default`
    answer flask-smorest documents for every operation would always satisfy."""

    def status_code_listed(ctx, response, case):
        operation = document["paths"][case.path][case.method.lower()]
        allowed = {int(code) for code in operation["responses"] if code.isdigit()}
        allowed |= ALWAYS_POSSIBLE
        if "{" in case.path:
            allowed.add(404)
        if response.status_code not in allowed:
            raise AssertionError(
                f"{response.status_code} is not documented for {case.method} {case.path} "
                f"(documented: {sorted(allowed)})"
            )

    return status_code_listed


def errors_are_problems(ctx, response, case):
    """Every error answer is problem+json with its own status in the body."""
    if response.status_code < 400:
        return
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0]
    if content_type != PROBLEM:
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not {PROBLEM}")
    if response.json().get("status") != response.status_code:
        raise AssertionError(f"the problem's status is not {response.status_code}")


def valid_text_check(document: dict):
    """Schema-valid data never meets the text rule where the document gives the field its
    pattern. (Keys and values of free-form objects, which OpenAPI 3.0 cannot give a
    pattern, are stated in the description only.)"""

    def resolve(node: dict) -> dict:
        while isinstance(node, dict) and "$ref" in node:
            node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        return node if isinstance(node, dict) else {}

    def has_pattern(node: dict, segments: list[str]) -> bool:
        for segment in segments:
            node = resolve(node)
            if segment in node.get("properties", {}):
                node = node["properties"][segment]
            elif node.get("type") == "array" and segment.isdigit():
                node = node.get("items", {})
            else:
                return False  # a key, or inside a free-form value
        return "pattern" in resolve(node)

    def valid_text_is_never_refused(ctx, response, case):
        positive = case.meta is not None and case.meta.generation.mode.is_positive
        if not positive or response.status_code != 422:
            return
        operation = document["paths"][case.path][case.method.lower()]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        parameters = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
        for field, messages in (response.json().get("errors") or {}).items():
            if UNSTORABLE_TEXT not in messages:
                continue
            head, *rest = field.split(".")
            documented = (
                has_pattern(parameters[head], rest)
                if head in parameters
                else has_pattern(body.get("schema", {}), [head, *rest])
            )
            if documented:
                raise AssertionError(f"valid text refused at {field}: {response.text[:300]}")

    return valid_text_is_never_refused


def fuzz_operation(operation, world: FuzzWorld, caller: str) -> tuple[int, str | None]:
    """Runs the bounded examples for one operation and caller; answers (examples run,
    failure or None)."""
    ran = 0
    headers = world.callers[caller]
    checks = [*all_checks(), world.status_check, world.text_check, errors_are_problems]

    @given(case=world.strategy(operation, caller))
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
        response = case.call_and_validate(headers=headers, checks=checks)
        world.statuses[operation.label][response.status_code] += 1

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:  # all reported together at the end
        return ran, f"{operation.label} as {caller}: {failure}"
    return ran, None


def test_every_operation_answers_within_its_documented_contract(app, fuzz_world):
    schema = schemathesis.openapi.from_wsgi(OPENAPI, app)
    checks = schema.config.checks
    checks.positive_data_acceptance.expected_statuses.extend(POSITIVE_STATUSES)
    checks.negative_data_rejection.expected_statuses.extend(NEGATIVE_STATUSES)
    document = app.test_client().get(OPENAPI).json
    fuzz_world.status_check = listed_status_check(document)
    fuzz_world.text_check = valid_text_check(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    started = time.perf_counter()
    examples, failures = 0, []
    callers = Counter()
    for operation in operations:
        for caller in fuzz_world.callers_of(operation):
            callers[caller] += 1
            ran, failure = fuzz_operation(operation, fuzz_world, caller)
            examples += ran
            if failure:
                failures.append(failure)
    succeeded = [label for label, seen in fuzz_world.statuses.items() if min(seen) < 300]
    print(
        f"fuzzed {len(operations)} operations with {examples} requests "
        f"in {time.perf_counter() - started:.1f} s; {len(succeeded)} reached a 2xx; "
        f"operations per caller: {dict(callers)}"
    )
    for label, seen in sorted(fuzz_world.statuses.items()):
        print(label, dict(sorted(seen.items())))
    assert not failures, "\n\n".join(failures)
    assert callers["store"] >= 10 and callers["supervisor"] >= len(operations) // 2, callers
    # Not vacuous: authenticated and aimed at real objects, most operations got through.
    assert len(succeeded) >= len(operations) // 2, sorted(succeeded)
