"""The `warehouse` command: serve, migrate, create stores and staff, load demo data, deliver
webhooks."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from warehouse import migrate
from warehouse.auth.roles import Role
from warehouse.context import SYSTEM, Context
from warehouse.db import transaction
from warehouse.errors import DomainError
from warehouse.stores.models import DEFAULT_DECISION_HOURS, DEFAULT_EXPRESS_REFUND_LIMIT


def _make_app():
    from warehouse.app import create_app

    return create_app()


@click.group(
    cls=FlaskGroup, create_app=_make_app, add_default_commands=False, add_version_option=False
)
def cli() -> None:
    """Return-centre service."""


def main() -> None:
    cli.main(prog_name="warehouse")


def register_commands(app) -> None:
    """Adds the operator commands to the app's CLI (`warehouse …`, `flask …`, test runners)."""
    for command in (db, store, user, demo, serve, deliver, events):
        app.cli.add_command(command)


def _engine():
    return current_app.extensions["warehouse.engine"]


def _system_context() -> Context:
    return Context(
        actor=SYSTEM, now=current_app.extensions["warehouse.clock"].now(), terminal_id="cli"
    )


def _fail(exc: DomainError) -> None:
    errors = exc.extra.get("errors")
    click.echo(f"error: {exc.detail}", err=True)
    if errors:
        click.echo(json.dumps(errors, ensure_ascii=False), err=True)
    sys.exit(2)


@click.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply pending migrations."""
    migrate.upgrade(_engine(), revision)
    click.echo(f"database at revision {migrate.current_revision(_engine())}")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ("base" empties the database)."""
    migrate.downgrade(_engine(), revision)
    click.echo(f"database at revision {migrate.current_revision(_engine())}")


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    migrate.revision(_engine(), message)


@click.group()
def store() -> None:
    """Stores (tenants)."""


@store.command("create")
@click.option("--name", required=True)
@click.option("--webhook-url", default=None)
@click.option(
    "--express-refund-limit",
    type=int,
    default=DEFAULT_EXPRESS_REFUND_LIMIT,
    show_default=True,
    help="Minor units; 0 turns express refunds off.",
)
@click.option("--decision-hours", type=int, default=DEFAULT_DECISION_HOURS, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the store as JSON.")
@with_appcontext
def store_create(name, webhook_url, express_refund_limit, decision_hours, as_json) -> None:
    """Create a store; prints its API key and webhook secret, shown only this once."""
    from warehouse.stores.services import create_store

    session = current_app.extensions["warehouse.sessions"]()
    try:
        with transaction(session):
            created = create_store(
                session,
                _system_context(),
                name=name,
                webhook_url=webhook_url or None,  # --webhook-url "" is none
                express_refund_limit=express_refund_limit,
                decision_hours=decision_hours,
                webhook_allow_private=current_app.extensions[
                    "warehouse.settings"
                ].webhook_allow_private,
                webhook_allow_loopback=current_app.extensions[
                    "warehouse.settings"
                ].webhook_allow_loopback,
            )
    except DomainError as exc:
        _fail(exc)
    finally:
        session.close()
    out = {
        "id": str(created.store.id),
        "name": created.store.name,
        "api_key": created.api_key,
        "webhook_secret": created.store.webhook_secret,
    }
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        for key, value in out.items():
            click.echo(f"{key}: {value}")


@store.command("key")
@click.option("--store", "store_id", type=click.UUID, required=True, help="The store's id.")
@click.option("--json", "as_json", is_flag=True, help="Print the key as JSON.")
@with_appcontext
def store_key(store_id, as_json: bool) -> None:
    """Issue a store a new API key, printed only this once, and revoke its old keys.

    The old keys stop working (within WAREHOUSE_CREDENTIAL_CACHE_SECONDS on a running
    server): a key is shown only when issued, so one nobody can show again is either lost
    or known to someone it should not be, and is only a risk left alive. Give the new key
    to the store's system.
    """
    from warehouse.stores.services import replace_api_keys

    session = current_app.extensions["warehouse.sessions"]()
    try:
        with transaction(session):
            issued = replace_api_keys(session, _system_context(), store_id)
    except DomainError as exc:
        _fail(exc)
    finally:
        session.close()
    out = {"store_id": str(store_id), "api_key": issued.api_key}
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        click.echo(f"store_id: {store_id}")
        click.echo(f"api_key (shown once; the old keys are revoked): {issued.api_key}")


@store.command("rotate-secret")
@click.option("--store-id", type=click.UUID, required=True)
@click.option(
    "--grace-hours",
    type=int,
    default=24,
    show_default=True,
    help="Hours the old secret keeps signing beside the new one (0: none).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def store_rotate_secret(store_id, grace_hours: int, as_json: bool) -> None:
    """Give a store a new webhook secret (printed only this once); the old one also signs
    during the grace period."""
    from warehouse.stores.services import rotate_webhook_secret

    session = current_app.extensions["warehouse.sessions"]()
    try:
        with transaction(session):
            rotated = rotate_webhook_secret(
                session, _system_context(), store_id, grace_hours=grace_hours
            )
    except DomainError as exc:
        _fail(exc)
    finally:
        session.close()
    expires = rotated.previous_secret_expires_at
    out = {
        "store_id": str(store_id),
        "webhook_secret": rotated.webhook_secret,
        "previous_secret_expires_at": expires.isoformat() if expires else None,
    }
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        for key, value in out.items():
            click.echo(f"{key}: {value}")


@click.group()
def user() -> None:
    """Staff accounts."""


@user.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--pin", required=True, help="4 to 12 digits.")
@click.option("--json", "as_json", is_flag=True, help="Print the user as JSON.")
@with_appcontext
def user_create(username, role, pin, as_json) -> None:
    """Create a staff member (prints the badge code to print on their badge)."""
    from warehouse.auth.services import create_user

    session = current_app.extensions["warehouse.sessions"]()
    try:
        with transaction(session):
            user = create_user(session, _system_context(), username=username, role=role, pin=pin)
    except DomainError as exc:
        _fail(exc)
    finally:
        session.close()
    out = {
        "id": str(user.id),
        "username": user.username,
        "role": user.role,
        "badge": user.badge_code,
    }
    if as_json:
        click.echo(json.dumps(out))
    else:
        for key, value in out.items():
            click.echo(f"{key}: {value}")


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
    from warehouse import demo as demo_data

    loopback = current_app.extensions["warehouse.settings"].webhook_allow_loopback
    url = _base_url(host, port)
    session = current_app.extensions["warehouse.sessions"]()
    try:
        with transaction(session):
            loaded = demo_data.load_demo(session, _system_context())
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
    from warehouse.serve import serve_forever

    migrate.upgrade(_engine())
    _engine().dispose()  # workers open their own connections after the fork
    url = _base_url(host, port)
    click.echo(f"Floor UI: {url}/  API docs: {url}/api/v1/docs")
    if current_app.extensions["warehouse.settings"].webhook_allow_loopback:
        click.echo("Webhooks may go to this host (WAREHOUSE_WEBHOOK_ALLOW_LOOPBACK): a demo only.")
    serve_forever(
        host=host, port=port, workers=workers, threads=threads, delivery_worker=not no_worker
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
    from warehouse.events.sending import HttpxSender
    from warehouse.events.worker import DeliveryWorker

    sender = HttpxSender(max_connections=concurrency)
    worker = DeliveryWorker.for_app(current_app, sender, concurrency=concurrency)
    from warehouse.returns import deadlines

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


@click.group()
def events() -> None:
    """Events to stores and their webhooks."""


@events.command("replay")
@click.option("--dead", "every_dead", is_flag=True, help="Replay every dead-lettered webhook.")
@click.option("--store-id", type=click.UUID, default=None, help="With --dead: only this store's.")
@click.argument("event_ids", nargs=-1, type=click.UUID)
@with_appcontext
def events_replay(every_dead: bool, store_id, event_ids) -> None:
    """Queue dead-lettered webhooks again (EVENT_IDS, or --dead for all of them)."""
    from warehouse.events.services import replay, replay_dead

    if every_dead == bool(event_ids):
        raise click.UsageError("Name the events to replay, or pass --dead (not both).")
    session = current_app.extensions["warehouse.sessions"]()
    ctx = _system_context()
    try:
        with transaction(session):
            if every_dead:
                count = replay_dead(session, ctx, store_id=store_id)
            else:
                count = len([replay(session, ctx, event_id) for event_id in event_ids])
    except DomainError as exc:
        _fail(exc)
    finally:
        session.close()
    click.echo(f"replayed {count} webhook(s)")
