"""Checklist templates: created by supervisors, versioned on every edit, found by category."""

from __future__ import annotations

import pytest
from factories import bearer
from inspection_fixtures import GOOD_APPAREL, Floor, apparel_items

from warehouse.inspection.models import Checklist, ChecklistVersion


@pytest.fixture
def floor(app, client, store, staff_token):
    return Floor(app, client, store, staff_token)


def put(floor, checklist_id, **body):
    return floor.client.put(
        f"/api/v1/checklists/{checklist_id}", json=body, headers=floor.supervisor
    )


def test_a_supervisor_creates_version_1_of_a_categorys_checklist(floor):
    created = floor.checklist("Apparel")
    assert created["version"] == 1
    assert created["category"] == "apparel"
    assert created["items"][0]["label"] == {"zh-CN": "吊牌完好", "en": "Tags attached"}
    assert created["items"][1]["outcomes"]["worn"]["deduction_percent"] == 30
    fetched = floor.client.get(f"/api/v1/checklists/{created['id']}", headers=floor.inspector)
    assert fetched.json == created


def test_an_inspector_may_not_create_a_checklist_and_nothing_is_written(floor):
    body = {"name": "x", "category": "apparel", "items": apparel_items()}
    response = floor.client.post("/api/v1/checklists", json=body, headers=floor.inspector)
    assert response.status_code == 403
    assert floor.count(Checklist) == 0


def test_a_category_has_one_checklist(floor):
    floor.checklist("apparel")
    body = {"name": "again", "category": "APPAREL", "items": apparel_items()}
    response = floor.client.post("/api/v1/checklists", json=body, headers=floor.supervisor)
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{"key": "a", "label": "x", "type": "yes_no", "grade_cap": "C"}], "items.0.fail_when"),
        (
            [{"key": "a", "label": "x", "type": "number", "min": 10, "max": 1}],
            "items.0.max",
        ),
        (
            [{"key": "a", "label": "x", "type": "yes_no", "eval": "__import__('os')"}],
            "items.0.eval",
        ),
        ([{"key": "a", "label": "x", "type": "yes_no", "required": "yes"}], "items.0.required"),
        ([], "items"),
    ],
    ids=["failure-meaning-without-failure", "range", "unknown-field", "not-a-boolean", "empty"],
)
def test_a_checklist_that_cannot_work_is_a_422_naming_the_item_and_nothing_is_written(
    floor, items, field
):
    body = {"name": "x", "category": "apparel", "items": items}
    response = floor.client.post("/api/v1/checklists", json=body, headers=floor.supervisor)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"]
    assert floor.count(Checklist) == 0


def test_empty_optional_fields_of_a_checklist_item_mean_their_defaults(floor):
    items = apparel_items()
    items[3].update(grade_cap="", liability="", reject="")
    created = floor.checklist(items=items)
    packaging = created["items"][3]
    assert (packaging["grade_cap"], packaging["liability"], packaging["reject"]) == (
        "B",
        None,
        None,
    )


def test_an_empty_category_filter_lists_every_checklist(floor):
    floor.checklist("apparel")
    floor.checklist("shoes")
    found = floor.client.get("/api/v1/checklists?category=", headers=floor.inspector)
    assert found.status_code == 200, found.json
    assert [c["category"] for c in found.json["items"]] == ["apparel", "shoes"]


def test_an_edit_makes_a_new_version_and_keeps_the_old_one(floor):
    created = floor.checklist()
    items = apparel_items()
    items[0]["deduction_percent"] = 50
    edited = put(floor, created["id"], name="Apparel v2", category="apparel", items=items)
    assert edited.status_code == 200
    assert (edited.json["id"], edited.json["version"]) == (created["id"], 2)
    current = floor.client.get("/api/v1/checklists", headers=floor.inspector).json["items"]
    assert [(c["name"], c["version"]) for c in current] == [("Apparel v2", 2)]
    old = floor.client.get(
        f"/api/v1/checklists/{created['id']}/versions/1", headers=floor.inspector
    ).json
    assert old["items"][0]["deduction_percent"] == 20
    assert floor.count(ChecklistVersion) == 2


def test_an_edit_that_changes_nothing_makes_no_new_version(floor):
    created = floor.checklist()
    same = put(
        floor, created["id"], name=created["name"], category="apparel", items=apparel_items()
    )
    assert same.json["version"] == 1


def test_an_edit_from_a_stale_version_is_a_conflict(floor):
    created = floor.checklist()
    put(floor, created["id"], name="first edit", category="apparel", items=apparel_items())
    late = put(
        floor, created["id"], name="second", category="apparel", items=apparel_items(), version=1
    )
    assert late.status_code == 409
    assert late.json["current_version"] == 2


def test_an_edit_does_not_change_a_past_inspections_result(floor):
    created = floor.checklist()
    lpn = floor.unit()
    photo = floor.photo(lpn)
    first = floor.inspected(lpn, {**GOOD_APPAREL, "stains": True}, photo_ids=[photo])
    assert (first["grade"], first["deduction"]["amount"]) == ("C", 2970)
    items = apparel_items()
    items[2].update(grade_cap="B", deduction_percent=5)
    put(floor, created["id"], name="lenient", category="apparel", items=items)

    again = floor.client.get(f"/api/v1/inspections/{first['id']}", headers=floor.inspector).json
    assert (again["grade"], again["deduction"]["amount"]) == ("C", 2970)
    assert again["checklist"]["version"] == 1
    other = floor.unit()
    photo = floor.photo(other)
    second = floor.inspected(other, {**GOOD_APPAREL, "stains": True}, photo_ids=[photo])
    assert (second["grade"], second["deduction"]["amount"], second["checklist"]["version"]) == (
        "B",
        495,
        2,
    )


def test_a_terminal_showing_an_old_version_is_told_to_reload(floor):
    created = floor.checklist()
    put(floor, created["id"], name="v2", category="apparel", items=apparel_items()[:4])
    lpn = floor.unit()
    response = floor.inspect(lpn, version=1)
    assert response.status_code == 409
    assert response.json["current_version"] == 2
    assert floor.inspect(lpn, version=2).status_code == 201


def test_a_category_without_its_own_checklist_gets_the_default_one(floor):
    floor.checklist("apparel")
    default = floor.checklist("default", name="General QC")
    found = floor.client.get("/api/v1/checklists?category=toys", headers=floor.inspector).json
    assert [c["id"] for c in found["items"]] == [default["id"]]
    found = floor.client.get("/api/v1/checklists?category=Apparel", headers=floor.inspector).json
    assert [c["category"] for c in found["items"]] == ["apparel"]


@pytest.mark.parametrize("typed", ["electronics", "Electronics ", "Ｅｌｅｃｔｒｏｎｉｃｓ"])
def test_a_new_checklist_is_listed_under_its_category_however_it_was_typed(floor, typed):
    floor.checklist("default")
    created = floor.checklist(typed)
    assert created["category"] == "electronics"
    for asked in ("electronics", "ELECTRONICS", "ｅｌｅｃｔｒｏｎｉｃｓ"):
        found = floor.client.get(
            "/api/v1/checklists", query_string={"category": asked}, headers=floor.inspector
        ).json
        assert [c["id"] for c in found["items"]] == [created["id"]], asked


def test_checklists_page_by_category(floor):
    for category in ("shoes", "apparel", "home"):
        floor.checklist(category)
    first = floor.client.get("/api/v1/checklists?limit=2", headers=floor.inspector).json
    assert [c["category"] for c in first["items"]] == ["apparel", "home"]
    rest = floor.client.get(
        f"/api/v1/checklists?limit=2&cursor={first['next_cursor']}", headers=floor.inspector
    ).json
    assert [c["category"] for c in rest["items"]] == ["shoes"]
    assert rest["next_cursor"] is None


def test_a_store_may_read_the_checklists_its_units_are_inspected_against(floor):
    created = floor.checklist()
    response = floor.client.get(f"/api/v1/checklists/{created['id']}", headers=floor.store)
    assert response.status_code == 200


def test_the_demo_loads_a_checklist_per_category_and_a_few_bins(runner, client, staff_token):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    inspector = bearer(staff_token("inspector"))
    checklists = client.get("/api/v1/checklists", headers=inspector).json["items"]
    assert {c["category"] for c in checklists} == {
        "apparel",
        "cosmetics",
        "default",
        "electronics",
        "home",
        "shoes",
    }
    assert all(c["version"] == 1 for c in checklists)
    bins = client.get("/api/v1/bins", headers=inspector).json["items"]
    assert len(bins) >= 3
