"""Staff accounts and sign-in: PINs under a slow KDF, badges, expiring tokens, lockout."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

import scanners
from scanners import codes
from warehouse import secrets
from warehouse.audit.services import record
from warehouse.auth.models import StaffToken, StaffUser
from warehouse.auth.roles import Role
from warehouse.config import Settings
from warehouse.context import Actor, Context
from warehouse.db import unit_of_work
from warehouse.errors import Conflict, InvalidInput, NotFound, Unauthorized

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
PIN_PATTERN = re.compile(r"^[0-9]{4,12}$")
# Werkzeug's scrypt (n=2^15, r=8, p=1): deliberately slow, so a stolen table of short PINs
# costs real time to search.
PIN_HASH_METHOD = "scrypt"
# Compared against when the username is unknown, so a wrong name and a wrong PIN take the
# same time and do not reveal which usernames exist.
_DUMMY_PIN_HASH = generate_password_hash("000000", method=PIN_HASH_METHOD)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: dt.datetime
    user: StaffUser


def create_user(session: Session, ctx: Context, *, username: str, role: str, pin: str) -> StaffUser:
    """Adds a staff member with a fresh badge code. The caller commits."""
    errors: dict[str, list[str]] = {}
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        errors["username"] = [
            "1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit."
        ]
    if role not in set(Role):
        errors["role"] = [f"One of: {', '.join(Role)}."]
    if not PIN_PATTERN.match(pin):
        errors["pin"] = ["A PIN is 4 to 12 digits."]
    if errors:
        raise InvalidInput(errors)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
        raise Conflict(f"The username {username!r} is taken.")
    user = StaffUser(
        username=username,
        role=role,
        pin_hash=generate_password_hash(pin, method=PIN_HASH_METHOD),
        badge_code=codes.new_badge_code(),
        active=True,
        failed_logins=0,
        created_at=ctx.now,
    )
    session.add(user)
    session.flush()
    record(
        session,
        ctx,
        "staff.created",
        "staff_user",
        user.id,
        after={"username": username, "role": role},
    )
    return user


def sign_in_with_pin(
    session: Session,
    ctx: Context,
    *,
    username: str,
    pin: str,
    token_hours: int,
    max_failed: int,
    lockout_minutes: int,
) -> IssuedToken:
    """A token for the right username and PIN; repeated wrong PINs lock the account a while."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_PIN_HASH, pin)
        raise Unauthorized("Unknown username or wrong PIN.")
    if user.locked_until is not None and user.locked_until > ctx.now:
        raise Unauthorized("Too many wrong PINs; the account is locked for a few minutes.")
    if not user.active or not check_password_hash(user.pin_hash, pin):
        user.failed_logins += 1
        if user.failed_logins >= max_failed:
            user.locked_until = ctx.now + dt.timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
        # The failure count must survive the 401 that follows.
        session.commit()
        raise Unauthorized("Unknown username or wrong PIN.")
    user.failed_logins = 0
    user.locked_until = None
    return _issue_token(session, ctx, user, token_hours, method="pin")


def sign_in_with_badge(
    session: Session, ctx: Context, *, badge: str, token_hours: int
) -> IssuedToken:
    """A token for the staff member whose badge was scanned."""
    user = None
    scan = scanners.parse(badge)
    if scan.kind == "badge":
        user = session.scalar(select(StaffUser).where(StaffUser.badge_code == scan.value))
    if user is None or not user.active:
        raise Unauthorized("Unknown badge.")
    return _issue_token(session, ctx, user, token_hours, method="badge")


def _issue_token(
    session: Session, ctx: Context, user: StaffUser, token_hours: int, *, method: str
) -> IssuedToken:
    token = secrets.new_staff_token()
    expires_at = ctx.now + dt.timedelta(hours=token_hours)
    session.add(
        StaffToken(
            user_id=user.id,
            token_hash=secrets.digest(token),
            terminal_id=ctx.terminal_id,
            created_at=ctx.now,
            expires_at=expires_at,
        )
    )
    staff_ctx = Context(actor=staff_actor(user), now=ctx.now, terminal_id=ctx.terminal_id)
    record(session, staff_ctx, "staff.signed_in", "staff_user", user.id, after={"method": method})
    return IssuedToken(token=token, expires_at=expires_at, user=user)


def user_for_token(
    session: Session, token: str, now: dt.datetime
) -> tuple[StaffUser, dt.datetime] | None:
    """The active staff member an unexpired, unrevoked token belongs to, and its expiry."""
    row = session.execute(
        select(StaffUser, StaffToken.expires_at)
        .join(StaffToken, StaffToken.user_id == StaffUser.id)
        .where(
            StaffToken.token_hash == secrets.digest(token),
            StaffToken.expires_at > now,
            StaffToken.revoked_at.is_(None),
            StaffUser.active.is_(True),
        )
    ).first()
    return (row[0], row[1]) if row else None


def staff_actor(user: StaffUser) -> Actor:
    return Actor(kind="staff", id=user.id, label=user.username, role=user.role)


def set_language(session: Session, ctx: Context, user_id: uuid.UUID, language: str) -> None:
    """Saves the floor UI language a staff member chose, so every terminal they sign in
    on speaks it."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("No such staff user.")
    if user.language == language:
        return
    before = user.language
    user.language = language
    record(
        session,
        ctx,
        "staff.language_set",
        "staff_user",
        user.id,
        before={"language": before},
        after={"language": language},
    )


# --- use cases: each one transaction of its own, for the API views and the CLI -------------------


@unit_of_work
def add_user(session: Session, ctx: Context, *, username: str, role: str, pin: str) -> StaffUser:
    """Adds a staff member (`create_user`)."""
    return create_user(session, ctx, username=username, role=role, pin=pin)


@unit_of_work
def change_language(session: Session, ctx: Context, user_id: uuid.UUID, language: str) -> None:
    """Saves the language a staff member's pages are in (`set_language`)."""
    set_language(session, ctx, user_id, language)


@unit_of_work
def sign_in(
    session: Session,
    ctx: Context,
    settings: Settings,
    *,
    badge: str | None = None,
    username: str | None = None,
    pin: str | None = None,
) -> IssuedToken:
    """A token for a scanned badge, or else for a username and PIN, with the settings' token
    lifetime and lockout."""
    if badge:
        return sign_in_with_badge(session, ctx, badge=badge, token_hours=settings.token_hours)
    return sign_in_with_pin(
        session,
        ctx,
        username=username,
        pin=pin,
        token_hours=settings.token_hours,
        max_failed=settings.max_failed_logins,
        lockout_minutes=settings.lockout_minutes,
    )
