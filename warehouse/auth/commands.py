"""`warehouse user create`: a staff account, with the badge code to print on its badge."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from warehouse.auth import services
from warehouse.auth.roles import Role
from warehouse.cli import command_session, echo_fields, system_context


def init_app(app: Flask) -> None:
    app.cli.add_command(user)


#: `warehouse user …`; as an AppGroup, each of its commands runs in the app context.
user = AppGroup("user", help="Staff accounts.")


@user.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--pin", required=True, help="4 to 12 digits.")
@click.option("--json", "as_json", is_flag=True, help="Print the user as JSON.")
def user_create(username, role, pin, as_json) -> None:
    """Create a staff member (prints the badge code to print on their badge)."""
    with command_session() as session:
        user = services.add_user(session, system_context(), username=username, role=role, pin=pin)
    out = {
        "id": str(user.id),
        "username": user.username,
        "role": user.role,
        "badge": user.badge_code,
    }
    echo_fields(out, as_json, ensure_ascii=True)
