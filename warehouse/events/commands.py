"""`warehouse events replay`: queue dead-lettered webhooks again."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from warehouse.cli import command_session, system_context
from warehouse.events import services


def init_app(app: Flask) -> None:
    app.cli.add_command(events)


#: `warehouse events …`; as an AppGroup, each of its commands runs in the app context.
events = AppGroup("events", help="Events to stores and their webhooks.")


@events.command("replay")
@click.option("--dead", "every_dead", is_flag=True, help="Replay every dead-lettered webhook.")
@click.option("--store-id", type=click.UUID, default=None, help="With --dead: only this store's.")
@click.argument("event_ids", nargs=-1, type=click.UUID)
def events_replay(every_dead: bool, store_id, event_ids) -> None:
    """Queue dead-lettered webhooks again (EVENT_IDS, or --dead for all of them)."""
    if every_dead == bool(event_ids):
        raise click.UsageError("Name the events to replay, or pass --dead (not both).")
    with command_session() as session:
        ctx = system_context()
        if every_dead:
            count = services.replay_dead_webhooks(session, ctx, store_id=store_id)
        else:
            count = services.replay_webhooks(session, ctx, event_ids)
    click.echo(f"replayed {count} webhook(s)")
