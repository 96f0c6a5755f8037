"""The floor UI's posts are safe to send again: the scan queue's (an `Idempotency-Key`
header, the entry's id) and the pages' forms (a key in a hidden field) get their first
answer back, banner and all, and count once."""

from __future__ import annotations

import re
import uuid

from factories import bearer, line, return_body
from sqlalchemy import func, select
from ui_helpers import form_fields, text

from warehouse.audit.models import AuditEntry
from warehouse.receiving.models import Unit

GTIN = "6901234567892"
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def count(db, model) -> int:
    db.rollback()  # a fresh look
    return db.scalar(select(func.count()).select_from(model))


def banners(html: str) -> list[str]:
    return re.findall(r'class="banner (\w+)"[^>]*>([^<]*)', html)


def queued(client, url: str, key: str, **data):
    """Posts as the scan queue does: its key, CSRF token and replay hints in headers."""
    csrf = form_fields(text(client.get("/ui/receive")))["csrf_token"]
    headers = {
        "Accept": "application/json",
        "Idempotency-Key": key,
        "X-CSRF-Token": csrf,
        "X-Scan-Replay": "1",
        "X-Scanned-Ago-Ms": str(data.pop("ago_ms", 1000)),
    }
    return client.post(url, data=data, headers=headers)


def opened_parcel(client, store, signed_in):
    """A receiver who has scanned a new return's parcel (and seen its banner): the receiver's
    client, the parcel's answer and its items URL."""
    _, api_key = store
    ret = client.post(
        "/api/v1/returns", json=return_body(lines=[line(gtin=GTIN)]), headers=bearer(api_key)
    ).json
    receiver = signed_in("receiver")
    scan = str(uuid.uuid4())
    parcel = queued(receiver, "/ui/receive", scan, scan_id=scan, code=ret["rma_number"]).json
    receiver.get(parcel["next"])
    return receiver, parcel, f"/ui/receive/parcels/{parcel['parcel_id']}/items"


def test_a_queued_item_scan_sent_again_after_its_answer_was_lost_gets_its_answer_and_banner(
    app, client, store, signed_in, db
):
    receiver, _, items = opened_parcel(client, store, signed_in)

    entry = str(uuid.uuid4())
    first = queued(receiver, items, entry, scan_id=entry, code=GTIN, ago_ms=4000)
    shown = banners(text(receiver.get(first.json["next"])))
    assert shown and shown[0][0] == "ok"
    # The answer was lost: the queue sends the entry again, some seconds later.
    again = queued(receiver, items, entry, scan_id=entry, code=GTIN, ago_ms=9000)
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.json == first.json
    assert banners(text(receiver.get(again.json["next"]))) == shown
    assert count(db, Unit) == 1


def test_a_queued_close_sent_again_gets_its_first_answer_not_already_closed(
    app, client, store, signed_in, db
):
    receiver, parcel, _ = opened_parcel(client, store, signed_in)
    close = f"/ui/receive/parcels/{parcel['parcel_id']}/close"
    entry = str(uuid.uuid4())
    first = queued(receiver, close, entry, scan_id=entry)
    shown = banners(text(receiver.get(first.json["next"])))
    again = queued(receiver, close, entry, scan_id=entry)
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.json == first.json
    assert banners(text(receiver.get(again.json["next"]))) == shown
    assert shown[0][0] == "warn"  # closed short, as the first answer said


def test_a_claim_form_sent_twice_claims_once_and_answers_the_same(app, signed_in, db):
    supervisor = signed_in("supervisor")
    receiver = signed_in("receiver")
    scan = str(uuid.uuid4())
    queued(receiver, "/ui/receive", scan, scan_id=scan, code="DPK009988776655")
    page = text(supervisor.get("/ui/exceptions"))
    action = re.search(r'action="(/ui/exceptions/[^"]+/claim)"', page).group(1)
    fields = {**form_fields(page), "idempotency_key": KEY.search(page).group(1)}
    audit_before = count(db, AuditEntry)

    first = supervisor.post(action, data=fields)
    assert first.status_code == 303
    supervisor.get(first.location)
    again = supervisor.post(action, data=fields)  # the browser sent the form again

    assert again.status_code == 303 and again.location == first.location
    assert again.headers["Idempotency-Replayed"] == "true"
    assert [b[0] for b in banners(text(supervisor.get(again.location)))] == ["ok"]
    assert count(db, AuditEntry) == audit_before + 1


def test_a_form_sent_again_with_other_values_is_refused_with_a_page_that_says_so(
    app, client, signed_in, db
):
    supervisor = signed_in("supervisor")
    receiver = signed_in("receiver")
    scan = str(uuid.uuid4())
    queued(receiver, "/ui/receive", scan, scan_id=scan, code="DPK009988776655")
    page = text(supervisor.get("/ui/exceptions"))
    action = re.search(r'action="(/ui/exceptions/[^"]+/resolve)"', page).group(1)
    fields = {**form_fields(page), "idempotency_key": KEY.search(page).group(1)}
    first = supervisor.post(action, data={**fields, "action": "return_to_buyer", "note": "一"})
    assert first.status_code == 303
    refused = supervisor.post(action, data={**fields, "action": "return_to_buyer", "note": "二"})
    assert refused.status_code == 409
    assert "这张表单已经提交过" in text(refused)


def test_a_queued_scan_the_page_refused_is_not_kept_so_its_resend_runs_again(
    app, client, store, signed_in, db
):
    receiver, _, items = opened_parcel(client, store, signed_in)

    entry = str(uuid.uuid4())
    refused = queued(receiver, items, entry, scan_id=entry, code="6901234567891")  # bad digit
    assert banners(text(receiver.get(refused.json["next"])))[0][0] == "error"
    again = queued(receiver, items, entry, scan_id=entry, code="6901234567891")

    assert "Idempotency-Replayed" not in again.headers, "a refusal wrote nothing: not kept"
    assert banners(text(receiver.get(again.json["next"])))[0][0] == "error"
    assert count(db, Unit) == 0
