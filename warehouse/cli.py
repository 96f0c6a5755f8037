"""The `warehouse` command: serve, migrate, create stores and staff, load demo data, deliver
webhooks.

The console script runs `cli`, which builds the app from its factory, named by import path
(`APP_FACTORY`), and runs the commands the app registered: each package registers its own
with `init_app` beside the code they drive (`warehouse.commands`: db, demo, serve, deliver;
`warehouse.stores.commands`: store; `warehouse.auth.commands`: user;
`warehouse.events.commands`: events). The helpers below are what those commands share.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from warehouse.config import Settings
from warehouse.context import SYSTEM, Context
from warehouse.errors import DomainError

#: The app factory the command line (and `warehouse serve`'s web workers) build the app with.
APP_FACTORY = "warehouse.app:create_app"


def _make_app() -> Flask:
    return import_string(APP_FACTORY)()


@click.group(
    cls=FlaskGroup, create_app=_make_app, add_default_commands=False, add_version_option=False
)
def cli() -> None:
    """Return-centre service."""


def main() -> None:
    cli.main(prog_name="warehouse")


# --- what the commands share ----------------------------------------------------------------


def engine() -> Engine:
    return current_app.extensions["warehouse.engine"]


def settings() -> Settings:
    return current_app.extensions["warehouse.settings"]


def system_context() -> Context:
    return Context(
        actor=SYSTEM, now=current_app.extensions["warehouse.clock"].now(), terminal_id="cli"
    )


def fail(exc: DomainError) -> None:
    """Prints a refused command's problem (and its per-field errors) and exits with 2."""
    errors = exc.extra.get("errors")
    click.echo(f"error: {exc.detail}", err=True)
    if errors:
        click.echo(json.dumps(errors, ensure_ascii=False), err=True)
    sys.exit(2)


def echo_fields(out: dict, as_json: bool, *, ensure_ascii: bool = False) -> None:
    """Prints a command's result: one JSON object (`--json`), or a `key: value` line each."""
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=ensure_ascii))
    else:
        for key, value in out.items():
            click.echo(f"{key}: {value}")


@contextmanager
def command_session() -> Iterator[Session]:
    """A session for one command, closed after it; a refused write fails the command (`fail`)."""
    session = current_app.extensions["warehouse.sessions"]()
    try:
        yield session
    except DomainError as exc:
        fail(exc)
    finally:
        session.close()
