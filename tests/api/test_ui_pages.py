"""The floor UI through the Flask test client: sign-in, guards, receiving, the queue."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import uuid

import pytest
from factories import bearer, line, return_body
from sqlalchemy import func, select
from ui_helpers import csrf_of, form_fields, sign_in, submit, text

from warehouse.config import Settings
from warehouse.receiving.models import Unit
from warehouse.ui.pages import secret_key

GTIN = "6901234567892"


@pytest.fixture
def create_return(client, store):
    _, key = store

    def _create(**overrides):
        response = client.post(
            "/api/v1/returns", json=return_body(**overrides), headers=bearer(key)
        )
        assert response.status_code == 201, response.json
        return response.json

    return _create


@pytest.fixture
def receiver(signed_in):
    return signed_in("receiver")


@pytest.fixture
def supervisor(signed_in):
    return signed_in("supervisor")


# --- sign-in, sign-out and guards ---------------------------------------------------------


PAGES = ["/ui/receive", "/ui/inspect", "/ui/dispose", "/ui/exceptions", "/ui/returns"]


@pytest.mark.parametrize("page", PAGES)
def test_a_signed_out_visitor_is_sent_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response.location.startswith("/ui/login?next=")


def test_the_root_shows_sign_in_when_signed_out(client):
    assert client.get("/").location == "/ui/login"
    page = text(client.get("/ui/login"))
    assert 'name="badge"' in page and 'name="username"' in page and 'name="pin"' in page
    assert "autofocus" in page


def test_a_badge_scan_signs_in_and_lands_on_the_role_page(app, make_user):
    user = make_user("recv-badge", "receiver")
    client = app.test_client()
    response = sign_in(client, badge=user.badge_code)
    assert response.status_code == 303
    assert response.location == "/ui/receive"
    assert client.get("/").location == "/ui/receive"


def test_username_and_pin_sign_in_and_return_to_the_page_asked_for(app, make_user):
    make_user("sup-pin", "supervisor", "2468")
    client = app.test_client()
    client.get("/ui/exceptions")
    data = {"csrf_token": csrf_of(client), "username": "sup-pin", "pin": "2468"}
    response = client.post("/ui/login?next=/ui/returns", data=data)
    assert response.status_code == 303
    assert response.location == "/ui/returns"


def test_a_wrong_pin_shows_a_red_banner(app, make_user):
    make_user("recv-wrong", "receiver", "2468")
    client = app.test_client()
    response = sign_in(client, username="recv-wrong", pin="0000")
    assert response.status_code == 401
    assert 'class="banner error"' in text(response)
    assert client.get("/ui/receive").status_code == 302


def test_a_post_without_the_csrf_token_is_refused(app, make_user, receiver):
    user = make_user("recv-csrf", "receiver")
    fresh = app.test_client()
    fresh.get("/ui/login")
    assert fresh.post("/ui/login", data={"badge": user.badge_code}).status_code == 400
    response = receiver.post("/ui/receive", data={"code": "SF1234567890123"})
    assert response.status_code == 400
    assert "<html" in text(response)
    wrong = receiver.post("/ui/receive", data={"code": "X", "csrf_token": "forged"})
    assert wrong.status_code == 400


def test_a_role_without_the_permission_gets_the_403_page(signed_in):
    inspector = signed_in("inspector")
    response = inspector.get("/ui/receive")
    assert response.status_code == 403
    assert "text/html" in response.content_type
    assert inspector.get("/ui/exceptions").status_code == 403
    receiver = signed_in("receiver")
    assert receiver.get("/ui/exceptions").status_code == 403
    csrf = csrf_of(receiver, "/ui/receive")
    response = receiver.post("/ui/exceptions/x/claim", data={"csrf_token": csrf})
    assert response.status_code == 403


def test_sign_out_ends_the_session(receiver):
    response = receiver.post("/ui/logout", data={"csrf_token": csrf_of(receiver, "/ui/receive")})
    assert response.status_code == 303
    assert receiver.get("/ui/receive").status_code == 302


def test_an_idle_terminal_is_signed_out(receiver, clock):
    assert receiver.get("/ui/receive").status_code == 200
    clock.advance(minutes=31)
    assert receiver.get("/ui/receive").status_code == 302


def test_the_api_still_answers_problems_not_pages(client):
    response = client.get("/api/v1/returns")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


def test_the_language_switch_changes_every_string(receiver):
    assert "扫描包裹" in text(receiver.get("/ui/receive"))
    submit(receiver, "/ui/receive", "/ui/lang/en")
    page = text(receiver.get("/ui/receive"))
    assert "Scan a parcel" in page and "扫描包裹" not in page


def test_a_users_language_follows_them_to_another_terminal(app, make_user):
    user = make_user("polyglot", "receiver")
    first = app.test_client()
    sign_in(first, badge=user.badge_code)
    assert submit(first, "/ui/receive", "/ui/lang/en").status_code == 303
    second = app.test_client()
    assert "扫描工牌" in text(second.get("/ui/login"))  # signed out: the deployment default
    sign_in(second, badge=user.badge_code)
    page = text(second.get("/ui/receive"))
    assert "Scan a parcel" in page and "扫描包裹" not in page


def test_a_form_sent_after_an_idle_sign_out_keeps_the_users_language(app, make_user, clock):
    user = make_user("polyglot-idle", "receiver")
    first = app.test_client()
    sign_in(first, badge=user.badge_code)
    assert submit(first, "/ui/receive", "/ui/lang/en").status_code == 303
    second = app.test_client()  # another handheld, never switched itself
    sign_in(second, badge=user.badge_code)
    fields = form_fields(text(second.get("/ui/receive")))
    clock.advance(minutes=31)
    response = second.post("/ui/receive", data={**fields, "code": "SF1234567890123"})
    page = text(response)
    assert response.status_code == 401
    assert '<html lang="en">' in page and "You were signed out" in page
    assert 'name="keep:code" value="SF1234567890123"' in page


def test_the_scan_queue_still_gets_a_400_for_a_stale_form_and_keeps_its_scans(receiver, clock):
    fields = form_fields(text(receiver.get("/ui/receive")))
    clock.advance(minutes=31)
    response = receiver.post(
        "/ui/receive",
        data={**fields, "code": "SF1234567890123"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400  # scan-queue.js: "signin", the scan stays queued


def test_a_form_from_before_signing_in_again_is_offered_to_send_not_lost(app, make_user):
    user = make_user("recv-twice", "receiver")
    client = app.test_client()
    sign_in(client, badge=user.badge_code)
    stale = form_fields(text(client.get("/ui/receive")))
    sign_in(client, badge=user.badge_code)  # a new session token (another tab, say)
    response = client.post("/ui/receive", data={**stale, "code": "SF1234567890123"})
    assert response.status_code == 400
    page = text(response)
    assert "表单已过期，尚未提交。现在提交吗？" in page
    assert 'name="code" value="SF1234567890123"' in page and 'id="resend"' in page
    resend = client.post("/ui/receive", data=form_fields(page) | {"code": "SF1234567890123"})
    assert resend.status_code == 303


def test_signing_out_of_a_terminal_that_signed_itself_out_just_shows_sign_in(receiver, clock):
    fields = form_fields(text(receiver.get("/ui/receive")))
    clock.advance(minutes=31)
    response = receiver.post("/ui/logout", data=fields)
    assert response.status_code == 303 and response.location == "/ui/login"


def test_an_http_error_page_speaks_the_pages_language(receiver):
    fields = form_fields(text(receiver.get("/ui/receive")))
    response = receiver.post("/ui/receive", data={**fields, "code": "X" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    page = text(response)
    assert "提交的内容太大。" in page and "Request Entity Too Large" not in page


def test_switching_language_needs_the_forms_csrf_token(receiver):
    assert receiver.post("/ui/lang/en").status_code == 400
    assert "扫描包裹" in text(receiver.get("/ui/receive"))


def test_the_deployment_default_language_is_a_setting(database_url, tmp_path, clock):
    from warehouse.app import create_app

    app = create_app(
        Settings(database_url=database_url, data_dir=tmp_path, default_language="en"),
        clock=clock,
    )
    assert "Scan your badge" in text(app.test_client().get("/ui/login"))
    with pytest.raises(ValueError, match="WAREHOUSE_DEFAULT_LANGUAGE"):
        create_app(Settings(database_url=database_url, data_dir=tmp_path, default_language="fr"))


def test_the_secret_key_is_generated_once_private_and_shared(tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = secret_key(settings)
    assert secret_key(settings) == first and len(first) > 40
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
    assert secret_key(Settings(data_dir=tmp_path, secret_key="from-env")) == "from-env"


# --- receiving ----------------------------------------------------------------------------


def scan_parcel(client, code):
    return submit(client, "/ui/receive", "/ui/receive", code=code)


def test_a_full_receive_through_the_forms(receiver, create_return, db):
    ret = create_return(lines=[line(gtin=GTIN, quantity=1), line(sku="MUG", gtin=None)])
    response = scan_parcel(receiver, ret["rma_number"])
    assert response.status_code == 303
    parcel_page = response.location
    assert parcel_page.startswith("/ui/receive/parcels/")
    page = text(receiver.get(parcel_page))
    assert ret["rma_number"] in page and 'class="banner ok"' in page
    assert "店铺甲 Store A" in page and "7天无理由" in page
    response = submit(receiver, parcel_page, parcel_page + "/items", code=GTIN)
    assert response.status_code == 303
    page = text(receiver.get(parcel_page))
    lpn = re.search(r"已收货：(\S+?)<", page) or re.search(r"已收货：([A-Z0-9-]+)", page)
    assert 'class="banner ok"' in page and lpn
    unit = db.scalar(select(Unit))
    assert unit.lpn in page
    label = receiver.get(f"/ui/labels/units/{unit.lpn}.png")
    assert label.status_code == 200 and label.content_type == "image/png"
    response = submit(receiver, parcel_page, parcel_page + "/close")
    assert response.status_code == 303 and response.location == parcel_page
    summary = text(receiver.get(parcel_page))
    assert "短少 1" in summary and 'class="banner warn"' in summary
    assert 'action="/ui/receive"' in summary  # the next scan is the next parcel
    assert unit.lpn in summary  # its label can still be printed from here
    again = text(receiver.get(parcel_page))  # a reload shows the summary, closes nothing
    assert "短少 1" in again and "banner" not in again.split("<main>")[0].split("</header>")[1]


def test_a_resent_scan_form_replays_instead_of_counting_twice(receiver, create_return, db):
    ret = create_return(lines=[line(gtin=GTIN, quantity=2)])
    parcel_page = scan_parcel(receiver, ret["rma_number"]).location
    fields = form_fields(text(receiver.get(parcel_page)))
    for _ in range(2):
        response = receiver.post(parcel_page + "/items", data={**fields, "code": GTIN})
        assert response.status_code == 303
    assert db.scalar(select(func.count()).select_from(Unit)) == 1


def unit_count(db) -> int:
    db.rollback()  # a fresh look, not the snapshot of an earlier read
    return db.scalar(select(func.count()).select_from(Unit))


def as_queue(client, target, **data):
    """Posts as the browser's scan queue does: fetch, asking for the JSON answer."""
    fields = form_fields(text(client.get("/ui/receive")))
    return client.post(
        target,
        data={"csrf_token": fields["csrf_token"], **data},
        headers={"Accept": "application/json"},
    )


def test_the_scan_queue_learns_the_parcel_id_its_offline_items_need(
    receiver, create_return, db, clock
):
    ret = create_return(lines=[line(gtin=GTIN, quantity=2)])
    parcel_scan, first, second = (str(uuid.uuid4()) for _ in range(3))
    answer = as_queue(
        receiver, "/ui/receive", scan_id=parcel_scan, code=ret["rma_number"], replay="1"
    ).json
    parcel_id = answer["parcel_id"]
    assert answer == {
        "next": f"/ui/receive/parcels/{parcel_id}",
        "parcel_id": parcel_id,
        "items": True,
    }
    # Sent again (its first answer lost): the same parcel, not a second one.
    again = as_queue(receiver, "/ui/receive", scan_id=parcel_scan, code=ret["rma_number"])
    assert again.json == answer
    items = f"/ui/receive/parcels/{parcel_id}/items"
    for scan_id in (first, second, first):
        response = as_queue(
            receiver, items, scan_id=scan_id, code=GTIN, replay="1", scanned_ago_ms="90000"
        )
        assert response.json["next"] == answer["next"] and response.json["items"] is True
    units = db.scalars(select(Unit)).all()
    assert len(units) == 2
    # Dated when they were scanned (90 s before they arrived), by the handheld's stopwatch.
    assert {u.scanned_at.replace(tzinfo=None) for u in units} == {
        (clock.now() - dt.timedelta(seconds=90)).replace(tzinfo=None)
    }
    close = f"/ui/receive/parcels/{parcel_id}/close"
    assert as_queue(receiver, close, replay="1").json == {
        "next": answer["next"],
        "parcel_id": parcel_id,
        "items": False,
    }
    # The close replayed after its answer was lost: already closed is its own success.
    assert as_queue(receiver, close, replay="1").status_code == 200
    page = text(receiver.get(answer["next"]))
    assert 'class="banner error"' not in page and "2/2" in page
    assert unit_count(db) == 2


def test_a_refused_parcel_scan_answers_no_parcel_for_its_queued_items(receiver):
    answer = as_queue(receiver, "/ui/receive", scan_id=str(uuid.uuid4()), code="SF1234567890123")
    assert answer.json["items"] is False and answer.json["next"] == "/ui/receive"
    answer = as_queue(receiver, "/ui/receive", scan_id=str(uuid.uuid4()), code="")
    assert answer.json == {"next": "/ui/receive", "parcel_id": None, "items": False}


@pytest.mark.parametrize("ago", ["yesterday", "-5", str(8 * 24 * 3600 * 1000), "1_000", "١٢"])
def test_a_scan_age_that_is_no_age_is_refused_and_writes_nothing(receiver, create_return, db, ago):
    ret = create_return(lines=[line(gtin=GTIN)])
    parcel_page = scan_parcel(receiver, ret["rma_number"]).location
    response = submit(receiver, parcel_page, parcel_page + "/items", code=GTIN, scanned_ago_ms=ago)
    assert response.status_code == 303
    assert 'class="banner error"' in text(receiver.get(parcel_page))
    assert unit_count(db) == 0


@pytest.fixture
def guard_clock(monkeypatch):
    """The double-scan guard on a clock the test moves (nanoseconds)."""
    from scanners.guard import DoubleScanGuard
    from warehouse import flow

    now = [0]
    monkeypatch.setattr(flow, "ITEM_GUARD", DoubleScanGuard(800, clock=lambda: now[0]))
    return now


def test_a_trigger_held_too_long_counts_one_item(receiver, create_return, db, guard_clock):
    ret = create_return(lines=[line(gtin=GTIN, quantity=3)])
    parcel_page = scan_parcel(receiver, ret["rma_number"]).location
    submit(receiver, parcel_page, parcel_page + "/items", code=GTIN)
    guard_clock[0] += 300_000_000  # 0.3 s later: the same label read again
    submit(receiver, parcel_page, parcel_page + "/items", code=GTIN)
    page = text(receiver.get(parcel_page))
    assert 'class="banner warn"' in page and "重复扫描已忽略" in page
    assert unit_count(db) == 1
    guard_clock[0] += 900_000_000  # a second item of the same kind, scanned on purpose
    submit(receiver, parcel_page, parcel_page + "/items", code=GTIN)
    assert 'class="banner ok"' in text(receiver.get(parcel_page))
    assert unit_count(db) == 2


def test_queued_scans_replayed_back_to_back_are_not_taken_for_repeats(
    receiver, create_return, db, guard_clock
):
    ret = create_return(lines=[line(gtin=GTIN, quantity=2)])
    parcel_page = scan_parcel(receiver, ret["rma_number"]).location
    for _ in range(2):
        as_queue(receiver, parcel_page + "/items", scan_id=str(uuid.uuid4()), code=GTIN, replay="1")
    assert unit_count(db) == 2


def test_two_terminals_scanning_the_same_code_at_once_both_count(
    app, make_user, receiver, create_return, db, guard_clock
):
    ret = create_return(lines=[line(gtin=GTIN, quantity=2)])
    first, second = receiver, app.test_client()
    sign_in(second, badge=make_user("second-receiver", "receiver").badge_code)
    parcel_page = scan_parcel(first, ret["rma_number"]).location
    submit(first, parcel_page, parcel_page + "/items", code=GTIN)
    submit(second, parcel_page, parcel_page + "/items", code=GTIN)
    assert unit_count(db) == 2


def test_a_signed_in_page_tells_the_browser_when_it_goes_idle(receiver, client):
    assert 'data-idle-seconds="1800"' in text(receiver.get("/ui/receive"))
    assert "data-idle-seconds" not in text(client.get("/ui/login"))


def test_a_refused_parcel_scan_is_explained_in_chinese_with_its_code_as_words(receiver):
    scan_parcel(receiver, "6901234567892")  # a product's barcode, not a parcel's label
    page = text(receiver.get("/ui/receive"))
    assert "这是商品条码：请扫描包裹面单。" in page
    assert "Scanned" not in page and "gtin" not in page


def test_an_unmatched_parcel_goes_to_the_exception_shelf(receiver):
    response = scan_parcel(receiver, "SF1234567890123")
    assert response.location == "/ui/receive"
    page = text(receiver.get("/ui/receive"))
    assert 'class="banner warn"' in page and "异常货架" in page


def test_an_item_scanned_as_a_parcel_is_refused_in_the_receivers_language(receiver):
    scan_parcel(receiver, GTIN)
    page = text(receiver.get("/ui/receive"))
    assert 'class="banner error"' in page and "这是商品条码：请扫描包裹面单。" in page


def test_a_parcel_code_on_two_buyers_returns_sends_the_parcel_to_the_shelf_saying_why(
    client, receiver, create_return, make_store
):
    from factories import bearer, return_body

    create_return(tracking_number="YT7512345678901")
    _, other_key = make_store("店铺乙 Store B")
    client.post(
        "/api/v1/returns",
        json=return_body(tracking_number="YT7512345678901"),
        headers=bearer(other_key),
    )
    assert scan_parcel(receiver, "YT7512345678901").location == "/ui/receive"
    page = text(receiver.get("/ui/receive"))
    assert 'class="banner warn"' in page and "对应多个买家" in page


def test_a_wrong_item_warns_and_an_unreadable_code_is_an_error(receiver, create_return):
    ret = create_return(lines=[line(gtin=GTIN)])
    parcel_page = scan_parcel(receiver, ret["rma_number"]).location
    submit(receiver, parcel_page, parcel_page + "/items", code="4006381333931")
    page = text(receiver.get(parcel_page))
    assert 'class="banner warn"' in page and "错件" in page
    submit(receiver, parcel_page, parcel_page + "/items", code="6901234567891")
    assert 'class="banner error"' in text(receiver.get(parcel_page))


def test_an_unknown_parcel_page_is_a_404_page(receiver):
    response = receiver.get("/ui/receive/parcels/01900000-0000-7000-8000-000000000000")
    assert response.status_code == 404
    assert "<html" in text(response)


# --- the supervisor's queue ---------------------------------------------------------------


def test_a_supervisor_claims_and_matches_an_unmatched_parcel(receiver, supervisor, create_return):
    ret = create_return()
    scan_parcel(receiver, "SF1234567890123")
    page = text(supervisor.get("/ui/exceptions"))
    assert "未匹配包裹" in page
    exception_id = re.search(r'id="exc-([0-9a-f-]+)"', page).group(1)
    response = submit(supervisor, "/ui/exceptions", f"/ui/exceptions/{exception_id}/claim")
    assert response.status_code == 303
    assert "已认领" in text(supervisor.get("/ui/exceptions"))
    response = submit(
        supervisor,
        "/ui/exceptions",
        f"/ui/exceptions/{exception_id}/resolve",
        action="match",
        rma=ret["rma_number"],
        note="slip inside",
    )
    assert response.status_code == 303
    page = text(supervisor.get("/ui/exceptions"))
    assert 'class="banner ok"' in page and exception_id not in page


def test_each_exception_offers_only_its_own_actions_with_none_chosen(
    receiver, supervisor, create_return
):
    ret = create_return(lines=[line(gtin=GTIN, quantity=2)])
    parcel_page = scan_parcel(receiver, ret["rma_number"]).location
    submit(receiver, parcel_page, parcel_page + "/items", code=GTIN)
    submit(receiver, parcel_page, parcel_page + "/close")
    page = text(supervisor.get("/ui/exceptions"))
    [row] = re.findall(r'<tr id="exc-.*?</tr>', page, re.S)
    assert "短少" in row
    assert re.findall(r'<option value="([a-z_]*)"', row) == ["", "accept", "reject"]
    assert '<option value="" selected disabled>' in row
    assert 'name="rma"' not in row  # a shortage is never matched to a return


def test_matching_by_a_number_two_stores_returns_share_is_refused_never_guessed(
    client, receiver, supervisor, create_return, make_store
):
    from factories import bearer, return_body

    create_return(tracking_number="YT7512345678901")
    _, other_key = make_store("店铺乙 Store B")
    client.post(
        "/api/v1/returns",
        json=return_body(tracking_number="YT7512345678901"),
        headers=bearer(other_key),
    )
    scan_parcel(receiver, "SF1234567890123")
    exception_id = re.search(
        r'id="exc-([0-9a-f-]+)"', text(supervisor.get("/ui/exceptions"))
    ).group(1)
    action = f"/ui/exceptions/{exception_id}/resolve"
    submit(supervisor, "/ui/exceptions", action, action="match", rma="YT7512345678901", note="x")
    page = text(supervisor.get("/ui/exceptions"))
    assert 'class="banner error"' in page and "该编号对应多个退货单" in page
    assert exception_id in page


def test_a_matched_parcel_reads_as_matched_on_the_returns_timeline_not_as_normal(
    receiver, supervisor, create_return
):
    ret = create_return()
    scan_parcel(receiver, "SF1234567890123")
    exception_id = re.search(
        r'id="exc-([0-9a-f-]+)"', text(supervisor.get("/ui/exceptions"))
    ).group(1)
    submit(
        supervisor,
        "/ui/exceptions",
        f"/ui/exceptions/{exception_id}/resolve",
        action="match",
        rma=ret["rma_number"],
        note="slip inside",
    )
    story = text(supervisor.get(f"/ui/returns/{ret['id']}"))
    assert "已匹配" in story and "正常" not in story


def test_resolving_without_a_note_or_with_an_unknown_rma_is_refused(receiver, supervisor):
    scan_parcel(receiver, "SF1234567890123")
    exception_id = re.search(
        r'id="exc-([0-9a-f-]+)"', text(supervisor.get("/ui/exceptions"))
    ).group(1)
    action = f"/ui/exceptions/{exception_id}/resolve"
    submit(supervisor, "/ui/exceptions", action, action="accept", note="")
    assert 'class="banner error"' in text(supervisor.get("/ui/exceptions"))
    submit(supervisor, "/ui/exceptions", action, action="match", rma="RNOPE", note="x")
    page = text(supervisor.get("/ui/exceptions"))
    assert 'class="banner error"' in page and exception_id in page


@pytest.mark.parametrize("field", ["rma_number", "order_id", "external_id", "lpn"])
def test_returns_are_found_by_any_identifier_and_show_a_timeline(
    receiver, supervisor, create_return, field
):
    ret = create_return(lines=[line(gtin=GTIN)])
    parcel_page = scan_parcel(receiver, ret["rma_number"]).location
    submit(receiver, parcel_page, parcel_page + "/items", code=GTIN)
    submit(receiver, parcel_page, parcel_page + "/close")
    lpn = re.search(r"(LPN[0-9A-Z-]+|L[0-9A-Z]{8,})", text(receiver.get(parcel_page)))
    query = lpn.group(1) if field == "lpn" else ret[field]
    response = supervisor.get("/ui/returns", query_string={"q": query})
    assert response.status_code == 302, query
    assert response.location == f"/ui/returns/{ret['id']}"
    page = text(supervisor.get(response.location))
    assert ret["rma_number"] in page
    assert "return.received" in page and "unit.received" in page and "scan.item" in page


def test_an_unknown_identifier_is_a_red_banner(supervisor):
    page = text(supervisor.get("/ui/returns", query_string={"q": "nothing-like-it"}))
    assert 'class="banner error"' in page


def test_english_pages_show_codes_as_english_words(receiver, create_return):
    submit(receiver, "/ui/receive", "/ui/lang/en")
    ret = create_return(lines=[line(gtin=GTIN, quantity=1)])
    parcel_page = scan_parcel(receiver, ret["rma_number"]).location
    page = text(receiver.get(parcel_page))
    assert "7-day no-reason return" in page and "no_reason_7d" not in page
