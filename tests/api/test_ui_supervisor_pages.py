"""The supervisor's pages through the Flask test client: returns search and timeline, dead
letters with replay, and the dashboard with the lists and CSV files behind its figures.

Figures are checked against data made through the real services (the dock, the QC bench,
the delivery worker) and recounted from the database in Python, never against constants.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from factories import line
from inspection_fixtures import Floor
from sqlalchemy import select
from ui_helpers import csrf_of, text

from warehouse.config import Settings
from warehouse.disposition.models import Disposition
from warehouse.events.models import EventDelivery
from warehouse.events.rules import DEFAULT_POLICY
from warehouse.events.sending import FakeSender, SendResult
from warehouse.events.worker import DeliveryWorker
from warehouse.inspection.models import Inspection
from warehouse.receiving.models import Parcel, Unit
from warehouse.returns.models import Return

SHANGHAI = ZoneInfo("Asia/Shanghai")
EARBUDS_GTIN = "06901234567892"
DATA_BLOCK = re.compile(r'<script type="application/json" id="dashboard-data">(.*?)</script>', re.S)


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist()
    return floor


@pytest.fixture
def supervisor(signed_in):
    return signed_in("supervisor")


def chart_data(page: str) -> dict:
    return json.loads(DATA_BLOCK.search(page).group(1))


def local_hour(moment: dt.datetime) -> int:
    return moment.astimezone(SHANGHAI).hour


def rows_of(db, model, column) -> list:
    db.rollback()  # a fresh snapshot: see what the requests committed
    return list(db.scalars(select(column).select_from(model)))


def links(page: str, figure: str) -> str:
    """The drill-down link of one figure on the dashboard."""
    found = re.search(rf'<a href="([^"]+)" data-figure="{re.escape(figure)}"', page)
    assert found, figure
    return found.group(1).replace("&amp;", "&")


def table_rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode()), "UTF-8 BOM so Excel reads Chinese right"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_counts_each_hour_of_the_warehouses_day(floor, signed_in, clock, db):
    """08:00 UTC is 16:00 in Shanghai; 16:30 UTC is already tomorrow there."""
    bin_code = floor.bin()
    first = [floor.unit(), floor.unit()]
    floor.inspected(first[0])
    assert floor.dispose(first[0], "restock", bin=bin_code).status_code in (200, 201)
    clock.advance(hours=1)  # 09:00 UTC, 17:00 local
    floor.unit()
    clock.advance(hours=7, minutes=30)  # 16:30 UTC: 00:30 of the next local day
    floor.unit()

    supervisor = signed_in("supervisor")  # after the clock moved
    page = text(supervisor.get("/ui/dashboard?day=2026-11-02"))
    data = chart_data(page)
    assert data["hours"][0] == "00:00" and len(data["hours"]) == 24
    series = {s["key"]: s["counts"] for s in data["series"]}

    day_start = dt.datetime(2026, 11, 2, tzinfo=SHANGHAI)
    day_end = day_start + dt.timedelta(days=1)
    for key, model, column in [
        ("parcels", Parcel, Parcel.scanned_at),
        ("units", Unit, Unit.scanned_at),
        ("inspections", Inspection, Inspection.created_at),
        ("dispositions", Disposition, Disposition.created_at),
    ]:
        expected = [0] * 24
        for moment in rows_of(db, model, column):
            if day_start <= moment < day_end:
                expected[local_hour(moment)] += 1
        assert series[key] == expected, key
    assert series["parcels"][16] == 2 and series["parcels"][17] == 1
    assert sum(series["parcels"]) == 3  # the fourth parcel belongs to the next day

    today = chart_data(text(supervisor.get("/ui/dashboard")))  # now: 00:30 on 11-03
    assert sum({s["key"]: s["counts"] for s in today["series"]}["parcels"]) == 1


def test_each_hours_point_drills_down_to_that_hours_units(floor, signed_in, clock, db):
    early = floor.unit()
    clock.advance(hours=1)
    late = floor.unit()
    supervisor = signed_in("supervisor")  # after the clock moved
    page = text(supervisor.get("/ui/dashboard"))
    href = links(page, "units")
    whole_day = text(supervisor.get(href))
    assert early in whole_day and late in whole_day
    hour_16 = text(supervisor.get(href + "&hour=16"))
    assert early in hour_16 and late not in hour_16
    assert len(table_rows(hour_16)) == 1
    # each row opens its return's timeline
    rma = db.scalar(
        select(Return.rma_number).join(Unit, Unit.return_id == Return.id).where(Unit.lpn == early)
    )
    timeline = re.search(r'<a href="(/ui/returns/[0-9a-f-]+)">', hour_16).group(1)
    assert rma in text(supervisor.get(timeline))


def test_the_disposition_mix_and_its_list(floor, supervisor):
    bin_code = floor.bin()
    restocked = [floor.unit(), floor.unit()]
    for lpn in restocked:
        floor.inspected(lpn)
        assert floor.dispose(lpn, "restock", bin=bin_code).status_code in (200, 201)
    worn = floor.unit()
    photo = floor.photo(worn)
    result = floor.inspected(worn, {**_good(), "signs_of_wear": "worn"}, photo_ids=[photo])
    assert result["recommended_disposition"] != "restock"
    assert floor.dispose(worn, result["recommended_disposition"]).status_code in (200, 201)

    page = text(supervisor.get("/ui/dashboard"))
    mix = {m["href"]: m["count"] for m in chart_data(page)["mix"]}
    assert sorted(mix.values()) == [1, 2]
    restock_list = text(supervisor.get(links(page, "mix-restock")))
    assert all(lpn in restock_list for lpn in restocked) and worn not in restock_list
    other = links(page, f"mix-{result['recommended_disposition']}")
    assert worn in text(supervisor.get(other))


def test_a_refurbished_unit_counts_once_among_the_days_dispositions(floor, supervisor):
    bin_code = floor.bin()
    worn = floor.unit()
    photo = floor.photo(worn)
    floor.inspected(worn, {**_good(), "signs_of_wear": "worn"}, photo_ids=[photo])
    assert floor.dispose(worn, "refurbish").status_code == 201
    done = floor.client.post(
        f"/api/v1/units/{worn}/refurbish/complete",
        json={"outcome": "restock", "bin": bin_code},
        headers=floor.inspector,
    )
    assert done.status_code == 200, done.json
    page = text(supervisor.get("/ui/dashboard"))
    data = chart_data(page)
    assert [m["count"] for m in data["mix"]] == [1]
    assert sum({s["key"]: s["counts"] for s in data["series"]}["dispositions"]) == 1
    assert len(table_rows(text(supervisor.get(links(page, "dispositions"))))) == 1


def test_the_timeline_and_the_units_list_show_a_units_state_now(floor, supervisor, signed_in, db):
    bin_code = floor.bin()
    lpn = floor.unit()
    floor.inspected(lpn)
    assert floor.dispose(lpn, "restock", bin=bin_code).status_code == 201
    return_id = db.scalar(select(Unit.return_id).where(Unit.lpn == lpn))
    timeline = text(supervisor.get(f"/ui/returns/{return_id}"))
    assert re.search(rf'data-state="restocked">{lpn} .*已上架', timeline)
    listed = text(supervisor.get(links(text(supervisor.get("/ui/dashboard")), "units")))
    csv_url = re.search(r'href="([^"]+)" download', listed).group(1).replace("&amp;", "&")
    header, *rows = read_csv(supervisor.get(csv_url))
    [row] = [row for row in rows if lpn in row]
    assert row[header.index("状态")] == "已上架"
    parcel_id = db.scalar(select(Unit.parcel_id).where(Unit.lpn == lpn))
    parcel_page = text(signed_in("receiver").get(f"/ui/receive/parcels/{parcel_id}"))
    assert re.search(rf'{lpn}</a>\s*<small>[^<]*<span class="state">已上架', parcel_page)


def test_a_scrap_reason_in_the_dispositions_list_is_a_word(floor, supervisor):
    lpn = floor.unit()
    floor.inspected(lpn)
    answer = floor.dispose(lpn, "scrap", reason="hygiene", headers=floor.supervisor)
    assert answer.status_code in (200, 201), answer.json
    listed = text(supervisor.get("/ui/dashboard/lists/activity?kind=dispositions"))
    [row] = table_rows(listed)
    assert "卫生原因" in row and "hygiene" not in row


def _good() -> dict:
    from inspection_fixtures import GOOD_APPAREL

    return dict(GOOD_APPAREL)


def test_open_exceptions_by_kind_and_serial_swaps_drill_down(floor, supervisor):
    floor.client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "SF1234567890123"},
        headers=floor.receiver,
    )
    ret = floor.create_return(
        [line(sku="EARBUDS", gtin=EARBUDS_GTIN, serial_numbers=["SN8842A1X"])]
    )
    (swapped,) = floor.receive(ret, ["]C1010690123456789221SNFAKE0001"], close=False)

    page = text(supervisor.get("/ui/dashboard"))
    unmatched = text(supervisor.get(links(page, "exceptions-unmatched_parcel")))
    assert len(table_rows(unmatched)) == 1
    swaps_list = text(supervisor.get(links(page, "exceptions-serial_mismatch")))
    assert ret["rma_number"] in swaps_list
    swaps = re.search(r'data-figure="serial-swaps"><span>[^<]*</span><b>(\d+)</b>', page)
    assert swaps.group(1) == "1"
    listed = text(supervisor.get(links(page, "serial-swaps")))
    assert swapped in listed and "SNFAKE0001" in listed


def test_the_exception_queue_shows_details_as_words_and_times_on_the_local_clock(floor, supervisor):
    floor.client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "SF1234567890123"},
        headers=floor.receiver,
    )
    ret = floor.create_return(
        [
            line(
                sku="EARBUDS",
                gtin=EARBUDS_GTIN,
                quantity=2,
                serial_numbers=["SN8842A1X", "SN8842A1Y"],
            ),
            line(sku="TEE", gtin=None, quantity=2),
        ]
    )
    floor.receive(ret, ["]C1010690123456789221SNFAKE0001", "TEE"])  # a swap; a tee short

    page = text(supervisor.get("/ui/exceptions"))
    queue = page.split('<table class="queue">', 1)[1]
    for raw in ("scanned", "missing", "parcel_code", "expected_serials", "sku:", "[&#39;", "sf<"):
        assert raw not in queue, raw
    assert "应有序列号: SN8842A1X, SN8842A1Y" in queue
    assert "短少数量: 1" in queue and "应收数量: 2" in queue and "已收数量: 1" in queue
    assert "承运商: SF" in queue
    assert "2026-11-02 16:00" in queue and "08:00" not in queue  # 08:00 UTC is 16:00 there


def test_an_unmatched_parcels_rows_open_the_queue_where_it_is_matched(floor, supervisor):
    floor.client.post(
        "/api/v1/parcels/scan",
        json={"scan_id": str(uuid.uuid4()), "code": "SF1234567890123"},
        headers=floor.receiver,
    )
    page = text(supervisor.get("/ui/dashboard"))
    for figure in ("exceptions-unmatched_parcel", "parcels"):
        [row] = table_rows(text(supervisor.get(links(page, figure))))
        assert '<a href="/ui/exceptions">' in row, figure


def test_a_matched_parcel_reads_matched_not_normal(floor, supervisor):
    ret = floor.create_return([line(sku="A1", gtin=None)])
    floor.receive(ret, ["A1"])
    listed = text(supervisor.get("/ui/dashboard/lists/activity?kind=parcels"))
    assert "已匹配" in listed and "正常" not in listed


def test_returns_near_and_past_their_deadline(floor, signed_in, clock):
    soon = floor.create_return([line(sku="A1", gtin=None)])
    floor.receive(soon, ["A1"])
    clock.advance(hours=10)
    later = floor.create_return([line(sku="B1", gtin=None)])
    floor.receive(later, ["B1"])
    clock.advance(hours=40)  # soon is due at +48 h: 2 h ago; later is due in 8 h
    supervisor = signed_in("supervisor")  # after the clock moved
    page = text(supervisor.get("/ui/dashboard"))
    past = text(supervisor.get(links(page, "deadline-past")))
    near = text(supervisor.get(links(page, "deadline-near")))
    assert soon["rma_number"] in past and later["rma_number"] not in past
    assert later["rma_number"] in near and soon["rma_number"] not in near


def test_each_deadline_row_opens_its_return_and_says_what_decides_it(floor, signed_in, clock, db):
    ret = floor.create_return([line(sku="A1", gtin=None, quantity=2), line(sku="B1", gtin=None)])
    floor.receive(ret, ["A1", "B1"])  # one A1 short; two units to inspect
    clock.advance(hours=40)  # due in 8 h
    supervisor = signed_in("supervisor")  # after the clock moved
    near = text(supervisor.get(links(text(supervisor.get("/ui/dashboard")), "deadline-near")))
    [row] = table_rows(near)
    assert "短少 1 件：接受或拒绝短少。" in row and "还有 2 件商品未质检。" in row
    timeline_url = f"/ui/returns/{ret['id']}"
    assert f'<a href="{timeline_url}">{ret["rma_number"]}</a>' in row  # the row opens it
    timeline = text(supervisor.get(timeline_url))
    to_decide = timeline.split('id="to-decide"', 1)[1].split("</section>", 1)[0]
    assert "短少 1 件：接受或拒绝短少。" in to_decide and "还有 2 件商品未质检。" in to_decide

    csv_url = re.search(r'href="([^"]+)" download', near).group(1).replace("&amp;", "&")
    header, *rows = read_csv(supervisor.get(csv_url))
    assert header[-1] == "待完成事项" and "还有 2 件商品未质检。" in rows[0][-1]


def test_returns_by_sku_and_reason_with_their_shares(floor, supervisor):
    floor.create_return([line(sku="TEE-BLK", gtin=None, quantity=3)], reason="quality_issue")
    floor.create_return([line(sku="TEE-BLK", gtin=None), line(sku="MUG", gtin=None)])
    page = text(supervisor.get("/ui/dashboard"))
    cells = r'</a></td><td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)%'
    tee = re.search(">TEE-BLK" + cells, page)
    assert tee.groups() == ("4", "2", "80")  # 4 of the day's 5 units, on 2 returns
    sku_list = text(supervisor.get(links(page, "sku")))
    assert len(table_rows(sku_list)) == 2
    quality = text(supervisor.get(links(page, "reason-quality_issue")))
    assert len(table_rows(quality)) == 1 and "质量问题" in quality


def test_a_buyer_with_five_returns_in_30_days_is_flagged(floor, signed_in, clock):
    for _ in range(4):
        floor.create_return([line(gtin=None)], buyer={"id": "buyer-often", "name": "王*"})
        clock.advance(days=5)
    supervisor = signed_in("supervisor")  # after the clock moved
    page = text(supervisor.get("/ui/dashboard"))
    assert "buyer-often" not in page
    floor.create_return([line(gtin=None)], buyer={"id": "buyer-often", "name": "王*"})
    page = text(supervisor.get("/ui/dashboard"))
    assert "buyer-often" in page
    flagged = text(supervisor.get(links(page, "flagged")))
    buyer_list = re.search(r'<a href="([^"]*lists/buyer[^"]*)">', flagged).group(1)
    assert len(table_rows(text(supervisor.get(buyer_list.replace("&amp;", "&"))))) == 5


def test_each_list_downloads_as_csv_for_excel(floor, supervisor, store):
    floor.create_return([line(sku="TEE", gtin=None)], buyer={"id": "=HYPERLINK(1)", "name": "李*"})
    floor.create_return([line(sku="TEE", gtin=None)])
    page = text(supervisor.get("/ui/dashboard"))
    list_url = links(page, "sku")
    listed = text(supervisor.get(list_url))
    csv_url = re.search(r'href="([^"]+)" download', listed).group(1).replace("&amp;", "&")
    response = supervisor.get(csv_url)
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:3] == ["时间", "退货单号", "店铺"]
    assert len(rows) == len(table_rows(listed)) == 2
    assert {row[2] for row in rows} == {"店铺甲 Store A"}
    assert "'=HYPERLINK(1)" in [row[4] for row in rows]  # never run as a formula
    assert {row[5] for row in rows} == {"7天无理由"}


@pytest.mark.parametrize(
    "path",
    [
        "/ui/dashboard?day=yesterday",
        "/ui/dashboard?day=9999-12-31",
        "/ui/dashboard?day=0001-01-01",
        "/ui/dashboard/lists/activity",
        "/ui/dashboard/lists/activity?kind=parcels&hour=99",
        "/ui/dashboard/lists/activity?kind=parcels&hour=1_6",
        "/ui/dashboard/lists/activity?kind=parcels&hour=%D9%A1",
        "/ui/dashboard/lists/deadlines?which=soonish",
        "/ui/dashboard/lists/buyer?store_id=nope&buyer_id=x",
        "/ui/dashboard/lists/sku.csv",
    ],
)
def test_bad_filters_are_an_error_page_not_a_crash(supervisor, path):
    response = supervisor.get(path)
    assert response.status_code == 422
    assert "<html" in text(response)


def test_an_unknown_list_is_not_found(supervisor):
    assert supervisor.get("/ui/dashboard/lists/salaries").status_code == 404
    assert supervisor.get("/ui/dashboard/lists/salaries.csv").status_code == 404


PAGES = [
    "/ui/dashboard",
    "/ui/dashboard/lists/reason",
    "/ui/dashboard/lists/reason.csv",
    "/ui/deadletters",
]


@pytest.mark.parametrize("role", ["receiver", "inspector"])
def test_only_supervisors_see_the_supervisors_pages(signed_in, client, role):
    staff = signed_in(role)
    for path in [*PAGES, "/ui/returns?q=x"]:
        assert staff.get(path).status_code == 403, path
        assert client.get(path).status_code == 302, path  # signed out: to sign-in
    csrf = csrf_of(staff, "/ui/login")
    target = f"/ui/deadletters/{uuid.uuid4()}/replay"
    assert staff.post(target, data={"csrf_token": csrf}).status_code == 403


def test_the_time_zone_is_a_setting(database_url, tmp_path, clock):
    from warehouse.app import create_app

    with pytest.raises(ValueError, match="WAREHOUSE_TIMEZONE"):
        create_app(Settings(database_url=database_url, data_dir=tmp_path, timezone="Mars/Base"))
    assert Settings.from_env({"WAREHOUSE_TIMEZONE": "Europe/Berlin"}).timezone == "Europe/Berlin"


def test_a_day_in_another_time_zone_starts_at_its_own_midnight(
    database_url, tmp_path, clock, make_store
):
    from warehouse.app import create_app
    from warehouse.reports.periods import Day

    app = create_app(
        Settings(database_url=database_url, data_dir=tmp_path, timezone="America/New_York"),
        clock=clock,
    )
    zone = app.config["WAREHOUSE_TIMEZONE"]
    assert Day.containing(clock.now(), zone).start == dt.datetime(2026, 11, 2, 5, tzinfo=dt.UTC)
    # the day the clocks went back has 25 hours
    assert len(Day.of(dt.date(2026, 11, 1), zone).hour_labels()) == 25
    app.extensions["warehouse.engine"].dispose()


# --- returns search and timeline -------------------------------------------------------------


def test_a_buyer_id_with_several_returns_lists_them(floor, supervisor):
    first = floor.create_return([line(gtin=None)], buyer={"id": "buyer-777", "name": "赵*"})
    second = floor.create_return([line(gtin=None)], buyer={"id": "buyer-777", "name": "赵*"})
    response = supervisor.get("/ui/returns", query_string={"q": "buyer-777"})
    assert response.status_code == 200
    page = text(response)
    assert first["rma_number"] in page and second["rma_number"] in page
    assert f"/ui/returns/{first['id']}" in page


def test_a_tracking_number_finds_its_return(floor, supervisor):
    ret = floor.create_return([line(gtin=None)], carrier="SF", tracking_number="SF1400123456789")
    for q in ("SF1400123456789", "1400123456789", ret["external_id"]):
        response = supervisor.get("/ui/returns", query_string={"q": q})
        assert response.location == f"/ui/returns/{ret['id']}", q


def test_the_timeline_has_scans_inspection_photos_decision_refund_and_webhook_attempts(
    app, floor, signed_in, clock, make_store, client
):
    from factories import bearer

    _, hooked_key = make_store("杭州小店", webhook_url="https://shop.example/hooks")
    floor.store = bearer(hooked_key)  # returns of a store with a webhook endpoint
    bin_code = floor.bin()
    lpn = floor.unit()
    photo = floor.photo(lpn)
    floor.inspected(lpn, photo_ids=[photo])
    assert floor.dispose(lpn, "restock", bin=bin_code).status_code in (200, 201)

    sender = FakeSender()
    calls = iter([SendResult(503, excerpt="busy")])
    sender.answer = lambda _request: next(calls, SendResult(200, excerpt="ok"))
    worker = DeliveryWorker(
        app.extensions["warehouse.sessions"], sender, clock, concurrency=1, rng=random.Random(1)
    )
    for _ in range(3):
        worker.run_until_idle()
        clock.advance(seconds=DEFAULT_POLICY.max_ceiling.total_seconds())

    unit = client.get(f"/api/v1/units/{lpn}", headers=floor.supervisor).json
    return_id = unit.get("return_id") or unit["unit"]["return_id"]
    supervisor = signed_in("supervisor")  # after the clock moved
    page = text(supervisor.get(f"/ui/returns/{return_id}"))
    order = [m for m in re.findall(r'data-what="([^"]+)"', page)]
    for what in (
        "scan.parcel",
        "scan.item",
        "unit.inspected",
        "unit.disposed",
        "refund.requested",
        "return.received",
        "webhook.attempt",
    ):
        assert what in order, what
    assert order.index("scan.parcel") < order.index("unit.inspected") < order.index("unit.disposed")
    attempts = re.findall(
        r'<li class="entry (\w*)" data-what="webhook.attempt">(.*?)</li>', page, re.S
    )
    assert attempts[0][0] == "error" and "503" in attempts[0][1]
    assert attempts[1][0] == "ok" and "200" in attempts[1][1]
    assert all(re.search(r": \d+</span>", body) for _, body in attempts)  # latency in ms
    thumb = re.search(r'<img src="(/ui/returns/photos/[0-9a-f-]+/thumbnail)"', page).group(1)
    full = re.search(r'<a href="(/ui/returns/photos/[0-9a-f-]+)" target="_blank"', page).group(1)
    for url in (thumb, full):
        response = supervisor.get(url)
        assert response.status_code == 200 and response.content_type == "image/jpeg"


# --- dead letters ----------------------------------------------------------------------------


def make_dead_letters(app, floor, clock, make_store, count_per_store=(2, 1)):
    """Returns of two hooked stores whose endpoints fail for a whole day."""
    from factories import bearer

    stores = []
    for n, count in enumerate(count_per_store):
        store_id, key = make_store(f"店铺{n}", webhook_url=f"https://s{n}.example/hooks")
        for _ in range(count):
            sku = f"SKU-{uuid.uuid4().hex[:6]}"
            ret = floor.create_return([line(sku=sku, gtin=None)], headers=bearer(key))
            floor.receive(ret, [sku])  # return.received, for the store's endpoint
        stores.append(store_id)
    sender = FakeSender()
    sender.answer = lambda _request: SendResult(502, excerpt="<html>Bad gateway</html>")
    worker = DeliveryWorker(
        app.extensions["warehouse.sessions"], sender, clock, concurrency=2, rng=random.Random(0)
    )
    for _ in range(40):
        worker.run_until_idle()
        clock.advance(seconds=DEFAULT_POLICY.max_ceiling.total_seconds())
    return stores, sender


def test_dead_letters_are_listed_with_their_last_error_and_log(
    app, floor, clock, make_store, signed_in, db
):
    make_dead_letters(app, floor, clock, make_store)
    dead = list(db.scalars(select(EventDelivery).where(EventDelivery.status == "dead")))
    assert dead
    supervisor = signed_in("supervisor")  # after the clock moved
    page = text(supervisor.get("/ui/deadletters"))
    for d in dead:
        assert f'id="dl-{d.event_id}"' in page
    assert "<strong>退货已收货</strong> <code>return.received</code>" in page  # type as words
    detail = text(supervisor.get(f"/ui/deadletters/{dead[0].event_id}"))
    assert "HTTP 502" in detail and "&lt;html&gt;Bad gateway" in detail
    attempts = re.findall(r'<tr class="error"><td data-label="#">(\d+)</td>', detail)
    assert len(attempts) == dead[0].attempts
    dashboard = text(supervisor.get("/ui/dashboard"))
    figure = re.search(r'data-figure="dead-letters"><span>[^<]*</span><b>(\d+)</b>', dashboard)
    assert figure.group(1) == str(len(dead))


def test_a_supervisor_replays_one_dead_letter(app, floor, clock, make_store, signed_in, db):
    make_dead_letters(app, floor, clock, make_store)
    event_id = db.scalar(select(EventDelivery.event_id).where(EventDelivery.status == "dead"))
    supervisor = signed_in("supervisor")  # after the clock moved
    csrf = csrf_of(supervisor, "/ui/deadletters")
    response = supervisor.post(f"/ui/deadletters/{event_id}/replay", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert 'class="banner ok"' in text(supervisor.get("/ui/deadletters"))
    db.rollback()  # a fresh snapshot: see what the requests committed
    assert db.get(EventDelivery, event_id).status == "pending"
    again = supervisor.post(f"/ui/deadletters/{event_id}/replay", data={"csrf_token": csrf})
    assert again.status_code == 303
    assert 'class="banner error"' in text(supervisor.get(again.location))


def test_replaying_a_store_queues_only_that_stores_dead_letters(
    app, floor, clock, make_store, signed_in, db
):
    (first, second), _ = make_dead_letters(app, floor, clock, make_store)
    supervisor = signed_in("supervisor")  # after the clock moved
    csrf = csrf_of(supervisor, "/ui/deadletters")
    response = supervisor.post(
        "/ui/deadletters/replay", data={"csrf_token": csrf, "store_id": str(first)}
    )
    assert response.status_code == 303
    db.rollback()  # a fresh snapshot: see what the requests committed
    by_store = {}
    for d in db.scalars(select(EventDelivery)):
        by_store.setdefault(d.store_id, set()).add(d.status)
    assert by_store[first] == {"pending"} and by_store[second] == {"dead"}
    page = text(supervisor.get("/ui/deadletters"))
    assert 'class="banner ok"' in page
    bad = supervisor.post("/ui/deadletters/replay", data={"csrf_token": csrf, "store_id": "nope"})
    assert bad.status_code == 303
    assert 'class="banner error"' in text(supervisor.get("/ui/deadletters"))


def test_a_store_whose_endpoint_refuses_every_post_shows_before_anything_dies(
    app, floor, clock, make_store, signed_in, db
):
    """Failing for three hours: nothing is dead yet, yet the supervisor sees the store, since
    when (local time), its last error and how many of its events wait."""
    from factories import bearer

    store_id, key = make_store("失败小店", webhook_url="https://down.example/hooks")
    for _ in range(2):
        sku = f"SKU-{uuid.uuid4().hex[:6]}"
        floor.receive(floor.create_return([line(sku=sku, gtin=None)], headers=bearer(key)), [sku])
    first_try = clock.now()
    sender = FakeSender()
    sender.answer = lambda _request: SendResult(502, excerpt="Bad gateway")
    worker = DeliveryWorker(
        app.extensions["warehouse.sessions"], sender, clock, concurrency=2, rng=random.Random(0)
    )
    for _ in range(3):
        worker.run_until_idle()
        clock.advance(hours=1)
    db.rollback()
    pending = list(db.scalars(select(EventDelivery).where(EventDelivery.store_id == store_id)))
    assert {d.status for d in pending} == {"pending"} and sender.sent

    supervisor = signed_in("supervisor")  # after the clock moved
    since = first_try.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    for path in ("/ui/dashboard", "/ui/deadletters"):
        page = text(supervisor.get(path))
        row = re.search(rf'<tr data-store="{store_id}">(.*?)</tr>', page, re.S)
        assert row, path
        assert "失败小店" in row.group(1) and since in row.group(1) and "HTTP 502" in row.group(1)
        waiting = re.search(r'<td class="num">(\d+)</td>', row.group(1)).group(1)
        assert waiting == str(len(pending)), path
    dashboard = text(supervisor.get("/ui/dashboard"))
    figure = r'data-figure="failing-webhooks"><span>[^<]*</span><b>(\d+)</b>'
    assert re.search(figure, dashboard).group(1) == "1"
    dead = r'data-figure="dead-letters"><span>[^<]*</span><b>(\d+)</b>'
    assert re.search(dead, dashboard).group(1) == "0"

    sender.answer = lambda _request: SendResult(200, excerpt="ok")  # the store fixed it
    for _ in range(3):
        worker.run_until_idle()
        clock.advance(hours=1)
    supervisor = signed_in("supervisor")  # after the clock moved
    assert re.search(figure, text(supervisor.get("/ui/dashboard"))).group(1) == "0"
    assert f'data-store="{store_id}"' not in text(supervisor.get("/ui/deadletters"))


# --- cost at a million returns ---------------------------------------------------------------


def test_the_awaiting_filter_matches_the_services_statuses():
    from warehouse.returns.models import AWAITING_DECISION_SQL
    from warehouse.returns.rules import AWAITING_DECISION

    listed = set(re.findall(r"'(\w+)'", AWAITING_DECISION_SQL))
    assert listed == {str(s) for s in AWAITING_DECISION}


def plans_of_the_dashboards_queries(app, supervisor) -> list[tuple[str, str]]:
    """Every SELECT the dashboard page runs, with its query plan on this database."""
    from sqlalchemy import event

    engine = app.extensions["warehouse.engine"]
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert supervisor.get("/ui/dashboard").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:  # the planner must be able to use an index, whatever the table sizes
            conn.exec_driver_sql("SET enable_seqscan = off")
        prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        for statement, parameters in seen:
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            plans.append((statement, "\n".join(str(r[-1]) for r in rows)))
    return plans


def test_no_figure_reads_a_whole_table_of_returns_or_work(app, supervisor):
    """Each figure is bounded by an index (the day, open exceptions, undecided returns), so
    the dashboard costs the same at a hundred returns or a million."""
    big_tables = (
        "returns",
        "return_lines",
        "parcels",
        "units",
        "inspections",
        "dispositions",
        "receiving_exceptions",
        "event_deliveries",
    )
    figures = [
        (statement, plan)
        for statement, plan in plans_of_the_dashboards_queries(app, supervisor)
        if any(f"FROM {t}" in statement for t in big_tables)
    ]
    assert len(figures) >= 10
    for statement, plan in figures:
        for table in big_tables:
            assert f"Seq Scan on {table} " not in plan + " ", (statement, plan)
            assert not re.search(rf"^SCAN {table}\b(?! USING)", plan, re.M), (statement, plan)
