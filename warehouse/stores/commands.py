"""`warehouse store …`: create a store, issue it a new API key, rotate its webhook secret."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from warehouse.cli import command_session, echo_fields, settings, system_context
from warehouse.stores import services
from warehouse.stores.models import DEFAULT_DECISION_HOURS, DEFAULT_EXPRESS_REFUND_LIMIT


def init_app(app: Flask) -> None:
    app.cli.add_command(store)


#: `warehouse store …`; as an AppGroup, each of its commands runs in the app context.
store = AppGroup("store", help="Stores (tenants).")


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
def store_create(name, webhook_url, express_refund_limit, decision_hours, as_json) -> None:
    """Create a store; prints its API key and webhook secret, shown only this once."""
    with command_session() as session:
        created = services.add_store(
            session,
            system_context(),
            settings(),
            name=name,
            webhook_url=webhook_url or None,  # --webhook-url "" is none
            express_refund_limit=express_refund_limit,
            decision_hours=decision_hours,
        )
    out = {
        "id": str(created.store.id),
        "name": created.store.name,
        "api_key": created.api_key,
        "webhook_secret": created.store.webhook_secret,
    }
    echo_fields(out, as_json)


@store.command("key")
@click.option("--store", "store_id", type=click.UUID, required=True, help="The store's id.")
@click.option("--json", "as_json", is_flag=True, help="Print the key as JSON.")
def store_key(store_id, as_json: bool) -> None:
    """Issue a store a new API key, printed only this once, and revoke its old keys.

    The old keys stop working (within WAREHOUSE_CREDENTIAL_CACHE_SECONDS on a running
    server): a key is shown only when issued, so one nobody can show again is either lost
    or known to someone it should not be, and is only a risk left alive. Give the new key
    to the store's system.
    """
    with command_session() as session:
        issued = services.reissue_api_key(session, system_context(), store_id)
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
def store_rotate_secret(store_id, grace_hours: int, as_json: bool) -> None:
    """Give a store a new webhook secret (printed only this once); the old one also signs
    during the grace period."""
    with command_session() as session:
        rotated = services.rotate_secret(
            session, system_context(), store_id, grace_hours=grace_hours
        )
    expires = rotated.previous_secret_expires_at
    out = {
        "store_id": str(store_id),
        "webhook_secret": rotated.webhook_secret,
        "previous_secret_expires_at": expires.isoformat() if expires else None,
    }
    echo_fields(out, as_json)
