"""The one wiring place: `create_app()` reads settings, binds the database, the API and errors."""

from __future__ import annotations

import logging

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from warehouse import api, commands, edge
from warehouse.auth import commands as auth_commands
from warehouse.auth import guard
from warehouse.auth.cache import CredentialCache
from warehouse.auth.views import blp as auth_blp
from warehouse.clock import Clock, SystemClock
from warehouse.config import Settings
from warehouse.db import make_engine, make_session_factory
from warehouse.disposition.views import blp as disposition_blp
from warehouse.events import commands as events_commands
from warehouse.events.views import blp as events_blp
from warehouse.idempotency import edge as idempotency
from warehouse.inspection.views import blp as inspection_blp
from warehouse.printing.views import blp as printing_blp
from warehouse.problems import register_error_handlers
from warehouse.receiving.views import blp as receiving_blp
from warehouse.returns.views import blp as returns_blp
from warehouse.security_headers import init_security_headers
from warehouse.stores import commands as stores_commands
from warehouse.stores.views import blp as stores_blp
from warehouse.text_guard import init_text_guard
from warehouse.ui.pages import init_ui


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """Builds the service. Tests pass their own settings and clock; production reads the env."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_SORT_KEYS=False)
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    engine = make_engine(settings)
    app.extensions["warehouse.settings"] = settings
    app.extensions["warehouse.engine"] = engine
    app.extensions["warehouse.sessions"] = make_session_factory(engine)
    app.extensions["warehouse.clock"] = clock or SystemClock()
    app.extensions["warehouse.credential_cache"] = CredentialCache(
        settings.credential_cache_seconds
    )

    api.api_config(app)
    rest = api.Api(app, spec_kwargs={"extra_plugins": [idempotency.DocPlugin(app)]})
    edge.init_edge(app, rest)
    _register_blueprints(rest)
    _serve_docs_assets(app)
    init_ui(app, settings)
    init_security_headers(app)

    _register_commands(app)
    register_error_handlers(app)
    api.bind_request_lifecycle(app)
    guard.bind_authentication(app)
    edge.bind_body_checks(app, rest)
    init_text_guard(app)
    idempotency.init_app(app)
    logging.getLogger("warehouse").setLevel(logging.INFO)
    return app


def _register_blueprints(rest: api.Api) -> None:
    for blueprint in (
        auth_blp,
        returns_blp,
        receiving_blp,
        events_blp,
        printing_blp,
        inspection_blp,
        disposition_blp,
        stores_blp,
    ):
        rest.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    """The operator commands (`warehouse …`, `flask …`, test runners), each package's own."""
    for package_commands in (commands, stores_commands, auth_commands, events_commands):
        package_commands.init_app(app)


def _serve_docs_assets(app: Flask) -> None:
    """Swagger UI's files from the swagger-ui-bundle package: the docs work with no internet."""

    @app.get(f"{api.API_PREFIX}/docs/assets/<path:filename>", endpoint="api-docs-assets")
    def _docs_asset(filename: str):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)
