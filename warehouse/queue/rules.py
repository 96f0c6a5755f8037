"""The exception queue's rules, in plain Python: the kinds of exception, the states one passes
through, and what each kind may be resolved with and what that does. The queue's services
feed them rows and act on their answers."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ExceptionKind(StrEnum):
    UNMATCHED_PARCEL = "unmatched_parcel"
    RETURN_NOT_OPEN = "return_not_open"
    SHORT = "short"
    EXTRA = "extra"
    WRONG_ITEM = "wrong_item"
    SERIAL_MISMATCH = "serial_mismatch"
    EMPTY_PARCEL = "empty_parcel"
    TRANSIT_DAMAGE = "transit_damage"
    #: The parcel's code names open returns of more than one buyer (or store): a person
    #: chooses which one the parcel is.
    AMBIGUOUS_PARCEL = "ambiguous_parcel"
    #: Inspection found fault with a unit an express refund had already paid for.
    FINDING_AFTER_REFUND = "finding_after_refund"


class Resolution(StrEnum):
    """What a supervisor decided. `matched` and `received_later` are also set by the system."""

    MATCH = "matched"
    ACCEPT = "accepted"
    REJECT = "rejected"
    RETURN_TO_BUYER = "returned_to_buyer"


class Action(StrEnum):
    """What a supervisor may choose, by the API's names."""

    MATCH = "match"
    ACCEPT = "accept"
    REJECT = "reject"
    RETURN_TO_BUYER = "return_to_buyer"


#: Actions a person may choose, per the API's names, and the resolution each records.
ACTIONS: dict[str, Resolution] = {action.value: Resolution[action.name] for action in Action}
OPEN_STATES = ("open", "claimed")


class Effect(StrEnum):
    """What a resolution does beyond closing the exception."""

    #: The parcel joins the return the supervisor names; receiving goes on.
    MATCH_PARCEL = "match_parcel"
    #: The return goes on with what arrived: received, and decided once inspected.
    ACCEPT_SHORTAGE = "accept_shortage"
    #: The return is rejected and its store told (`return.rejected`), with the evidence.
    REJECT_RETURN = "reject_return"
    #: Recorded only: the parcel or unit goes on (or back) as the note says, and the return
    #: goes on by inspection as before.
    RECORD = "record"


K, A, E = ExceptionKind, Action, Effect
#: The queue's rules, in one place: the actions each kind of exception may be resolved with,
#: and what each does. Anything else is refused (409). Every effect leaves the return a way
#: forward: matched parcels are received, accepted shortages are decided, rejections are
#: told, and recorded ones change nothing the return was waiting on.
QUEUE_ACTIONS: dict[ExceptionKind, dict[Action, Effect]] = {
    K.UNMATCHED_PARCEL: {A.MATCH: E.MATCH_PARCEL, A.RETURN_TO_BUYER: E.RECORD},
    K.AMBIGUOUS_PARCEL: {A.MATCH: E.MATCH_PARCEL, A.RETURN_TO_BUYER: E.RECORD},
    K.RETURN_NOT_OPEN: {A.MATCH: E.MATCH_PARCEL, A.RETURN_TO_BUYER: E.RECORD},
    K.SHORT: {A.ACCEPT: E.ACCEPT_SHORTAGE, A.REJECT: E.REJECT_RETURN},
    K.EMPTY_PARCEL: {A.REJECT: E.REJECT_RETURN, A.RETURN_TO_BUYER: E.REJECT_RETURN},
    # An extra unit is not part of the return (never counted, never refunded).
    K.EXTRA: {A.ACCEPT: E.RECORD, A.RETURN_TO_BUYER: E.RECORD},
    # Units counted on the return: inspection decides their refund and route, so the queue
    # only acknowledges them (sending one back is the disposition's return_to_buyer route).
    K.WRONG_ITEM: {A.ACCEPT: E.RECORD},
    K.SERIAL_MISMATCH: {A.ACCEPT: E.RECORD},
    K.TRANSIT_DAMAGE: {A.ACCEPT: E.RECORD},
    K.FINDING_AFTER_REFUND: {A.ACCEPT: E.RECORD},
}
del K, A, E

#: Return statuses in which nothing is left to decide: a resolution acting on such a return
#: is refused.
DECIDED = frozenset({"rejected", "closed", "cancelled"})


def legal_actions(kind: str) -> tuple[str, ...]:
    """The actions an exception of `kind` may be resolved with, in the table's order."""
    return tuple(str(action) for action in QUEUE_ACTIONS.get(ExceptionKind(kind), {}))


def resolution_effect(kind: str, action: str) -> Effect | None:
    """What resolving an exception of `kind` with `action` does; None when it may not."""
    if action not in Action.__members__.values():
        return None
    return QUEUE_ACTIONS.get(ExceptionKind(kind), {}).get(Action(action))


def handling_refusal(status: str, claimed_by: str | None, actor: str) -> str | None:
    """Why `actor` may not claim or resolve an exception in `status`, claimed by
    `claimed_by`, for a person; None when they may: a resolved exception is done, and a
    claimed one is its claimant's."""
    if status == "resolved":
        return "The exception is resolved already."
    if status == "claimed" and claimed_by != actor:
        return f"{claimed_by} has claimed this exception."
    return None


def resolution_refusal(
    kind: str, action: str, *, return_statuses: Iterable[str] = (), units_received: int = 0
) -> str | None:
    """Why resolving an exception of `kind` with `action` is refused, for a person; None when
    it may go ahead. `return_statuses` are those of the returns the resolution acts on and
    `units_received` what they received so far."""
    effect = resolution_effect(kind, action)
    if effect is None:
        allowed = " or ".join(legal_actions(kind)) or "nothing"
        return f"A {kind} exception is resolved by {allowed}, not {action}."
    if effect in (Effect.ACCEPT_SHORTAGE, Effect.REJECT_RETURN):
        decided = sorted(set(return_statuses) & DECIDED)
        if decided:
            return f"The return is {decided[0]} already: nothing is left to decide."
    if effect == Effect.ACCEPT_SHORTAGE:
        if set(return_statuses) - {"partially_received"}:
            return "Only a partially received return's shortage can be accepted."
        if units_received == 0:
            return "Nothing of the return arrived: reject it instead."
    return None
