"""Configuration: every setting in one place, read from `WAREHOUSE_*` environment variables.

Nothing here runs at import time; `Settings.from_env()` is called by `create_app()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

ENV_PREFIX = "WAREHOUSE_"


@dataclass(frozen=True)
class Settings:
    """The service's settings. Each field `name` is read from `WAREHOUSE_<NAME>`."""

    data_dir: Path = Path("./var")
    #: Empty means a SQLite file `warehouse.sqlite3` in `data_dir`.
    database_url: str = ""
    #: How long a staff token from `POST /auth/token` stays valid.
    token_hours: int = 12
    #: Largest request body accepted (photo uploads have their own limit).
    max_body_bytes: int = 1024 * 1024
    #: Seconds a SQLite writer waits for the lock before giving up.
    sqlite_busy_timeout_s: float = 10.0
    #: Pool size per worker process for PostgreSQL.
    db_pool_size: int = 5
    #: Seconds to wait for PostgreSQL to accept a connection before answering 503.
    db_connect_timeout_s: float = 5.0
    #: Log SQL statements.
    sql_echo: bool = False
    #: Wrong PINs in a row before a user is locked out for `lockout_minutes`.
    max_failed_logins: int = 5
    lockout_minutes: int = 5
    #: Largest photo upload accepted (413 beyond); photos are kept in `data_dir`/photos.
    photo_max_bytes: int = 10 * 1024 * 1024
    #: Largest image accepted, in pixels (width × height): refuses decompression bombs.
    photo_max_pixels: int = 50_000_000
    #: Seconds a verified API key or staff token is trusted without a database lookup
    #: (a revoked one stops working within this time); 0 looks up every request.
    credential_cache_seconds: float = 30.0
    #: Label printers, `name=host[:port]@dpi` separated by commas, such as
    #: `dock1=10.0.0.21:9100@203,qc1=10.0.0.22:9100@300`; read by `warehouse.printing.printers`.
    printers: str = ""
    #: Let stores' webhook URLs point at private, loopback or link-local addresses (an
    #: on-premises store's endpoint, tests); off, such URLs are refused and never posted to.
    webhook_allow_private: bool = False
    #: Let webhook URLs point at this host only (127.0.0.0/8, ::1, `localhost`): a local
    #: receiver beside a demo. `make run` sets it; never on for `warehouse serve` by default.
    webhook_allow_loopback: bool = False
    #: Signs the floor UI's session cookies; empty means one generated into `data_dir`.
    secret_key: str = ""
    #: The floor UI's language until a user picks one: `zh-CN` or `en`.
    default_language: str = "zh-CN"
    #: The warehouse's own time zone (IANA name): what "today" and each hour mean on the
    #: supervisor's dashboard.
    timezone: str = "Asia/Shanghai"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, with the SQLite default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'warehouse.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Settings from the environment, with `overrides` (used by tests) taking precedence."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _convert(f.type, raw, f.name)
        values.update(overrides)
        return cls(**values)


def _convert(type_name: str, raw: str, name: str):
    """Turns an environment string into the field's type, naming the variable when it can't."""
    try:
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name == "bool":
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if type_name == "Path":
            return Path(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r}: {exc}") from None
    return raw
