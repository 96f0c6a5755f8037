"""A supervisor on a 360×640 handheld and at a PC: the dashboard's chart renders from the
vendored Chart.js, its figures drill down to their lists (by link and by tapping the
chart), a list downloads as CSV, and the timeline and dead-letter pages look right."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from browser.conftest import SCREENSHOTS, chromium_missing

if chromium_missing():
    pytest.skip(
        "Chromium or playwright is not installed (CI installs both)", allow_module_level=True
    )

#: The README's screenshot of the dashboard, at a PC's size (refreshed by a run with
#: UPDATE_README_SCREENSHOTS=1).
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def floor(make_floor):
    """A morning's work made through the API, as the dock and the QC bench make it."""
    floor = make_floor()
    bin_code = floor.bin("A0103")
    lpns = [floor.unit() for _ in range(3)]
    for lpn in lpns[:2]:
        floor.inspected(lpn)
        assert floor.dispose(lpn, "restock", bin=bin_code).status_code in (200, 201)
    worn = floor.unit()
    photo = floor.photo(worn)
    result = floor.inspected(
        worn,
        {"tags_attached": True, "signs_of_wear": "worn", "stains": False, "packaging_intact": True},
        photo_ids=[photo],
    )
    floor.dispose(worn, result["recommended_disposition"])
    floor.client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "SF1234567890123"},
        headers=floor.receiver,
    )
    floor.lpns = [*lpns, worn]
    return floor


def scan(page, code: str) -> None:
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def chart_drawn(page) -> None:
    """Waits for the dashboard's script to draw the chart (polled from here: the page's
    Content-Security-Policy forbids the eval that `wait_for_function` uses)."""
    for _ in range(50):
        if page.evaluate("() => !!(window.Chart && Chart.getChart('hourly-chart'))"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(
        f"the hourly chart was never drawn: {page.url} {page.console_errors} "
        + page.evaluate("() => [typeof Chart, document.readyState, document.scripts.length].join()")
    )


def chart_total(page, dataset: int) -> int:
    return page.evaluate(
        "(i) => Chart.getChart('hourly-chart').data.datasets[i].data.reduce((a, b) => a + b, 0)",
        dataset,
    )


def shot(page, name: str) -> Path:
    path = SCREENSHOTS / f"ui-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_a_supervisor_reads_the_dashboard_and_drills_down(page, floor, make_staff):
    supervisor = make_staff("supervisor")
    page.goto("/")
    scan(page, supervisor.badge_code)
    page.goto("/ui/dashboard")
    chart_drawn(page)

    # The chart is drawn by the vendored library from the page's own figures.
    assert page.evaluate("typeof Chart") == "function"
    assert page.evaluate("Chart.getChart('hourly-chart') !== undefined")
    canvas = page.locator("#hourly-chart").bounding_box()
    assert canvas["width"] > 300 and canvas["height"] > 200
    assert chart_total(page, 0) == 5  # four parcels of returns and one unmatched
    assert chart_total(page, 1) == 4 and chart_total(page, 2) == 3
    assert page.evaluate("Chart.getChart('mix-chart').data.datasets[0].data.length") == 2
    assert page.locator("[data-figure=units] b").inner_text() == "4"
    # nothing on the handheld is wider than its screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "dashboard-360")

    # A figure's link opens the list behind it; the list downloads as CSV.
    with page.expect_navigation():
        page.locator("[data-figure=units]").click()
    assert page.locator("table.listing tbody tr").count() == 4
    for lpn in floor.lpns:
        assert lpn in page.content()
    shot(page, "dashboard-list-360")
    with page.expect_download() as download:
        page.locator("#csv").click()
    body = Path(download.value.path()).read_bytes()
    assert body.startswith("\ufeff".encode())
    assert len(body.decode("utf-8-sig").strip().splitlines()) == 5  # heading + 4 units

    # Tapping the chart's point opens that hour's list.
    page.goto("/ui/dashboard")
    chart_drawn(page)
    hour = page.evaluate(
        "Chart.getChart('hourly-chart').data.datasets[1].data.findIndex((n) => n > 0)"
    )
    point = page.evaluate(
        "(h) => { const p = Chart.getChart('hourly-chart').getDatasetMeta(1).data[h];"
        " return {x: p.x, y: p.y}; }",
        hour,
    )
    box = page.locator("#hourly-chart").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert "kind=units" in page.url and f"hour={hour}" in page.url
    assert page.locator("table.listing tbody tr").count() == 4

    # A row opens the return's timeline, with the inspection's photo.
    page.goto("/ui/dashboard")
    with page.expect_navigation():
        page.locator("[data-figure=inspections]").click()
    with page.expect_navigation():
        page.locator("table.listing tbody tr a").first.click()
    assert page.locator("ol.timeline li").count() > 5
    shot(page, "timeline-360")

    # At a PC the same page has room for two columns.
    page.set_viewport_size(DESKTOP)
    page.goto("/ui/dashboard")
    chart_drawn(page)
    assert page.evaluate("Chart.getChart('hourly-chart') !== undefined")
    wide = page.locator("#hourly-chart").bounding_box()
    assert wide["width"] > 1000
    mix, attention = (page.locator(s).bounding_box() for s in ("#mix", "#attention"))
    assert mix["y"] == attention["y"] and mix["x"] < attention["x"]  # side by side
    path = shot(page, "dashboard-desktop")
    if os.environ.get("UPDATE_README_SCREENSHOTS") == "1":  # else the run leaves docs alone
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, README_SCREENSHOT)
    assert page.console_errors == []


def dead_letter(live_app, seed, floor) -> str:
    """A return of a store whose endpoint failed for a whole day: its event is dead."""
    import datetime as dt
    import random

    from factories import bearer, line

    from warehouse.clock import FakeClock
    from warehouse.events.rules import DEFAULT_POLICY
    from warehouse.events.sending import FakeSender, SendResult
    from warehouse.events.worker import DeliveryWorker
    from warehouse.stores.services import create_store

    hooked = seed(
        lambda s, c: create_store(s, c, name="义乌好货", webhook_url="https://hooks.example/in")
    )
    ret = floor.create_return([line(sku="MUG-1", gtin=None)], headers=bearer(hooked.api_key))
    floor.receive(ret, ["MUG-1"])
    sender = FakeSender(answer=lambda _r: SendResult(502, excerpt="Bad gateway"))
    clock = FakeClock(dt.datetime.now(dt.UTC))
    worker = DeliveryWorker(
        live_app.extensions["warehouse.sessions"], sender, clock, rng=random.Random(0)
    )
    for _ in range(40):
        worker.run_until_idle()
        clock.advance(seconds=DEFAULT_POLICY.max_ceiling.total_seconds())
    return ret["rma_number"]


def test_a_supervisor_finds_a_return_and_replays_a_dead_letter(
    page, live_app, seed, floor, make_staff
):
    rma = dead_letter(live_app, seed, floor)
    supervisor = make_staff("supervisor")
    page.goto("/")
    scan(page, supervisor.badge_code)
    from factories import line

    for _ in range(2):
        floor.create_return([line(gtin=None)], buyer={"id": "tb_buyer_42", "name": "陈*"})
    page.goto("/ui/returns")
    scan(page, "tb_buyer_42")  # a buyer id names several returns: a list to choose from
    assert page.locator("ul.hits li").count() == 2
    shot(page, "returns-360")
    page.goto("/ui/returns")
    scan(page, floor.lpns[-1])  # the LPN of the unit with a photo
    assert "/ui/returns/" in page.url
    photo = page.locator(".photos img").first
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")

    page.goto("/ui/dashboard")
    assert page.locator("[data-figure=dead-letters] b").inner_text() == "1"
    with page.expect_navigation():
        page.locator("[data-figure=dead-letters]").click()
    assert rma in page.locator("ul.letters").inner_text()
    shot(page, "deadletters-360")
    with page.expect_navigation():
        page.locator("ul.letters a").first.click()
    assert "HTTP 502" in page.locator(".last-error").inner_text()
    assert page.locator("table.attempts tbody tr").count() > 10
    shot(page, "deadletter-360")
    with page.expect_navigation():
        page.locator("button.big").click()
    assert page.locator(".banner.ok").is_visible()
    assert page.locator("p.none").is_visible()  # nothing dead any more
    assert page.console_errors == []
