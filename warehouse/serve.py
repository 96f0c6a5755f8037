"""Runs the app under gunicorn, the production WSGI server, from `warehouse serve`."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from warehouse.app import create_app


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app after the fork: no engine is shared across processes.
        return create_app()


def serve_forever(*, host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "timeout": 30,
            "graceful_timeout": 10,
            "keepalive": 5,
        }
    ).run()
