"""A supervisor at the exception shelf: an unmatched parcel is claimed, matched to its return
by the RMA on the buyer's note inside, and leaves the queue."""

from __future__ import annotations

import uuid

import pytest
from browser.conftest import SCREENSHOTS, chromium_missing
from factories import bearer, line, return_body
from sqlalchemy import select

if chromium_missing():
    pytest.skip(
        "Chromium or playwright is not installed (CI installs both)", allow_module_level=True
    )

TRACKING = "SF1234567890123"


@pytest.fixture
def unmatched_parcel_and_its_return(live_app, seed):
    """A parcel scanned under a tracking number no return names, and the return it is."""
    from warehouse import flow
    from warehouse.stores.services import create_store

    store = seed(lambda s, c: create_store(s, c, name="杭州小店"))
    response = live_app.test_client().post(
        "/api/v1/returns",
        json=return_body(lines=[line(title="纯棉T恤 黑色 M")]),
        headers=bearer(store.api_key),
    )
    assert response.status_code == 201, response.json
    answer = seed(lambda s, c: flow.scan_parcel(s, c, scan_id=uuid.uuid4(), code=TRACKING))
    assert answer.result["parcel"]["status"] == "unmatched"
    return answer.result["parcel"], response.json


def test_a_supervisor_claims_and_matches_an_unmatched_parcel(
    page, make_staff, seed, unmatched_parcel_and_its_return
):
    from warehouse.receiving.models import Parcel, ParcelReturn

    parcel, ret = unmatched_parcel_and_its_return
    supervisor = make_staff("supervisor")
    page.goto("/")
    page.keyboard.type(supervisor.badge_code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/ui/exceptions")
    row = page.locator("tr[id^=exc-]")
    assert row.count() == 1
    assert "未匹配包裹" in row.inner_text()

    with page.expect_navigation():
        row.get_by_role("button", name="认领").click()
    assert page.locator(".banner.ok").is_visible()
    assert supervisor.username in page.locator("tr[id^=exc-]").inner_text()

    row = page.locator("tr[id^=exc-]")
    row.locator("select[name=action]").select_option("match")
    row.locator("input[name=rma]").fill(ret["rma_number"])
    row.locator("input[name=note]").fill("箱内有买家手写退货单")
    page.screenshot(path=str(SCREENSHOTS / "ui-exceptions.png"), full_page=True)
    with page.expect_navigation():
        row.get_by_role("button", name="处理").click()

    assert page.locator(".banner.ok").is_visible()
    assert page.locator("tr[id^=exc-]").count() == 0
    parcel_id = uuid.UUID(parcel["id"])
    status, returns = seed(
        lambda s, c: (
            s.get(Parcel, parcel_id).match_status,
            [
                str(r)
                for r in s.scalars(
                    select(ParcelReturn.return_id).where(ParcelReturn.parcel_id == parcel_id)
                )
            ],
        )
    )
    assert status == "matched" and returns == [ret["id"]]
    assert page.console_errors == []
