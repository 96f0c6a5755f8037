"""An inspector and a supervisor on a 360×640 handheld: inspect with a photo, dispose to a
bin, work the refurbish queue — codes typed and Enter pressed, as a scanner does."""

from __future__ import annotations

import io

import pytest
from browser.conftest import SCREENSHOTS, chromium_missing
from inspection_fixtures import GOOD_APPAREL
from PIL import Image

if chromium_missing():
    pytest.skip(
        "Chromium or playwright is not installed (CI installs both)", allow_module_level=True
    )


@pytest.fixture
def floor(make_floor):
    """Returns, units, checklists and bins made through the API, as the dock makes them."""
    floor = make_floor()
    return floor


def jpeg(color=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "JPEG")
    return out.getvalue()


class Hands:
    """The page, with every scan and tap counted."""

    def __init__(self, page) -> None:
        self.page, self.scans, self.taps = page, 0, 0

    def scan(self, code: str) -> None:
        """What a handheld's scanner does: types into whatever has focus, then Enter."""
        self.scans += 1
        self.page.keyboard.type(code)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def tap(self, selector: str, *, navigates: bool = True) -> None:
        self.taps += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.locator(selector).click()
        else:
            self.page.locator(selector).click()


def focused_is_scan_input(page) -> bool:
    return page.evaluate("document.activeElement.classList.contains('scan-input')")


def shot(page, name: str, *, full: bool = False) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"ui-{name}.png"), full_page=full)


def test_an_inspector_inspects_with_a_photo_and_restocks_into_a_bin(page, floor, make_staff):
    lpn = floor.unit(reason_detail="尺码偏小，试穿了一下")
    bin_code = floor.bin("A0103")
    inspector = make_staff("inspector")
    hands = Hands(page)
    page.goto("/")
    hands.scan(inspector.badge_code)
    assert page.url.endswith("/ui/inspect")
    assert focused_is_scan_input(page)
    shot(page, "inspect")

    hands.scan(lpn)
    assert page.url.endswith(f"/ui/inspect/units/{lpn}")
    assert "尺码偏小，试穿了一下" in page.content()
    # The "all fine" answers are pre-selected; this unit was tried on.
    assert page.locator("input[name='a.tags_attached'][value=yes]").is_checked()
    hands.tap("label:has(input[name='a.signs_of_wear'][value=tried_on])", navigates=False)
    assert page.locator("input[name='a.signs_of_wear'][value=tried_on]").is_checked()
    page.locator("input[name=photos]").set_input_files(
        {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    # The Next button stays on screen however long the checklist is.
    box = page.locator("#next").bounding_box()
    assert box["y"] + box["height"] <= 640 and box["height"] >= 48
    shot(page, "inspect-checklist")
    shot(page, "inspect-checklist-full", full=True)

    hands.tap("#next")
    assert page.locator(".verdict .grade").inner_text().startswith("B")
    assert "0.00 CNY" in page.locator(".verdict .deduction").inner_text()
    assert page.locator(".thumbs img").count() == 1
    assert page.evaluate("document.querySelector('.thumbs img').naturalWidth") > 0
    shot(page, "inspect-result")

    hands.tap("#confirm")
    assert page.url.endswith("/ui/inspect")
    assert page.locator(".banner.ok").is_visible()
    assert lpn in page.locator(".banner.ok").inner_text()
    assert focused_is_scan_input(page)
    assert floor.where(lpn)["grade"] == "B"

    hands.tap("header a[href='/ui/dispose']")
    assert focused_is_scan_input(page)
    hands.scan(lpn)
    assert page.url.endswith(f"/ui/dispose/units/{lpn}")
    assert focused_is_scan_input(page)
    shot(page, "dispose-unit")
    hands.scan(bin_code)
    assert page.url.endswith("/ui/dispose")
    assert page.locator(".banner.ok").inner_text() == f"{lpn} 已上架到库位 {bin_code}。"
    assert focused_is_scan_input(page)
    shot(page, "dispose-done")
    assert floor.where(lpn)["bin"] == bin_code
    assert page.console_errors == []


def test_the_one_item_happy_path_counts(page, floor, make_staff):
    """Inspect: scan the LPN, tap Next, tap Confirm. Dispose: scan the LPN, scan the bin."""
    lpn = floor.unit()
    bin_code = floor.bin("A0104")
    inspector = make_staff("inspector")
    page.goto("/")
    Hands(page).scan(inspector.badge_code)

    inspect = Hands(page)
    inspect.scan(lpn)
    inspect.tap("#next")
    inspect.tap("#confirm")
    assert page.locator(".banner.ok").is_visible()
    assert (inspect.scans, inspect.taps) == (1, 2)

    page.goto("/ui/dispose")
    dispose = Hands(page)
    dispose.scan(lpn)
    dispose.scan(bin_code)
    assert page.locator(".banner.ok").is_visible()
    assert (dispose.scans, dispose.taps) == (2, 0)
    assert floor.where(lpn)["state"] == "restocked"
    assert page.console_errors == []


def test_a_wrong_scan_is_a_red_banner_with_the_scan_input_focused(page, floor, make_staff):
    lpn = floor.unit()
    inspector = make_staff("inspector")
    page.goto("/")
    hands = Hands(page)
    hands.scan(inspector.badge_code)
    hands.scan("LPNB2SYBVAT6E")
    assert page.locator(".banner.error").is_visible()
    assert focused_is_scan_input(page)
    page.goto("/ui/dispose")
    hands.scan(lpn)  # not inspected yet
    assert page.locator(".banner.error").is_visible()
    assert focused_is_scan_input(page)
    shot(page, "dispose-error")
    assert page.console_errors == []


def test_a_supervisor_works_the_refurbish_queue(page, floor, make_staff):
    worn = {**GOOD_APPAREL, "signs_of_wear": "worn"}
    lpns = []
    for _ in range(2):
        lpn = floor.unit()
        floor.inspected(lpn, worn, photo_ids=[floor.photo(lpn)], notes="拉链卡住")
        assert floor.dispose(lpn, "refurbish").status_code == 201
        lpns.append(lpn)
    bin_code = floor.bin("R0101")
    supervisor = make_staff("supervisor")
    page.goto("/ui/refurbish")
    hands = Hands(page)
    hands.scan(supervisor.badge_code)
    assert page.url.endswith("/ui/refurbish")
    items = page.locator(".queue-list li")
    assert items.count() == 2
    assert lpns[0] in items.nth(0).inner_text()  # the oldest first
    assert focused_is_scan_input(page)
    shot(page, "refurbish-queue")

    hands.tap(f".queue-list a:has-text('{lpns[0]}')")
    assert "拉链卡住" in page.content()
    assert page.locator(".thumbs img").count() == 1
    assert focused_is_scan_input(page)
    shot(page, "refurbish-order")
    hands.scan(bin_code)
    assert page.url.endswith("/ui/refurbish")
    assert page.locator(".banner.ok").is_visible()
    assert page.locator(".queue-list li").count() == 1
    where = floor.where(lpns[0])
    assert (where["state"], where["grade"], where["bin"]) == ("restocked", "B", bin_code)
    assert page.console_errors == []


def test_a_supervisor_overrides_the_recommended_route_with_a_reason(page, floor, make_staff):
    lpn = floor.unit()
    floor.inspected(lpn)
    supervisor = make_staff("supervisor")
    page.goto("/ui/dispose")
    hands = Hands(page)
    hands.scan(supervisor.badge_code)
    hands.scan(lpn)
    hands.tap("details.override summary", navigates=False)
    hands.tap("label:has(input[name=decision][value=return_to_vendor])", navigates=False)
    page.locator("details.override input[name=reason]").fill("整批召回，退回供应商")
    shot(page, "dispose-override")
    hands.tap("details.override button[type=submit]")
    assert page.url.endswith("/ui/dispose")
    assert page.locator(".banner.ok").is_visible()
    disposition = floor.where(lpn)["disposition"]
    assert (disposition["decision"], disposition["override"]) == ("return_to_vendor", True)
    assert page.console_errors == []


def test_a_file_that_is_no_photo_is_a_red_banner_and_the_answers_stay(page, floor, make_staff):
    lpn = floor.unit()
    inspector = make_staff("inspector")
    page.goto("/")
    hands = Hands(page)
    hands.scan(inspector.badge_code)
    hands.scan(lpn)
    hands.tap("label:has(input[name='a.stains'][value=yes])", navigates=False)
    page.locator("input[name=photos]").set_input_files(
        {"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.4 not a photo"}
    )
    hands.tap("#next")
    assert page.locator(".banner.error").is_visible()
    assert page.locator("input[name='a.stains'][value=yes]").is_checked()
    shot(page, "inspect-photo-error")
    assert floor.where(lpn)["state"] == "received"
    # The form comes back as a 422, which Chromium logs; nothing else may complain.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"
    ]
