"""Staff roles and what each may do. One table, read by the permission checks."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RECEIVER = "receiver"
    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    VIEW = "view"  # read returns, parcels, units
    RECEIVE = "receive"  # scan parcels and items, close parcels
    INSPECT = "inspect"  # fill checklists, take photos
    DISPOSE = "dispose"  # restock / refurbish / scrap along the recommended route
    SUPERVISE = "supervise"  # exceptions, overrides, manual matches, bins, checklists
    ADMINISTER = "administer"  # stores and staff


_FLOOR = {Permission.VIEW}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.RECEIVER: frozenset(_FLOOR | {Permission.RECEIVE, Permission.DISPOSE}),
    Role.INSPECTOR: frozenset(_FLOOR | {Permission.INSPECT, Permission.DISPOSE}),
    Role.SUPERVISOR: frozenset(set(Permission) - {Permission.ADMINISTER}),
    Role.ADMIN: frozenset(Permission),
}


def may(role: str, permission: Permission) -> bool:
    """Whether a staff member with `role` holds `permission`."""
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
