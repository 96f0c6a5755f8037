"""A unit's life on the floor after check-in, in plain Python: the one place that says which
move is legal from which state.

    received ──inspect──▶ inspected ──restock──────────▶ restocked ──move──▶ restocked
                            │  ▲ reinspect (supervisor)
                            │  └──┘
                            ├──refurbish──▶ refurbishing ──refurbished_restock──▶ restocked
                            │                            └──refurbished_scrap───▶ scrapped
                            ├──scrap──────────────▶ scrapped
                            ├──return_to_vendor───▶ returned_to_vendor
                            ├──liquidate──────────▶ liquidated
                            └──return_to_buyer────▶ returned_to_buyer

A unit with no recorded state is `received` (check-in made it).
"""

from __future__ import annotations

from enum import StrEnum

from warehouse.texts import Text


class UnitState(StrEnum):
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFURBISHING = "refurbishing"
    RESTOCKED = "restocked"
    SCRAPPED = "scrapped"
    RETURNED_TO_VENDOR = "returned_to_vendor"
    LIQUIDATED = "liquidated"
    RETURNED_TO_BUYER = "returned_to_buyer"


class Route(StrEnum):
    """Where an inspected unit goes (its disposition)."""

    RESTOCK = "restock"
    REFURBISH = "refurbish"
    SCRAP = "scrap"
    RETURN_TO_VENDOR = "return_to_vendor"
    LIQUIDATE = "liquidate"
    #: Not the store's item (wrong item, serial swap): it goes back to the buyer.
    RETURN_TO_BUYER = "return_to_buyer"


#: What may happen to a unit: inspection, each route (a route is a move of its own name),
#: then what ends a refurbishment and a restocked unit's move to another bin.
Move = StrEnum(
    "Move",
    [
        ("INSPECT", "inspect"),
        ("REINSPECT", "reinspect"),
        *((route.name, route.value) for route in Route),
        ("REFURBISHED_RESTOCK", "refurbished_restock"),
        ("REFURBISHED_SCRAP", "refurbished_scrap"),
        ("MOVE_BIN", "move_bin"),
    ],
    module=__name__,
)

#: The move each route is.
ROUTE_MOVE = {route: Move(route.value) for route in Route}

_AFTER_ROUTE = {
    Route.RESTOCK: UnitState.RESTOCKED,
    Route.REFURBISH: UnitState.REFURBISHING,
    Route.SCRAP: UnitState.SCRAPPED,
    Route.RETURN_TO_VENDOR: UnitState.RETURNED_TO_VENDOR,
    Route.LIQUIDATE: UnitState.LIQUIDATED,
    Route.RETURN_TO_BUYER: UnitState.RETURNED_TO_BUYER,
}

TRANSITIONS: dict[tuple[UnitState, Move], UnitState] = {
    (UnitState.RECEIVED, Move.INSPECT): UnitState.INSPECTED,
    (UnitState.INSPECTED, Move.REINSPECT): UnitState.INSPECTED,
    **{(UnitState.INSPECTED, ROUTE_MOVE[route]): state for route, state in _AFTER_ROUTE.items()},
    (UnitState.REFURBISHING, Move.REFURBISHED_RESTOCK): UnitState.RESTOCKED,
    (UnitState.REFURBISHING, Move.REFURBISHED_SCRAP): UnitState.SCRAPPED,
    (UnitState.RESTOCKED, Move.MOVE_BIN): UnitState.RESTOCKED,
}

#: States in which the unit has left the inspection bench for good.
DISPOSED = frozenset(set(UnitState) - {UnitState.RECEIVED, UnitState.INSPECTED})


class MoveRefused(Exception):
    """A move the unit's state does not allow; the message names the state, for a person."""

    def __init__(self, state: UnitState, message: str) -> None:
        super().__init__(message)
        self.state = state


def state_after(state: UnitState, move: Move) -> UnitState:
    """The unit's state after `move`, or MoveRefused saying why not."""
    after = TRANSITIONS.get((state, move))
    if after is None:
        raise MoveRefused(state, _why_not(state, move))
    return after


def _why_not(state: UnitState, move: Move) -> Text:
    routes = {m for m in ROUTE_MOVE.values()}
    state = state.value
    if move == Move.INSPECT and state == UnitState.INSPECTED:
        return Text("The unit is inspected already; only a supervisor may inspect it again.")
    if move in (Move.INSPECT, Move.REINSPECT):
        return Text("The unit is {state}: it can no longer be inspected.", state=state)
    if move in routes and state == UnitState.RECEIVED:
        return Text("The unit is received but not inspected: inspect it first.")
    if move in routes:
        return Text("The unit is {state} already: it was disposed of.", state=state)
    if move in (Move.REFURBISHED_RESTOCK, Move.REFURBISHED_SCRAP):
        return Text("The unit is {state}, not in refurbishment.", state=state)
    if move == Move.MOVE_BIN:
        return Text("The unit is {state}: only a restocked unit sits in a bin.", state=state)
    return Text("The unit is {state}: {move} is not possible.", state=state, move=move.value)
