"""Every write leaves an audit row: who, from which terminal, what, before and after."""

from __future__ import annotations

from factories import bearer, return_body
from sqlalchemy import select

from warehouse.audit.models import AuditEntry


def test_creating_and_cancelling_a_return_are_audited_with_actor_and_terminal(client, store, db):
    store_id, key = store
    headers = {**bearer(key), "X-Terminal-Id": "store-sync-1"}
    ret = client.post("/api/v1/returns", json=return_body(), headers=headers).json
    client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=headers)
    rows = db.scalars(
        select(AuditEntry).where(AuditEntry.object_id == ret["id"]).order_by(AuditEntry.id)
    ).all()
    assert [r.action for r in rows] == ["return.created", "return.cancelled"]
    cancel = rows[1]
    assert cancel.actor_kind == "store"
    assert cancel.actor_id == store_id
    assert cancel.store_id == store_id
    assert cancel.terminal_id == "store-sync-1"
    assert cancel.before == {"status": "awaiting_parcel"}
    assert cancel.after == {"status": "cancelled"}
    assert cancel.at.tzinfo is not None


def test_a_refused_write_leaves_no_audit_row(client, store, db):
    _, key = store
    ret = client.post("/api/v1/returns", json=return_body(), headers=bearer(key)).json
    client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=bearer(key))
    assert (
        client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=bearer(key)).status_code == 409
    )
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == ret["id"])).all()
    assert actions.count("return.cancelled") == 1


def test_staff_sign_in_is_audited(client, make_user, db):
    make_user("sup1", "supervisor", "3333")
    client.post(
        "/api/v1/auth/token",
        json={"username": "sup1", "pin": "3333"},
        headers={"X-Terminal-Id": "HH-07"},
    )
    row = db.scalar(select(AuditEntry).where(AuditEntry.action == "staff.signed_in"))
    assert row.actor_label == "sup1"
    assert row.terminal_id == "HH-07"
