"""A receiver on a 360×640 handheld: badge, parcel, item, close — typed as a scanner types."""

from __future__ import annotations

import time

import pytest
from browser.conftest import SCREENSHOTS, chromium_missing
from factories import bearer, line, return_body

if chromium_missing():
    pytest.skip(
        "Chromium or playwright is not installed (CI installs both)", allow_module_level=True
    )

GTIN = "6901234567892"


@pytest.fixture
def one_item_return(live_app, seed):
    from warehouse.stores.services import create_store

    store = seed(lambda s, c: create_store(s, c, name="杭州小店"))
    response = live_app.test_client().post(
        "/api/v1/returns",
        json=return_body(lines=[line(gtin=GTIN, title="纯棉T恤 黑色 M")]),
        headers=bearer(store.api_key),
    )
    assert response.status_code == 201, response.json
    return response.json


def scan(page, code: str) -> None:
    """What a handheld's scanner does: types into whatever has focus, then presses Enter."""
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def focused_is_scan_input(page) -> bool:
    return page.evaluate("document.activeElement.classList.contains('scan-input')")


def test_a_receiver_signs_in_by_badge_and_receives_a_parcel(page, make_staff, one_item_return):
    receiver = make_staff("receiver")
    page.goto("/")
    assert focused_is_scan_input(page)
    page.screenshot(path=str(SCREENSHOTS / "ui-login.png"))
    scan(page, receiver.badge_code)
    assert page.url.endswith("/ui/receive")
    assert focused_is_scan_input(page)

    scan(page, one_item_return["rma_number"])
    assert "/ui/receive/parcels/" in page.url
    assert page.locator(".banner.ok").is_visible()
    assert one_item_return["rma_number"] in page.content()
    assert focused_is_scan_input(page)

    scan(page, GTIN)
    banner = page.locator(".banner.ok")
    assert banner.is_visible()
    lpn = banner.locator("a.lpn").inner_text().replace("🖨", "").strip()
    assert lpn and page.locator("ul.units").inner_text().count(lpn) == 1
    assert focused_is_scan_input(page)
    # A tap elsewhere on the page does not lose the scanner's input.
    page.locator("h2").first.click()
    page.wait_for_timeout(300)
    assert focused_is_scan_input(page)
    page.screenshot(path=str(SCREENSHOTS / "ui-receive.png"))

    label = page.request.get(f"/ui/labels/units/{lpn}.png")
    assert label.status == 200 and label.headers["content-type"] == "image/png"

    with page.expect_navigation():
        page.locator("#close").click()
    assert page.locator(".banner.ok").is_visible()
    assert "1/1" in page.locator("ul.lines").inner_text()
    assert focused_is_scan_input(page)
    page.screenshot(path=str(SCREENSHOTS / "ui-closed.png"))
    assert page.console_errors == []


def test_a_code_that_is_no_parcel_shows_a_red_banner_and_keeps_focus(page, make_staff):
    receiver = make_staff("receiver")
    page.goto("/")
    scan(page, receiver.badge_code)
    scan(page, receiver.badge_code)  # a badge is not a parcel's label
    assert page.locator(".banner.error").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.banner')).backgroundColor") == (
        "rgb(196, 29, 29)"
    )
    assert focused_is_scan_input(page)
    scan(page, "SF1234567890123")
    assert page.locator(".banner.warn").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ui-unmatched.png"))
    assert page.console_errors == []


def test_an_item_scanned_while_the_parcel_page_comes_up_goes_into_that_parcel(
    page, make_staff, one_item_return, seed, monkeypatch
):
    """Fast hands: the item's scan starts before the parcel's page is up and ends after.
    It is neither lost nor cut in two, and it is received into the parcel just scanned."""
    from sqlalchemy import select

    from warehouse.receiving import queries
    from warehouse.receiving.models import Unit

    get_parcel = queries.get_parcel

    def slowly(*args, **kwargs):
        time.sleep(0.6)
        return get_parcel(*args, **kwargs)

    receiver = make_staff("receiver")
    page.goto("/")
    scan(page, receiver.badge_code)
    monkeypatch.setattr(queries, "get_parcel", slowly)  # the parcel page takes 0.6 s
    page.keyboard.type(one_item_return["rma_number"])
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    page.keyboard.type(GTIN[:6])  # the parcel is matched; its page is on its way
    page.wait_for_timeout(900)
    assert one_item_return["rma_number"] in page.locator(".rma").inner_text()  # it came
    page.keyboard.type(GTIN[6:])
    page.keyboard.press("Enter")
    page.locator(".banner.ok a.lpn").wait_for()
    units = seed(
        lambda s, c: [(u.scanned_code, u.reception_status) for u in s.scalars(select(Unit))]
    )
    assert units == [(GTIN, "received")]
    assert focused_is_scan_input(page)
    assert page.console_errors == []


def test_without_javascript_the_forms_still_receive_a_parcel(
    page, live_app, make_staff, one_item_return
):
    """Progressive enhancement: a browser without JS posts the same forms, page by page."""
    context = page.context.browser.new_context(
        viewport={"width": 360, "height": 640},
        base_url=live_app.config["LIVE_URL"],
        java_script_enabled=False,
    )
    plain = context.new_page()
    receiver = make_staff("receiver")
    plain.goto("/")
    for code in (receiver.badge_code, one_item_return["rma_number"], GTIN):
        plain.locator(".scan-input").fill(code)
        with plain.expect_navigation():
            plain.locator(".scan-input").press("Enter")
    assert plain.locator(".banner.ok a.lpn").is_visible()
    with plain.expect_navigation():
        plain.locator("#close").click()
    assert plain.locator(".banner.ok").is_visible()
    assert "1/1" in plain.locator("ul.lines").inner_text()
    assert plain.locator("#scan-queue").is_hidden()
    context.close()
