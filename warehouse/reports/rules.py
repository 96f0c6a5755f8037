"""What is left to do before an undecided return is decided, in plain Python: the words a
supervisor reads beside a return near or past its deadline, so the list says how to act.

A received return is decided (refund requested, rejected, exchange) when every unit is
inspected, or when a supervisor accepts its shortage; open exceptions and a refund the store
has not confirmed hold it up too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from warehouse.texts import Text

SHORT = "short"


@dataclass(frozen=True)
class Progress:
    """Where one return stands: its status and refund state, units asked for, received and
    not yet inspected, and its unresolved exceptions by kind."""

    status: str
    refund_status: str
    units_expected: int
    units_received: int
    units_uninspected: int
    open_exceptions: Mapping[str, int] = field(default_factory=dict)


def steps_to_decide(progress: Progress) -> list[Text]:
    """What must happen for the return to be decided, most pressing first; empty when
    nothing on the floor holds it (it is being decided now)."""
    steps: list[Text] = []
    missing = max(progress.units_expected - progress.units_received, 0)
    if progress.open_exceptions.get(SHORT):
        steps.append(Text("Short by {count}: accept or reject the shortage.", count=missing))
    elif progress.status == "partially_received" and missing:
        steps.append(Text("{count} units still expected in a parcel.", count=missing))
    for kind in sorted(k for k in progress.open_exceptions if k != SHORT):
        steps.append(Text("Exception open ({kind}): resolve it.", kind=kind))
    if progress.units_uninspected == 1:
        steps.append(Text("1 unit not inspected yet."))
    elif progress.units_uninspected:
        steps.append(Text("{count} units not inspected yet.", count=progress.units_uninspected))
    if progress.refund_status == "requested":
        steps.append(Text("Refund requested: waiting for the store to confirm it."))
    elif progress.refund_status == "failed":
        steps.append(Text("The store's refund failed: retry the refund request."))
    if not steps and progress.status == "inspected":
        steps.append(Text("Every unit inspected: decide to refund or reject."))
    return steps
