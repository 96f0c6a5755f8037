"""When the database refuses a value or is unreachable, callers get an answer they can act
on: the API a 422 / 503 problem, the floor UI a 422 / 503 page in the user's language — never
"something went wrong" (500)."""

from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy.exc import DataError, OperationalError
from ui_helpers import sign_in

from warehouse.app import create_app
from warehouse.config import Settings

REFUSED = DataError("INSERT …", {}, Exception("value too long for type character varying(64)"))
DOWN = OperationalError("SELECT 1", {}, Exception("connection refused"))


@pytest.fixture
def failing_app(database_url, tmp_path, clock):
    """The app with two extra routes, in the API and in the UI, raising `?error=`."""
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path), clock=clock)
    errors = {"refused": REFUSED, "down": DOWN}
    api_drill = Blueprint("drill_api", __name__)

    @api_drill.get("/api/v1/_drill")
    def api_route():
        raise errors[request_arg()]

    app.register_blueprint(api_drill)

    def ui_page():
        raise errors[request_arg()]

    # An endpoint named `ui.…` is the UI blueprint's: it gets that blueprint's error pages.
    app.add_url_rule("/ui/_drill", endpoint="ui._drill", view_func=ui_page)
    return app


def request_arg() -> str:
    from flask import request

    return request.args["error"]


@pytest.mark.parametrize(("error", "status"), [("refused", 422), ("down", 503)])
def test_the_api_answers_a_problem(failing_app, make_store, error, status):
    _, key = make_store()
    response = failing_app.test_client().get(
        f"/api/v1/_drill?error={error}", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("error", "status", "words"),
    [("refused", 422, "内容无法保存"), ("down", 503, "系统暂时不可用")],
)
def test_the_floor_ui_shows_a_page_saying_what_happened(
    failing_app, make_user, error, status, words
):
    user = make_user("drill-receiver", "receiver")
    client = failing_app.test_client()
    sign_in(client, badge=user.badge_code)
    response = client.get(f"/ui/_drill?error={error}")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert words in page and "出错了" not in page
