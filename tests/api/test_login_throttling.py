"""Sign-in throttling: wrong PINs lock the account after the configured number of failures,
for the configured minutes, whether they come through the API or the floor UI's form."""

from __future__ import annotations

import pytest
from ui_helpers import sign_in, text

from warehouse.config import Settings

MAX_FAILED, LOCKOUT_MINUTES = 3, 2
RIGHT, WRONG = "2580", "0000"


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        max_failed_logins=MAX_FAILED,
        lockout_minutes=LOCKOUT_MINUTES,
    )


@pytest.fixture
def user(make_user):
    return make_user("recv-lock", "receiver", RIGHT)


def api_sign_in(client, pin: str):
    return client.post("/api/v1/auth/token", json={"username": "recv-lock", "pin": pin})


def ui_sign_in(app, pin: str):
    """A fresh terminal posting the sign-in form; answers (client, response)."""
    terminal = app.test_client()
    return terminal, sign_in(terminal, username="recv-lock", pin=pin)


def test_the_api_locks_after_the_configured_failures_for_the_configured_time(client, user, clock):
    for _ in range(MAX_FAILED - 1):
        assert api_sign_in(client, WRONG).status_code == 401
    assert api_sign_in(client, RIGHT).status_code == 200  # one short of the limit: still open
    for _ in range(MAX_FAILED):
        assert api_sign_in(client, WRONG).status_code == 401
    locked = api_sign_in(client, RIGHT)
    assert locked.status_code == 401
    assert locked.content_type == "application/problem+json"
    assert "locked" in locked.json["detail"]
    clock.advance(minutes=LOCKOUT_MINUTES, seconds=-1)
    assert api_sign_in(client, RIGHT).status_code == 401
    clock.advance(seconds=2)
    assert api_sign_in(client, RIGHT).status_code == 200


def test_the_ui_form_locks_after_the_configured_failures(app, user, clock):
    for _ in range(MAX_FAILED):
        _, response = ui_sign_in(app, WRONG)
        assert response.status_code != 303
    terminal, locked = ui_sign_in(app, RIGHT)
    assert locked.status_code != 303, "a locked account was let in through the form"
    assert 'class="banner error"' in text(locked)
    assert terminal.get("/ui/receive").status_code in (302, 303)  # still signed out
    clock.advance(minutes=LOCKOUT_MINUTES, seconds=1)
    terminal, opened = ui_sign_in(app, RIGHT)
    assert opened.status_code == 303
    assert terminal.get("/ui/receive").status_code == 200


def test_failures_through_the_api_and_the_form_count_together(app, client, user):
    for _ in range(MAX_FAILED - 1):
        api_sign_in(client, WRONG)
    ui_sign_in(app, WRONG)
    assert "locked" in api_sign_in(client, RIGHT).json["detail"]


def test_a_badge_still_signs_in_a_user_whose_pin_is_locked(client, user):
    # The badge is something the user holds, not a guess: the PIN lock does not stop it.
    for _ in range(MAX_FAILED):
        api_sign_in(client, WRONG)
    assert api_sign_in(client, RIGHT).status_code == 401
    assert client.post("/api/v1/auth/token", json={"badge": user.badge_code}).status_code == 200
