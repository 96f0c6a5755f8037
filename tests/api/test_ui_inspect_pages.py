"""The Inspect and Dispose pages and the refurbish queue, through the Flask test client:
what the inspector sees, what confirming records, and every refusal as a red banner."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import re

import pytest
from inspection_fixtures import GOOD_APPAREL, Floor, image_bytes
from sqlalchemy import select
from ui_helpers import form_fields, sign_in, text

from scanners import codes
from warehouse.config import Settings
from warehouse.disposition.models import Disposition, Refurbishment
from warehouse.inspection.models import Inspection, Photo, UnitStatus
from warehouse.inspection.photos import DiskPhotoStorage

WORN = {**GOOD_APPAREL, "signs_of_wear": "worn"}  # grade C, 30 % deduction: refurbish


@pytest.fixture
def settings(database_url, tmp_path):
    """English pages, so the tests read as the English strings they check."""
    return Settings(database_url=database_url, data_dir=tmp_path / "data", default_language="en")


@pytest.fixture
def floor(app, client, store, staff_token):
    floor = Floor(app, client, store, staff_token)
    floor.checklist("apparel")
    return floor


@pytest.fixture
def inspector(signed_in):
    return signed_in("inspector")


@pytest.fixture
def supervisor(signed_in):
    return signed_in("supervisor")


def scan(client, page: str, target: str | None = None, **data):
    """Loads `page` and posts its scan form (to `target`, else the page itself), as a
    scanner's Enter does; follows redirects."""
    html = text(client.get(page))
    start = html.index('class="scan"')
    form = html[start : html.index("</form>", start)]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return client.post(target or page, data={**fields, **data}, follow_redirects=True)


def checked(html: str) -> dict[str, str]:
    """The radio buttons a page has checked: {field name: value}."""
    found = re.findall(r'<input type="radio" name="([^"]+)" value="([^"]+)" checked', html)
    return dict(found)


def form_of(html: str, action: str) -> dict:
    """Every hidden field, checked radio button and text area of the form posting to
    `action`, as a browser sends them (radio defaults included)."""
    start = html.index(f'action="{action}"')
    form = html[start : html.index("</form>", start)]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    for name, value in checked(form).items():
        fields.setdefault(name, []).append(value)
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        fields.setdefault(name, []).append(value)
    return fields


def banner(html: str) -> tuple[str, str] | None:
    found = re.search(r'<div class="banner (\w+)" role="status">([^<]*)', html)
    return (found.group(1), found.group(2).strip()) if found else None


def open_checklist(client, lpn: str):
    response = scan(client, "/ui/inspect", lpn=lpn)
    assert response.status_code == 200
    assert response.request.path == f"/ui/inspect/units/{lpn}", text(response)
    return text(response)


def check(client, lpn: str, page: str, *, files=None, **answers):
    """Posts the checklist form as shown, with `answers` changed and photo files added."""
    data = form_of(page, f"/ui/inspect/units/{lpn}/check")
    for key, value in answers.items():
        data[f"a.{key}"] = [value]
    for field, content in (files or {}).items():
        data[field] = [(io.BytesIO(c), f"photo{n}.jpg") for n, c in enumerate(content)]
    return client.post(
        f"/ui/inspect/units/{lpn}/check", data=data, content_type="multipart/form-data"
    )


def confirm(client, lpn: str, result_page: str):
    data = form_of(result_page, f"/ui/inspect/units/{lpn}/confirm")
    return client.post(f"/ui/inspect/units/{lpn}/confirm", data=data, follow_redirects=True)


def inspections(floor) -> list[Inspection]:
    session = floor.app.extensions["warehouse.sessions"]()
    try:
        return list(session.scalars(select(Inspection)))
    finally:
        session.close()


# --- inspect ---------------------------------------------------------------------------------


def test_a_scanned_lpn_shows_the_unit_and_its_checklist_with_all_fine_preselected(floor, inspector):
    lpn = floor.unit(reason_detail="袖口有线头，不想要了")
    page = open_checklist(inspector, lpn)
    assert "纯棉T恤 黑色 M" in page and lpn in page
    assert "袖口有线头，不想要了" in page  # the buyer's own words
    assert "<strong>7-day no-reason return</strong>" in page  # the return's reason
    assert checked(page) == {
        "a.tags_attached": "yes",
        "a.signs_of_wear": "none",
        "a.stains": "no",
        "a.packaging_intact": "yes",
    }
    assert 'enctype="multipart/form-data"' in page
    assert re.search(
        r'type="file" name="photos" accept="image/\*" capture="environment" multiple', page
    )


def test_the_happy_path_is_scan_next_confirm_and_records_the_inspection(floor, inspector):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    result = check(inspector, lpn, page)
    assert result.status_code == 200
    shown = text(result)
    assert re.search(r'class="grade">A\b', shown)
    assert 'class="route">restock<' in shown
    assert "like new" in shown  # a code with no English text, spelled out
    assert "0.00 CNY" in shown
    assert inspections(floor) == []  # nothing is recorded before Confirm

    done = confirm(inspector, lpn, shown)
    assert done.request.path == "/ui/inspect"
    assert banner(text(done))[0] == "ok"
    assert lpn in banner(text(done))[1]
    assert re.search(r'class="scan-input" autofocus', text(done))
    [recorded] = inspections(floor)
    assert recorded.grade == "A" and recorded.recommended_disposition == "restock"
    assert floor.where(lpn)["state"] == "inspected"
    # The last unit of the return: the store is told, and the refund is decided.
    assert len(floor.events("return.inspected")) == 1
    assert len(floor.events("return.refund_requested")) == 1


def test_a_checklist_version_in_superscript_digits_is_no_crash_on_confirm(floor, inspector):
    lpn = floor.unit()
    shown = text(check(inspector, lpn, open_checklist(inspector, lpn)))
    data = form_of(shown, f"/ui/inspect/units/{lpn}/confirm")
    data["version"] = ["¹"]  # "¹".isdigit() is true; int("¹") raises
    done = inspector.post(f"/ui/inspect/units/{lpn}/confirm", data=data, follow_redirects=True)
    assert done.status_code == 200
    assert banner(text(done))[0] == "ok"
    assert len(inspections(floor)) == 1


def test_a_worn_unit_with_a_photo_shows_grade_deduction_and_route_before_confirming(
    floor, inspector
):
    lpn = floor.unit(unit_price=9900)
    page = open_checklist(inspector, lpn)
    result = check(inspector, lpn, page, signs_of_wear="worn", files={"photos": [image_bytes()]})
    shown = text(result)
    assert result.status_code == 200, shown
    assert re.search(r'class="grade">C\b', shown)
    assert "29.70 CNY" in shown  # 30 % of 99.00, by the service's rule
    assert "Signs of wear" in shown
    assert floor.count(Photo) == 1
    assert "/ui/photos/" in shown  # the photo is shown back as a thumbnail
    thumb = re.search(r'src="(/ui/photos/[^"]+/thumbnail)"', shown).group(1)
    assert inspector.get(thumb).content_type == "image/jpeg"

    done = confirm(inspector, lpn, shown)
    assert banner(text(done))[0] == "ok"
    [recorded] = inspections(floor)
    assert recorded.grade == "C" and recorded.deduction_amount == 2970
    assert len(recorded.photo_ids) == 1


def test_a_photo_taken_for_a_photo_item_is_its_answer(floor, inspector):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    assert re.search(
        r'type="file" name="p.photo_front" accept="image/\*" capture="environment"', page
    )
    shown = text(check(inspector, lpn, page, files={"p.photo_front": [image_bytes()]}))
    confirm(inspector, lpn, shown)
    [recorded] = inspections(floor)
    [photo_id] = recorded.answers["photo_front"]
    assert recorded.photo_ids == [photo_id]


def test_change_goes_back_to_the_form_with_the_answers_and_photos_kept(floor, inspector):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    shown = text(check(inspector, lpn, page, stains="yes", files={"photos": [image_bytes()]}))
    data = form_of(shown, f"/ui/inspect/units/{lpn}/confirm")
    back = inspector.post(f"/ui/inspect/units/{lpn}/edit", data=data)
    again = text(back)
    assert checked(again)["a.stains"] == "yes"
    assert len(re.findall(r'name="photo_id"', again)) == 1
    assert inspections(floor) == []


def test_a_deduction_without_a_photo_comes_back_on_the_form_and_records_nothing(floor, inspector):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    response = check(inspector, lpn, page, signs_of_wear="worn")
    assert response.status_code == 422
    shown = text(response)
    assert banner(shown) == ("error", "A deduction needs evidence: attach a photo of the damage.")
    assert checked(shown)["a.signs_of_wear"] == "worn"  # the answer is kept
    assert inspections(floor) == []


def test_a_checklist_edited_before_confirm_sends_the_inspector_back_to_it(floor, inspector):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    shown = text(check(inspector, lpn, page))
    current = floor.client.get("/api/v1/checklists?category=apparel", headers=floor.supervisor)
    checklist = current.json["items"][0]
    items = [*checklist["items"][:-1]]  # a supervisor drops the notes item meanwhile
    edited = floor.client.put(
        f"/api/v1/checklists/{checklist['id']}",
        json={"name": "apparel QC", "category": "apparel", "items": items, "version": 1},
        headers=floor.supervisor,
    )
    assert edited.status_code == 200, edited.json
    done = confirm(inspector, lpn, shown)
    assert done.request.path == f"/ui/inspect/units/{lpn}"
    assert banner(text(done)) == ("error", "The checklist changed meanwhile: answer it again.")
    assert "v2" in text(done)
    assert inspections(floor) == []


def test_a_number_that_is_no_number_is_marked_by_its_item(floor, inspector):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    response = check(inspector, lpn, page, chest_cm="wide")
    assert response.status_code == 422
    assert re.search(r'has-error" id="item-chest_cm"', text(response))
    assert inspections(floor) == []


def test_an_unknown_lpn_is_a_red_banner_with_the_scan_input_focused(floor, inspector):
    response = scan(inspector, "/ui/inspect", lpn="LPNB2SYBVAT6E")
    assert response.request.path == "/ui/inspect"
    assert banner(text(response)) == ("error", "No unit with that LPN.")
    assert re.search(r'class="scan-input" autofocus', text(response))


def test_an_inspected_unit_is_refused_to_an_inspector(floor, inspector):
    lpn = floor.unit()
    floor.inspected(lpn)
    response = scan(inspector, "/ui/inspect", lpn=lpn)
    assert response.request.path == "/ui/inspect"
    kind, words = banner(text(response))
    assert kind == "error" and "inspected already" in words and "grade A" in words


def test_a_supervisor_re_inspects_starting_from_the_current_answers(floor, supervisor):
    lpn = floor.unit()
    photo_id = floor.photo(lpn)
    floor.inspected(lpn, WORN, photo_ids=[photo_id], notes="袖口磨损")
    page = open_checklist(supervisor, lpn)
    assert "re-inspection" in page
    assert checked(page)["a.signs_of_wear"] == "worn"
    assert f'name="photo_id" value="{photo_id}"' in page and "袖口磨损" in page
    done = confirm(supervisor, lpn, text(check(supervisor, lpn, page, signs_of_wear="tried_on")))
    assert banner(text(done))[0] == "ok"
    first, second = sorted(inspections(floor), key=lambda i: i.sequence)
    assert (first.grade, second.grade) == ("C", "B")
    assert second.photo_ids == [photo_id] and second.notes == "袖口磨损"


def test_a_file_that_is_no_image_is_a_red_banner_and_keeps_nothing(floor, inspector):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    response = check(inspector, lpn, page, files={"photos": [b"%PDF-1.4 not a photo"]})
    assert response.status_code == 422
    assert banner(text(response)) == (
        "error",
        "Not a photo this service can read: JPEG, PNG or WebP only.",
    )
    assert floor.count(Photo) == 0
    assert inspections(floor) == []


def camera_sized_jpeg() -> bytes:
    """A noisy 1600×1200 JPEG of a few MiB: what a handheld's camera sends."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_camera_sized_photo_is_taken_although_the_app_limits_json_bodies(app, floor, inspector):
    data = camera_sized_jpeg()
    assert len(data) > app.extensions["warehouse.settings"].max_body_bytes
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    response = check(inspector, lpn, page, files={"photos": [data]})
    assert response.status_code == 200, text(response)[:500]
    assert floor.count(Photo) == 1


def test_a_photo_over_the_limit_is_a_red_banner(app, floor, inspector):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    settings = app.extensions["warehouse.settings"]
    app.extensions["warehouse.settings"] = dataclasses.replace(settings, photo_max_bytes=2000)
    response = check(inspector, lpn, page, files={"photos": [image_bytes((800, 600))]})
    assert response.status_code == 413
    assert banner(text(response))[1].startswith("Photo too large")
    assert floor.count(Photo) == 0


class FullDisk(DiskPhotoStorage):
    def put(self, name, data):
        raise OSError(errno.ENOSPC, "simulated")


def test_a_full_photo_store_is_a_red_banner_and_keeps_nothing(app, floor, inspector, tmp_path):
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    app.extensions["warehouse.photo_storage"] = FullDisk(tmp_path / "photos")
    response = check(inspector, lpn, page, files={"photos": [image_bytes()]})
    assert response.status_code == 507
    assert banner(text(response))[1].startswith("The photo store is full")
    assert floor.count(Photo) == 0 and inspections(floor) == []


def test_a_receiver_may_not_open_the_inspect_page(floor, signed_in):
    receiver = signed_in("receiver")
    assert receiver.get("/ui/inspect").status_code == 403
    lpn = floor.unit()
    assert receiver.get(f"/ui/inspect/units/{lpn}").status_code == 403


def test_the_checklist_speaks_chinese_to_a_chinese_user(floor, inspector):
    fields = form_fields(text(inspector.get("/ui/inspect")))
    inspector.post("/ui/lang/zh-CN", data=fields)
    lpn = floor.unit()
    page = open_checklist(inspector, lpn)
    assert "吊牌完好" in page and "Tags attached" not in page
    assert "7天无理由" in page  # the reason in words, not its code
    assert "下一步" in page


# --- dispose ---------------------------------------------------------------------------------


def test_dispose_is_scan_lpn_then_scan_bin(floor, inspector):
    bin_code = floor.bin("A0103")
    lpn = floor.unit()
    floor.inspected(lpn)
    page = scan(inspector, "/ui/dispose", lpn=lpn)
    assert page.request.path == f"/ui/dispose/units/{lpn}"
    shown = text(page)
    assert 'name="bin"' in shown and re.search(r'class="scan-input" autofocus', shown)
    assert "Other route" not in shown  # overrides are for supervisors

    done = scan(inspector, f"/ui/dispose/units/{lpn}", bin=bin_code)
    assert done.request.path == "/ui/dispose"
    assert banner(text(done)) == ("ok", f"{lpn} restocked into {bin_code}.")
    where = floor.where(lpn)
    assert where["state"] == "restocked" and where["bin"] == bin_code
    assert len(floor.events("unit.disposed")) == 1


def test_a_misread_bin_label_is_a_red_banner_and_the_unit_stays(floor, inspector):
    bin_code = floor.bin("A0103")
    misread = bin_code[:-1] + ("A" if bin_code[-1] != "A" else "B")
    assert codes.read_bin_code(misread) is None
    lpn = floor.unit()
    floor.inspected(lpn)
    response = scan(inspector, f"/ui/dispose/units/{lpn}", bin=misread)
    assert response.request.path == f"/ui/dispose/units/{lpn}"
    kind, words = banner(text(response))
    assert kind == "error" and "check character" in words
    assert floor.where(lpn)["state"] == "inspected"
    assert floor.count(Disposition) == 0


def test_a_unit_not_yet_inspected_cannot_be_disposed(floor, inspector):
    lpn = floor.unit()
    response = scan(inspector, "/ui/dispose", lpn=lpn)
    assert response.request.path == "/ui/dispose"
    assert banner(text(response)) == ("error", f"{lpn} is not inspected yet: inspect it first.")


def test_another_route_needs_a_supervisor(floor, inspector):
    lpn = floor.unit()
    floor.inspected(lpn)
    fields = form_fields(text(inspector.get(f"/ui/dispose/units/{lpn}")))
    response = inspector.post(
        f"/ui/dispose/units/{lpn}",
        data={**fields, "decision": "scrap", "scrap_reason": "hygiene"},
        follow_redirects=True,
    )
    assert banner(text(response))[0] == "error"
    assert floor.count(Disposition) == 0


def test_a_supervisor_overrides_the_route_with_a_reason(floor, supervisor):
    lpn = floor.unit()
    floor.inspected(lpn)
    page = text(supervisor.get(f"/ui/dispose/units/{lpn}"))
    assert "Other route" in page
    fields = form_fields(page)
    response = supervisor.post(
        f"/ui/dispose/units/{lpn}",
        data={**fields, "decision": "return_to_vendor", "reason": "faulty batch, vendor recall"},
        follow_redirects=True,
    )
    assert banner(text(response))[0] == "ok"
    disposition = floor.where(lpn)["disposition"]
    assert disposition["decision"] == "return_to_vendor" and disposition["override"] is True
    assert disposition["reason"] == "faulty batch, vendor recall"


def test_a_supervisor_scraps_with_a_reason_from_the_list(floor, supervisor):
    lpn = floor.unit()
    floor.inspected(lpn)
    fields = form_fields(text(supervisor.get(f"/ui/dispose/units/{lpn}")))
    response = supervisor.post(
        f"/ui/dispose/units/{lpn}",
        data={**fields, "decision": "scrap", "scrap_reason": "hygiene", "reason": ""},
        follow_redirects=True,
    )
    assert banner(text(response)) == ("ok", f"{lpn}: scrap.")
    disposition = floor.where(lpn)["disposition"]
    assert (disposition["decision"], disposition["reason"]) == ("scrap", "hygiene")


def test_an_override_without_a_reason_is_refused(floor, supervisor):
    lpn = floor.unit()
    floor.inspected(lpn)
    fields = form_fields(text(supervisor.get(f"/ui/dispose/units/{lpn}")))
    response = supervisor.post(
        f"/ui/dispose/units/{lpn}",
        data={**fields, "decision": "return_to_vendor"},
        follow_redirects=True,
    )
    assert banner(text(response))[0] == "error"
    assert floor.count(Disposition) == 0


def in_chinese(client):
    """Switches a signed-in client's pages to Chinese, as the language button does."""
    fields = form_fields(text(client.get("/ui/dispose")))
    assert client.post("/ui/lang/zh-CN", data=fields).status_code == 303
    return client


def test_a_refused_override_says_why_in_chinese_and_keeps_what_was_chosen(floor, supervisor):
    lpn = floor.unit()
    floor.inspected(lpn)
    in_chinese(supervisor)
    fields = form_fields(text(supervisor.get(f"/ui/dispose/units/{lpn}")))
    response = supervisor.post(
        f"/ui/dispose/units/{lpn}",
        data={**fields, "override": "1", "decision": "return_to_vendor", "bin": "A01"},
    )
    assert response.status_code == 422
    page = text(response)
    kind, words = banner(page)
    assert kind == "error" and "不按建议的重新上架而选择退回供应商，需要填写原因。" in words
    assert "Choosing" not in words and "return_to_vendor" not in words
    assert '<details class="override" open>' in page
    assert checked(page)["decision"] == "return_to_vendor"
    assert 'name="bin" maxlength="40" value="A01"' in page
    assert floor.count(Disposition) == 0


def test_signed_out_mid_form_the_supervisor_signs_in_again_and_sends_what_was_typed(
    app, floor, make_user, clock
):
    lpn = floor.unit()
    floor.inspected(lpn)
    user = make_user("sup-idle", "supervisor")
    client = app.test_client()
    sign_in(client, badge=user.badge_code)
    in_chinese(client)
    fields = form_fields(text(client.get(f"/ui/dispose/units/{lpn}")))
    clock.advance(minutes=31)  # the terminal signs itself out meanwhile
    typed = {"override": "1", "decision": "return_to_vendor", "reason": "厂家召回批次"}
    response = client.post(f"/ui/dispose/units/{lpn}", data={**fields, **typed})
    assert response.status_code == 401
    page = text(response)
    assert '<html lang="zh-CN">' in page and "表单已过期" not in page
    kind, words = banner(page)
    assert kind == "warn" and "已退出登录" in words, words
    assert "厂家召回批次" in page
    assert floor.count(Disposition) == 0

    signed = client.post("/ui/login", data={**form_of(page, "/ui/login"), "badge": user.badge_code})
    assert signed.status_code == 200
    again = text(signed)
    resend = client.post(
        f"/ui/dispose/units/{lpn}",
        data=form_of(again, f"/ui/dispose/units/{lpn}"),
        follow_redirects=True,
    )
    assert banner(text(resend))[0] == "ok"
    disposition = floor.where(lpn)["disposition"]
    assert (disposition["decision"], disposition["reason"]) == ("return_to_vendor", "厂家召回批次")


def test_a_route_only_a_supervisor_may_choose_is_refused_in_chinese(floor, inspector):
    lpn = floor.unit()
    floor.inspected(lpn)
    in_chinese(inspector)
    fields = form_fields(text(inspector.get(f"/ui/dispose/units/{lpn}")))
    response = inspector.post(
        f"/ui/dispose/units/{lpn}",
        data={**fields, "decision": "refurbish"},
        follow_redirects=True,
    )
    assert banner(text(response)) == (
        "error",
        "建议去向是重新上架；只有主管可以选择翻新。",
    )
    assert floor.count(Disposition) == 0


def test_an_unregistered_bin_and_a_unit_disposed_already_are_refused_in_chinese(floor, inspector):
    lpn = floor.unit()
    floor.inspected(lpn)
    in_chinese(inspector)
    unknown = codes.bin_code("Z9999")
    response = scan(inspector, f"/ui/dispose/units/{lpn}", bin=unknown)
    assert banner(text(response)) == ("error", f"库位 {unknown} 未登记。")
    assert floor.count(Disposition) == 0
    assert floor.dispose(lpn, "restock", bin=floor.bin()).status_code in (200, 201)
    again = inspector.post(
        f"/ui/dispose/units/{lpn}",
        data={
            **form_fields(text(inspector.get("/ui/dispose"))),
            "decision": "restock",
            "bin": unknown,
        },
        follow_redirects=True,
    )
    kind, words = banner(text(again))
    assert kind == "error" and "已经处置过" in words, words


# --- refurbish queue -------------------------------------------------------------------------


def refurbishing_unit(floor) -> str:
    lpn = floor.unit()
    floor.inspected(lpn, WORN, photo_ids=[floor.photo(lpn)])
    assert floor.dispose(lpn, "refurbish").status_code == 201
    return lpn


def test_a_recommended_refurbishment_is_one_tap_and_joins_the_queue(floor, inspector):
    lpn = floor.unit()
    floor.inspected(lpn, WORN, photo_ids=[floor.photo(lpn)])
    page = text(inspector.get(f"/ui/dispose/units/{lpn}"))
    assert 'id="route"' in page
    data = form_of(page, f"/ui/dispose/units/{lpn}")
    done = inspector.post(f"/ui/dispose/units/{lpn}", data=data, follow_redirects=True)
    assert banner(text(done))[0] == "ok"
    assert floor.where(lpn)["state"] == "refurbishing"
    queue = text(inspector.get("/ui/refurbish"))
    assert lpn in queue and "Signs of wear" in queue


def test_the_queue_lists_open_orders_oldest_first(floor, supervisor, clock, monkeypatch):
    first = refurbishing_unit(floor)
    clock.advance(minutes=5)
    second = refurbishing_unit(floor)
    queue = text(supervisor.get("/ui/refurbish"))
    assert queue.index(first) < queue.index(second)
    assert "More orders are waiting" not in queue
    monkeypatch.setattr("warehouse.ui.refurbish_views.QUEUE_PAGE", 1)
    queue = text(supervisor.get("/ui/refurbish"))
    assert first in queue and second not in queue
    assert "More orders are waiting" in queue


def test_a_refurbished_unit_goes_back_to_stock_as_open_box(floor, supervisor):
    bin_code = floor.bin("B0201")
    lpn = refurbishing_unit(floor)
    page = scan(supervisor, "/ui/refurbish", lpn=lpn)
    assert page.request.path == f"/ui/refurbish/units/{lpn}"
    assert "Signs of wear" in text(page)
    done = scan(
        supervisor,
        f"/ui/refurbish/units/{lpn}",
        f"/ui/refurbish/units/{lpn}/complete",
        bin=bin_code,
        outcome="restock",
    )
    assert banner(text(done))[0] == "ok"
    where = floor.where(lpn)
    assert where["state"] == "restocked" and where["grade"] == "B" and where["bin"] == bin_code
    assert lpn not in text(supervisor.get("/ui/refurbish"))


def test_a_refurbishment_that_fails_is_scrapped_with_its_reason(floor, supervisor):
    lpn = refurbishing_unit(floor)
    page = text(supervisor.get(f"/ui/refurbish/units/{lpn}"))
    data = form_of(page, f"/ui/refurbish/units/{lpn}/complete")
    assert data["outcome"] == ["restock"]  # the first form is the bin scan
    assert 'name="outcome" value="scrap"' in page
    fields = form_fields(page)
    done = supervisor.post(
        f"/ui/refurbish/units/{lpn}/complete",
        data={**fields, "outcome": "scrap", "reason": "missing_parts"},
        follow_redirects=True,
    )
    assert banner(text(done))[0] == "ok"
    assert floor.where(lpn)["state"] == "scrapped"
    session = floor.app.extensions["warehouse.sessions"]()
    try:
        order = session.scalar(select(Refurbishment))
        assert order.status == "done" and order.scrap_reason == "missing_parts"
    finally:
        session.close()


def test_a_note_is_added_to_the_work_order(floor, inspector):
    lpn = refurbishing_unit(floor)
    fields = form_fields(text(inspector.get(f"/ui/refurbish/units/{lpn}")))
    done = inspector.post(
        f"/ui/refurbish/units/{lpn}/notes",
        data={**fields, "text": "换了新拉链"},
        follow_redirects=True,
    )
    assert banner(text(done)) == ("ok", "Note added.")
    assert "换了新拉链" in text(done)


def test_a_work_orders_times_are_on_the_warehouses_clock(floor, inspector, clock):
    """08:00 UTC (the fake clock) is 16:00 in Shanghai, as the timelines show it."""
    lpn = refurbishing_unit(floor)
    fields = form_fields(text(inspector.get(f"/ui/refurbish/units/{lpn}")))
    done = inspector.post(
        f"/ui/refurbish/units/{lpn}/notes", data={**fields, "text": "zip"}, follow_redirects=True
    )
    page = text(done)
    assert "Opened 2026-11-02 16:00" in page
    assert "2026-11-02 16:00 " in page.split('class="notes-list"', 1)[1]
    assert "08:00" not in page


def test_a_unit_without_an_open_order_is_a_red_banner(floor, supervisor):
    lpn = floor.unit()
    response = scan(supervisor, "/ui/refurbish", lpn=lpn)
    assert response.request.path == "/ui/refurbish"
    assert banner(text(response)) == ("error", "No such refurbishment order.")


def test_the_pages_need_sign_in(client):
    for page in ("/ui/refurbish", "/ui/dispose", "/ui/inspect"):
        assert client.get(page).status_code == 302


def test_unit_status_is_untouched_by_looking(floor, inspector):
    lpn = floor.unit()
    open_checklist(inspector, lpn)
    session = floor.app.extensions["warehouse.sessions"]()
    try:
        assert session.scalar(select(UnitStatus)) is None
    finally:
        session.close()
