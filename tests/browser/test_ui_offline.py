"""Never lose a scan: a receiver on a 360×640 handheld keeps scanning while the network is
down; the scans wait in the browser and arrive once, in order, when it is back."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from browser.conftest import SCREENSHOTS, chromium_missing
from factories import bearer, line, return_body
from playwright.sync_api import expect
from sqlalchemy import select

if chromium_missing():
    pytest.skip(
        "Chromium or playwright is not installed (CI installs both)", allow_module_level=True
    )

GTIN = "6901234567892"
QUEUE_KEY = "floorUI.scanQueue.v1"
#: What Chromium itself logs for a scan it could not send while offline, and for the one
#: refused because the session had ended: its network log, not an error of our scripts.
NETWORK_LOG = {
    "Failed to load resource: net::ERR_INTERNET_DISCONNECTED",
    "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)",
}


@pytest.fixture
def two_of_a_kind(live_app, seed):
    """A return of two identical T-shirts (one line, quantity 2)."""
    from warehouse.stores.services import create_store

    store = seed(lambda s, c: create_store(s, c, name="杭州小店"))
    response = live_app.test_client().post(
        "/api/v1/returns",
        json=return_body(lines=[line(gtin=GTIN, quantity=2, title="纯棉T恤 黑色 M")]),
        headers=bearer(store.api_key),
    )
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def slow_items(monkeypatch):
    """Each item scan takes the server a second, so a replay is surely caught half-way (on a
    quiet machine a shorter pause let the item finish before the reload)."""
    from warehouse.receiving import services

    scan_item = services.scan_item
    sent: list[str] = []

    def slowly(*args, **kwargs):
        sent.append(str(kwargs["scan_id"]))
        time.sleep(1.0)
        return scan_item(*args, **kwargs)

    monkeypatch.setattr(services, "scan_item", slowly)
    return sent


def scan(page, code: str) -> None:
    """A scanner's read when no page change follows (the scan stays in the browser)."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def scan_and_wait(page, code: str) -> None:
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def waiting(page) -> str:
    return page.locator("#scan-queue").inner_text()


def queued(page) -> list[dict]:
    return page.evaluate(
        f"(JSON.parse(localStorage.getItem('{QUEUE_KEY}') || '{{}}').entries || [])"
    )


def focused_is_scan_input(page) -> bool:
    return page.evaluate("document.activeElement.classList.contains('scan-input')")


def script_errors(page) -> list[str]:
    return [e for e in page.console_errors if e not in NETWORK_LOG]


def received(seed) -> tuple[list, list]:
    """(parcels, units) as the database has them."""
    from warehouse.receiving.models import Parcel, Unit

    return seed(
        lambda s, c: (
            [(p.code, p.state) for p in s.scalars(select(Parcel))],
            [(u.lpn, u.reception_status) for u in s.scalars(select(Unit))],
        )
    )


def units_by_parcel(session, _ctx) -> list[tuple]:
    """(parcel code, state, codes of its units) for every parcel, sorted."""
    from warehouse.receiving.models import Parcel, Unit

    return sorted(
        (
            parcel.code,
            parcel.state,
            sorted(session.scalars(select(Unit.scanned_code).where(Unit.parcel_id == parcel.id))),
        )
        for parcel in session.scalars(select(Parcel))
    )


def sign_in(page, staff) -> None:
    page.goto("/")
    scan_and_wait(page, staff.badge_code)
    assert page.url.endswith("/ui/receive")


def test_a_parcel_received_offline_arrives_once_when_the_network_is_back(
    page, live_app, seed, make_staff, two_of_a_kind, slow_items
):
    sign_in(page, make_staff("receiver"))
    page.context.set_offline(True)

    scan(page, two_of_a_kind["rma_number"])
    note = page.locator("#scan-note")
    note.wait_for(state="visible")
    assert "queued" in note.get_attribute("class")
    assert two_of_a_kind["rma_number"] in note.inner_text()
    assert page.evaluate(
        "getComputedStyle(document.querySelector('#scan-note')).backgroundColor"
    ) == ("rgb(43, 76, 155)")
    # The handheld now takes the parcel's items: the server names the parcel later.
    assert page.locator("label[for=scan]").inner_text() == "扫描商品"
    assert two_of_a_kind["rma_number"] in page.locator("#scan-pending").inner_text()
    assert focused_is_scan_input(page)

    scan(page, GTIN)
    expect(page.locator("#scan-queue")).to_contain_text("2/2")
    assert page.locator("#scan-close").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ui-receive-offline-items.png"))
    scan(page, GTIN)  # the trigger held a moment too long: the same label read again
    expect(note).to_have_class(re.compile(r"\bwarn\b"))
    assert "重复扫描已忽略" in note.inner_text()
    page.wait_for_timeout(1000)  # the second T-shirt, scanned on purpose
    scan(page, GTIN)
    page.locator("#scan-close").click()
    expect(page.locator("#scan-queue")).to_contain_text("4/4")
    assert "待发送" in waiting(page)
    assert [e["kind"] for e in queued(page)] == ["parcel", "item", "item", "close"]
    assert page.locator("label[for=scan]").inner_text() == "扫描下一个包裹"
    assert page.locator("#scan-close").is_hidden()
    assert focused_is_scan_input(page)
    page.screenshot(path=str(SCREENSHOTS / "ui-receive-offline.png"))
    assert received(seed) == ([], [])

    page.context.set_offline(False)
    # The replay is under way (the parcel went, an item is on the wire): the counter
    # counts down; a second trigger and a reload half-way send nothing twice.
    expect(page.locator("#scan-queue")).to_contain_text("3/4")
    page.screenshot(path=str(SCREENSHOTS / "ui-receive-replaying.png"))
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    page.wait_for_url("**/ui/receive/parcels/*", timeout=15000)
    page.wait_for_load_state()
    assert queued(page) == []
    parcels, units = received(seed)
    assert parcels == [(two_of_a_kind["rma_number"], "closed")]
    assert len(units) == 2 and {status for _, status in units} == {"received"}
    # An item on the wire at the reload goes again after it, under the same scan_id, and is
    # counted once (whether the reload catches one on the wire is the browser's timing).
    assert len(set(slow_items)) == 2 and len(slow_items) in (2, 3)
    assert "2/2" in page.locator("ul.lines").inner_text()
    for lpn, _ in units:  # each offline item's new label can be printed from here
        assert page.locator("ul.units a.lpn", has_text=lpn).count() == 1
    page.screenshot(path=str(SCREENSHOTS / "ui-receive-replayed.png"))
    assert script_errors(page) == [], page.console_errors


def test_the_network_drops_on_the_parcel_page_and_its_items_and_close_wait(
    page, live_app, seed, make_staff, two_of_a_kind
):
    sign_in(page, make_staff("receiver"))
    scan_and_wait(page, two_of_a_kind["rma_number"])  # online: the server named the parcel
    parcel_url = page.url
    page.context.set_offline(True)
    scan(page, GTIN)
    page.wait_for_timeout(900)
    scan(page, GTIN)
    expect(page.locator("#scan-queue")).to_contain_text("2/2")
    page.locator("#close").click()  # the page's own close button, taken by the queue
    expect(page.locator("#scan-queue")).to_contain_text("3/3")
    assert page.locator("#close").is_hidden()
    assert page.locator("label[for=scan]").inner_text() == "扫描下一个包裹"
    assert [e["kind"] for e in queued(page)] == ["item", "item", "close"]
    assert received(seed)[1] == []
    page.context.set_offline(False)
    expect(page.locator("ul.lines")).to_contain_text("2/2", timeout=15000)
    assert page.url == parcel_url and queued(page) == []
    parcels, units = received(seed)
    assert parcels == [(two_of_a_kind["rma_number"], "closed")] and len(units) == 2
    assert script_errors(page) == [], page.console_errors


def test_the_next_parcels_label_scanned_offline_starts_the_next_parcel(
    page, live_app, seed, make_staff, two_of_a_kind
):
    from warehouse.stores.services import create_store

    store = seed(lambda s, c: create_store(s, c, name="宁波小店"))
    second = live_app.test_client().post(
        "/api/v1/returns",
        json=return_body(lines=[line(gtin="4006381333931", quantity=1)]),
        headers=bearer(store.api_key),
    )
    assert second.status_code == 201
    sign_in(page, make_staff("receiver"))
    page.context.set_offline(True)
    scan(page, two_of_a_kind["rma_number"])
    scan(page, GTIN)
    scan(page, second.json["rma_number"])  # no close: the next parcel's slip
    expect(page.locator("#scan-pending")).to_contain_text(second.json["rma_number"])
    scan(page, "4006381333931")
    page.locator("#scan-close").click()
    expect(page.locator("#scan-queue")).to_contain_text("5/5")
    page.context.set_offline(False)
    page.wait_for_url("**/ui/receive/parcels/*", timeout=15000)
    page.wait_for_load_state()
    assert queued(page) == []
    by_parcel = seed(units_by_parcel)
    assert by_parcel == sorted(
        [
            (two_of_a_kind["rma_number"], "open", [GTIN]),
            (second.json["rma_number"], "closed", ["4006381333931"]),
        ]
    )
    assert script_errors(page) == [], page.console_errors


def test_scans_wait_through_a_lost_session_and_go_after_sign_in(
    page, live_app, seed, make_staff, two_of_a_kind
):
    receiver = make_staff("receiver")
    sign_in(page, receiver)
    page.context.set_offline(True)
    scan(page, two_of_a_kind["rma_number"])
    scan(page, GTIN)
    expect(page.locator("#scan-queue")).to_contain_text("2/2")
    page.context.clear_cookies()  # the session ended meanwhile (idle, or the server's key)
    page.context.set_offline(False)
    page.wait_for_url("**/ui/login**", timeout=15000)
    assert "2/2" in waiting(page) and receiver.username in waiting(page)
    assert len(queued(page)) == 2
    assert received(seed)[1] == []
    page.screenshot(path=str(SCREENSHOTS / "ui-receive-signin-waiting.png"))

    scan_and_wait(page, receiver.badge_code)
    page.wait_for_url("**/ui/receive/parcels/*", timeout=15000)
    page.wait_for_load_state()
    assert queued(page) == []
    parcels, units = received(seed)
    assert parcels == [(two_of_a_kind["rma_number"], "open")] and len(units) == 1
    assert script_errors(page) == [], page.console_errors


def test_another_receiver_signing_in_does_not_send_the_first_ones_scans(
    page, live_app, seed, make_staff, two_of_a_kind
):
    first, second = make_staff("receiver"), make_staff("receiver")
    sign_in(page, first)
    page.context.set_offline(True)
    scan(page, two_of_a_kind["rma_number"])
    scan(page, GTIN)
    expect(page.locator("#scan-queue")).to_contain_text("2/2")
    page.context.clear_cookies()  # the shift changes on this handheld
    page.context.set_offline(False)
    page.wait_for_url("**/ui/login**", timeout=15000)
    scan_and_wait(page, second.badge_code)
    page.wait_for_timeout(1000)
    # The first receiver's scans wait for them (sent as someone else they would be
    # recorded under the wrong name); the screen says whose they are.
    assert first.username in waiting(page) and "2/2" in waiting(page)
    assert len(queued(page)) == 2 and received(seed) == ([], [])
    assert script_errors(page) == [], page.console_errors


def test_a_trigger_held_too_long_counts_one_item_online(
    page, live_app, seed, make_staff, two_of_a_kind, monkeypatch
):
    from scanners.guard import DoubleScanGuard
    from warehouse import flow
    from warehouse.ui import receive_views

    # A wide window, so the page change between the two reads cannot outlast it.
    monkeypatch.setattr(receive_views, "GUARD_WINDOW_MS", 5000)
    monkeypatch.setattr(flow, "ITEM_GUARD", DoubleScanGuard(5000))
    sign_in(page, make_staff("receiver"))
    scan_and_wait(page, two_of_a_kind["rma_number"])
    scan_and_wait(page, GTIN)
    scan(page, GTIN)
    page.locator("#scan-note.warn").wait_for()
    assert "重复扫描已忽略" in page.locator("#scan-note").inner_text()
    page.wait_for_timeout(300)
    assert len(received(seed)[1]) == 1
    page.screenshot(path=str(SCREENSHOTS / "ui-receive-repeat.png"))
    assert page.console_errors == []


def test_a_handheld_left_alone_returns_to_sign_in_by_itself(page, make_staff, monkeypatch):
    from warehouse.ui import web

    sign_in(page, make_staff("receiver"))
    monkeypatch.setattr(web, "IDLE_TIMEOUT", dt.timedelta(seconds=4))
    page.goto("/ui/receive")
    assert page.locator("body").get_attribute("data-idle-seconds") == "4"
    page.wait_for_timeout(2000)
    assert page.url.endswith("/ui/receive")  # not before its time
    page.wait_for_url("**/ui/login**", timeout=15000)
    assert page.locator(".banner.warn").is_visible()
    assert page.console_errors == []
