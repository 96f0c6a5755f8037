"""Store systems that cannot receive webhooks poll `GET /events` and apply what they read."""

from __future__ import annotations

import uuid

import pytest
from factories import bearer, return_body

from warehouse.api import encode_cursor
from warehouse.context import SYSTEM, Context
from warehouse.db import transaction
from warehouse.events.outbox import append_event
from warehouse.events.types import EventType
from warehouse.returns.models import Return

FEED = "/api/v1/events"


def new_return(client, api_key) -> dict:
    response = client.post("/api/v1/returns", json=return_body(), headers=bearer(api_key))
    assert response.status_code == 201, response.json
    return response.json


def add_events(app, return_id: str, count: int) -> list[str]:
    session = app.extensions["warehouse.sessions"]()
    ctx = Context(actor=SYSTEM, now=app.extensions["warehouse.clock"].now())
    with transaction(session):
        ret = session.get(Return, uuid.UUID(return_id))
        events = [append_event(session, ctx, ret, EventType.RETURN_RECEIVED) for _ in range(count)]
    session.close()
    return [str(event.id) for event in events]


def poll(client, api_key, after=None, limit=None, **params):
    query = {**params}
    if after is not None:
        query["after"] = after
    if limit is not None:
        query["limit"] = limit
    return client.get(FEED, query_string=query, headers=bearer(api_key))


def test_a_store_reads_its_events_in_sequence_order_as_webhooks_carry_them(client, store):
    _, key = store
    ret = new_return(client, key)
    client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=bearer(key))
    page = poll(client, key).json
    [event] = page["items"]
    assert set(event) == {"id", "type", "created_at", "store_id", "sequence", "data"}
    assert event["type"] == "return.cancelled"
    assert event["sequence"] == 1
    assert event["created_at"].endswith("+00:00")
    assert event["data"]["return_id"] == ret["id"]
    assert event["data"]["external_id"] == ret["external_id"]
    assert event["data"]["order_id"] == ret["order_id"]
    assert event["data"]["rma_number"] == ret["rma_number"]
    assert event["data"]["status"] == "cancelled"
    assert page["has_more"] is False


def test_paging_with_next_cursor_reads_every_event_once_and_then_picks_up_new_ones(
    app, client, store
):
    _, key = store
    return_id = new_return(client, key)["id"]
    first_five = add_events(app, return_id, 5)

    seen, cursor, pages = [], None, []
    while True:
        page = poll(client, key, after=cursor, limit=2).json
        pages.append(len(page["items"]))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert pages == [2, 2, 1]
    assert seen == first_five

    # Nothing new: an empty page, and the same cursor to come back with.
    empty = poll(client, key, after=cursor).json
    assert empty["items"] == []
    assert empty["next_cursor"] == cursor

    two_more = add_events(app, return_id, 2)
    resumed = poll(client, key, after=cursor).json
    assert [item["id"] for item in resumed["items"]] == two_more
    assert [item["sequence"] for item in resumed["items"]] == [6, 7]


def test_a_store_with_no_events_yet_gets_a_cursor_that_will_pick_up_its_first_event(
    app, client, store
):
    _, key = store
    page = poll(client, key).json
    assert page == {"items": [], "next_cursor": page["next_cursor"], "has_more": False}
    assert page["next_cursor"]
    [first] = add_events(app, new_return(client, key)["id"], 1)
    assert [item["id"] for item in poll(client, key, after=page["next_cursor"]).json["items"]] == [
        first
    ]


def test_a_store_never_sees_another_stores_events(app, client, store, make_store):
    store_a, key_a = store
    _, key_b = make_store("店铺乙 Store B")
    add_events(app, new_return(client, key_a)["id"], 3)
    assert poll(client, key_b).json["items"] == []
    asking_for_a = poll(client, key_b, store_id=str(store_a))
    assert asking_for_a.status_code == 404
    assert asking_for_a.content_type == "application/problem+json"


def test_sequences_number_each_stores_events_on_their_own(app, client, store, make_store):
    _, key_a = store
    _, key_b = make_store("店铺乙 Store B")
    add_events(app, new_return(client, key_a)["id"], 2)
    add_events(app, new_return(client, key_b)["id"], 1)
    assert [e["sequence"] for e in poll(client, key_b).json["items"]] == [1]


def test_a_supervisor_reads_the_feed_of_the_store_they_name(
    app, client, store, make_store, staff_token
):
    store_a, key_a = store
    _, key_b = make_store("店铺乙 Store B")
    ids_a = add_events(app, new_return(client, key_a)["id"], 2)
    add_events(app, new_return(client, key_b)["id"], 1)
    token = staff_token("supervisor")
    page = poll(client, token, store_id=str(store_a)).json
    assert [item["id"] for item in page["items"]] == ids_a
    unnamed = poll(client, token)
    assert unnamed.status_code == 422
    assert "store_id" in unnamed.json["errors"]
    assert poll(client, token, store_id=str(uuid.uuid4())).status_code == 404


@pytest.mark.parametrize("role", ["receiver", "inspector"])
def test_floor_staff_may_not_read_a_stores_feed(client, store, staff_token, role):
    store_id, _ = store
    response = poll(client, staff_token(role), store_id=str(store_id))
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"


def test_the_feed_needs_credentials(client):
    response = client.get(FEED)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        encode_cursor({"seq": -1}),
        encode_cursor({"seq": "1"}),
        encode_cursor({"id": 1}),
    ],
    ids=["garbage", "negative", "string", "other shape"],
)
def test_a_cursor_the_api_did_not_issue_is_refused_with_422(client, store, cursor):
    _, key = store
    response = poll(client, key, after=cursor)
    assert response.status_code == 422
    assert "after" in response.json["errors"]


def test_a_page_size_over_the_limit_is_refused(client, store):
    _, key = store
    response = poll(client, key, limit=201)
    assert response.status_code == 422
    assert "limit" in response.json["errors"]
