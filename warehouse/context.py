"""Who is acting, from which terminal, and when: passed from the edge into every service call.

Services take a `Context` rather than reaching for Flask globals, so they run the same from
a request, the CLI, a worker or a test, and every audit row says who did what.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["store", "staff", "system"]


@dataclass(frozen=True)
class Actor:
    """A store system (by API key), a staff member (by token) or the service itself."""

    kind: ActorKind
    id: uuid.UUID | None
    label: str
    role: str | None = None
    store_id: uuid.UUID | None = None

    @property
    def is_store(self) -> bool:
        return self.kind == "store"


SYSTEM = Actor(kind="system", id=None, label="system")


@dataclass(frozen=True)
class Context:
    """The actor, the time of the action and the terminal it came from."""

    actor: Actor
    now: dt.datetime
    terminal_id: str | None = None

    @property
    def store_scope(self) -> uuid.UUID | None:
        """The only store whose data this actor may see, or None for warehouse staff."""
        return self.actor.store_id if self.actor.is_store else None
