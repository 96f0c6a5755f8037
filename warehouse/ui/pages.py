"""The floor UI set up on the app: its session key, its language, and every page module's
routes on the one `ui` blueprint."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from warehouse.config import Settings
from warehouse.reports.periods import warehouse_zone
from warehouse.ui import (  # noqa: F401 (each page module adds its routes to `bp`)
    dashboard_views,
    deadletters_views,
    dispose_views,
    exceptions_views,
    inspect_views,
    receive_views,
    refurbish_views,
    supervisor_words,
)
from warehouse.ui.i18n import init_babel
from warehouse.ui.web import bp

SECRET_KEY_FILE = "secret_key"


def secret_key(settings: Settings) -> str:
    """`WAREHOUSE_SECRET_KEY`, or one generated once and kept (0600) in the data dir, so
    every worker process (and host sharing the data dir) signs cookies with the same key."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole to a private temporary file, then linked into place: a worker
        # racing this one either wins the link or reads the winner's complete key.
        tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def init_ui(app: Flask, settings: Settings) -> None:
    """Sets the session key and registers the floor UI's pages."""
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WAREHOUSE_TIMEZONE=warehouse_zone(settings.timezone),
    )
    init_babel(app, settings.default_language)
    app.register_blueprint(bp)
