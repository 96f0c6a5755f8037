"""The service's own commands: `warehouse db …` (migrations), `demo`, `serve` and `deliver`
(the webhook delivery worker, with the deadline watch beside it)."""

from __future__ import annotations

import logging
import os
import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from warehouse import demo as demo_data
from warehouse import migrate
from warehouse.cli import APP_FACTORY, engine, settings, system_context
from warehouse.db import transaction
from warehouse.events.sending import HttpxSender
from warehouse.events.worker import DeliveryWorker
from warehouse.returns import deadlines
from warehouse.serve import serve_forever


def init_app(app: Flask) -> None:
    for command in (db, demo, serve, deliver):
        app.cli.add_command(command)


#: `warehouse db …`; as an AppGroup, each of its commands runs in the app context.
db = AppGroup("db", help="Database schema migrations.")


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply pending migrations."""
    migrate.upgrade(engine(), revision)
    click.echo(f"database at revision {migrate.current_revision(engine())}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ("base" empties the database)."""
    migrate.downgrade(engine(), revision)
    click.echo(f"database at revision {migrate.current_revision(engine())}")


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    migrate.revision(engine(), message)


def _base_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches a server bound to `host`:`port`."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Where it will be served.")
@click.option("--port", default=8000, type=int, show_default=True, help="Where it will be served.")
@with_appcontext
def demo(host: str, port: int) -> None:
    """Fill an empty database with a demo store, staff and returns (does nothing otherwise),
    and print how to reach it when served on HOST:PORT."""
    loopback = settings().webhook_allow_loopback
    url = _base_url(host, port)
    session = current_app.extensions["warehouse.sessions"]()
    try:
        with transaction(session):
            loaded = demo_data.load_demo(session, system_context())
        store_id = demo_data.demo_store_id(session) if loaded is None else None
    finally:
        session.close()
    if loaded is None:
        click.echo("The database already has data; demo data not loaded.")
        if store_id:
            click.echo(f"  demo store id {store_id}")
        click.echo("\n".join(demo_data.hints(url, store_id, loopback_webhooks=loopback)))
        return
    click.echo(loaded.describe(url, loopback_webhooks=loopback))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, type=int, show_default=True)
@click.option(
    "--workers", default=2, type=int, show_default=True, help="gunicorn worker processes."
)
@click.option("--threads", default=4, type=int, show_default=True, help="Threads per worker.")
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not run the webhook delivery worker beside the server (run `warehouse deliver`).",
)
@with_appcontext
def serve(host: str, port: int, workers: int, threads: int, no_worker: bool) -> None:
    """Apply pending migrations, then serve the API with gunicorn, and deliver webhooks."""
    migrate.upgrade(engine())
    engine().dispose()  # workers open their own connections after the fork
    url = _base_url(host, port)
    click.echo(f"Floor UI: {url}/  API docs: {url}/api/v1/docs")
    if settings().webhook_allow_loopback:
        click.echo("Webhooks may go to this host (WAREHOUSE_WEBHOOK_ALLOW_LOOPBACK): a demo only.")
    serve_forever(
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        delivery_worker=not no_worker,
        app_factory=APP_FACTORY,
    )


@click.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option(
    "--concurrency", default=16, type=int, show_default=True, help="Webhooks in flight at once."
)
@click.option(
    "--poll-interval",
    default=1.0,
    type=float,
    show_default=True,
    help="Seconds between looks for due webhooks when there are none.",
)
@with_appcontext
def deliver(once: bool, concurrency: int, poll_interval: float) -> None:
    """Post due webhooks to stores and flag passed decision deadlines (any number of these
    may run against one PostgreSQL)."""
    sender = HttpxSender(max_connections=concurrency)
    worker = DeliveryWorker.for_app(current_app, sender, concurrency=concurrency)
    try:
        if once:
            click.echo(str(worker.run_until_idle()))
            click.echo(f"deadlines passed: {deadlines.sweep(current_app)}")
            return
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        app = current_app._get_current_object()
        threading.Thread(
            target=deadlines.watch, args=(app, stop), name="deadlines", daemon=True
        ).start()
        click.echo(f"delivering webhooks (pid {os.getpid()}); SIGTERM or Ctrl-C stops", err=True)
        tally = worker.run(stop, poll_interval_s=poll_interval)
        click.echo(f"delivery worker stopped: {tally}", err=True)
    finally:
        sender.close()
