"""Check-in, the receiving stage: parcel scans, item scans, closing a parcel, manual matches.

Scans are idempotent by the terminal's `scan_id` (the answer is stored and replayed) and
race-safe by unique keys (one parcel per code, one unit per LPN) with the loser of a race
re-run by the flow's step. Staff act for every store of the centre. These functions run in
the caller's transaction (`warehouse.flow`) and answer what happened (the returns a scan or
a match matched); what follows in other stages (an express refund) is the flow's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

import scanners
from scanners import codes
from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.db import defer_write, insert_rows, new_id
from warehouse.errors import Conflict, InvalidInput, NotFound
from warehouse.events.outbox import append_event
from warehouse.events.types import EventType
from warehouse.queue import services as queue
from warehouse.queue.rules import DECIDED, OPEN_STATES, ExceptionKind
from warehouse.receiving.models import Parcel, ParcelReturn, ReceivingException, Scan, Unit
from warehouse.receiving.queries import find_parcel, parcel_view, unit_brief
from warehouse.receiving.rules import (
    COUNTS_AS_RECEIVED,
    EXCEPTION_FOR_OUTCOME,
    NOT_A_PARCEL,
    NOT_A_PARCEL_CODE,
    ExpectedLine,
    ItemCode,
    Outcome,
    Sender,
    match_item,
    parcel_code_refusal,
    reception_status,
    sender_conflict,
    shortfalls,
)
from warehouse.returns import identifiers
from warehouse.returns import rules as return_rules
from warehouse.returns.models import Return, ReturnLine
from warehouse.returns.rules import identifier_key
from warehouse.stores.models import Store
from warehouse.texts import Text

#: How far ahead of the server's clock a terminal's own `scanned_at` may be.
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
#: Exceptions that hold a parcel until a person says whose it is.
PARCEL_KINDS = (
    ExceptionKind.UNMATCHED_PARCEL,
    ExceptionKind.RETURN_NOT_OPEN,
    ExceptionKind.AMBIGUOUS_PARCEL,
)
#: Refusals at the parcel step that are the same words every time (translated on the floor).
NOT_A_PARCEL_MESSAGES = frozenset({*NOT_A_PARCEL.values(), NOT_A_PARCEL_CODE})
ITEM_CODE_KINDS = frozenset({"gtin", "gs1", "unknown"})
#: Stored scan answers are written with the transaction's other appended rows, in one INSERT.
_write_scans = insert_rows(Scan.__table__)


@dataclass(frozen=True)
class ScanAnswer:
    result: dict
    replayed: bool

    def body(self) -> dict:
        return {**self.result, "replayed": self.replayed}


# --- parcel scans ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParcelCode:
    """A scanned parcel code looked up: what it reads as, the returns it names, and the
    stored answer if this `scan_id` was answered before (a retried scan)."""

    scan_id: uuid.UUID
    code: str
    scan: scanners.Scan
    key: str
    returns: list[Return]
    earlier: ScanAnswer | None


@dataclass(frozen=True)
class ParcelScanned:
    """What a parcel scan did: the parcel opened (or re-opened) and the returns it was
    matched to just now (`matched`: what the flow acts on), with what its answer shows."""

    found: ParcelCode
    parcel: Parcel
    created: bool
    matched: list[Return]
    open_returns: list[Return]
    finished: list[Return]
    exception: ReceivingException | None
    scanned_at: dt.datetime


def look_up_parcel_code(session: Session, *, scan_id: uuid.UUID, code: str) -> ParcelCode:
    """The returns a scanned parcel code names, and the earlier answer to a retried scan."""
    scan = scanners.parse(code, context="parcel")
    key = identifier_key(scan.value)
    # The returns the code names, and whether this scan_id was seen, in one round trip; a
    # code naming no return needs the second look (rarely: an unmatched parcel).
    returns, seen = _returns_for_code(session, scan, key, scan_id)
    earlier = _earlier_scan(session, scan_id, "parcel", code) if seen or not returns else None
    return ParcelCode(scan_id, code, scan, key, returns, earlier)


def scan_parcel(
    session: Session,
    ctx: Context,
    found: ParcelCode,
    *,
    weight_grams: int | None = None,
    scanned_at: dt.datetime | None = None,
) -> ParcelScanned:
    """Matches a scanned parcel code to open returns; opens (or re-opens) its parcel.

    A parcel's label that matches nothing makes an unmatched parcel in the exception queue:
    it is never dropped. A code that is no parcel's label and matches nothing is refused
    (`rules.parcel_code_refusal`), and one naming open returns of several buyers or stores
    opens none of them: the parcel waits in the queue for a supervisor to choose.
    """
    scan, key, returns = found.scan, found.key, found.returns
    scanned_at = _terminal_time(ctx, scanned_at)
    if not returns:
        _refuse_parcel_code(scan, key)
    open_returns = [r for r in returns if r.status not in return_rules.FINISHED]
    finished = [r for r in returns if r.status in return_rules.FINISHED]
    # A parcel holds one buyer's returns: a code naming open returns of several buyers (or
    # stores) makes a person choose, rather than opening them all.
    ambiguous = len({_sender(r) for r in open_returns}) > 1
    parcel = _new_parcel(
        session,
        id=new_id(),
        code=key[:64],
        code_kind=scan.kind,
        carrier=scan.carrier,
        match_status="matched" if open_returns and not ambiguous else "unmatched",
        state="open",
        weight_grams=weight_grams,
        opened_by=ctx.actor.label,
        terminal_id=ctx.terminal_id,
        created_at=ctx.now,
        scanned_at=scanned_at,
    )
    created = parcel is not None
    joining = [] if ambiguous else open_returns
    if parcel is None:
        parcel, joining, ambiguous = _rescanned_parcel(
            session, key, returns, open_returns, joining, ambiguous
        )
    if weight_grams is not None:
        parcel.weight_grams = weight_grams
    matched = _link(parcel, ctx, joining)
    exception = None
    if parcel.links:
        if parcel.match_status != "matched":
            # An unmatched parcel scanned again after its return learnt this code.
            parcel.match_status = "matched"
            _resolve_held(session, ctx, parcel, "matched by a later scan")
    elif created or (ambiguous and not queue.open_for_parcel(session, parcel.id)):
        exception = _quarantine(session, ctx, parcel, scan, weight_grams, open_returns, finished)
    if created:
        record(
            session,
            ctx,
            "parcel.opened",
            "parcel",
            parcel.id,
            after={"code": key, "match_status": parcel.match_status},
        )
    return ParcelScanned(
        found, parcel, created, matched, open_returns, finished, exception, scanned_at
    )


def parcel_scan_answer(session: Session, ctx: Context, scanned: ParcelScanned) -> ScanAnswer:
    """The scan's answer (the parcel as it now stands), stored under its scan_id for retries."""
    found, parcel = scanned.found, scanned.parcel
    known = {r.id: r for r in found.returns}
    result = {
        "parcel": parcel_view(
            session,
            parcel,
            [known[link.return_id] for link in parcel.links if link.return_id in known]
            if all(link.return_id in known for link in parcel.links)
            else None,
            has_units=False if scanned.created else None,
        ),
        "exception": queue.exception_brief(scanned.exception) if scanned.exception else None,
        "scan": found.scan.to_dict(),
    }
    if scanned.finished and not scanned.open_returns:
        first = scanned.finished[0]
        result["warning"] = f"Return {first.rma_number} is {first.status}: quarantine this parcel."
    _record_scan(
        session,
        ctx,
        found.scan_id,
        "parcel",
        found.code,
        found.scan,
        scanned.scanned_at,
        result,
        parcel_id=parcel.id,
    )
    return ScanAnswer(result, replayed=False)


def _refuse_parcel_code(scan: scanners.Scan, key: str) -> None:
    """Refuses a code that names no return and is no parcel's label: junk, a failed check
    digit or an item's code; nothing is written (an unmatched parcel is only ever one with a
    parcel's label on it)."""
    if not key:
        raise InvalidInput({"code": ["Nothing readable was scanned."]})
    refusal = parcel_code_refusal(scan)
    if refusal is not None:
        detail = (
            refusal
            if refusal in NOT_A_PARCEL_MESSAGES
            else Text("Scanned {code!r}: {problem}.", code=scan.value, problem=refusal)
        )
        raise InvalidInput({"code": [refusal]}, detail=detail)


def _rescanned_parcel(
    session: Session,
    key: str,
    returns: list[Return],
    open_returns: list[Return],
    joining: list[Return],
    ambiguous: bool,
) -> tuple[Parcel, list[Return], bool]:
    """The parcel a code already has, locked (re-opened for a late item if it has returns
    still open), the returns joining it and whether the choice stays ambiguous."""
    parcel = session.scalar(
        select(Parcel)
        .where(Parcel.code == key[:64])
        .options(selectinload(Parcel.links))
        .with_for_update()
    )
    held = _held_returns(session, parcel, returns)
    senders = {sender for sender, _ in held.values()}
    if senders:
        # A re-scan adds only returns of the buyer whose returns the parcel holds: never
        # another store's or another buyer's (they are not in this box).
        joining = [r for r in open_returns if sender_conflict(senders, _sender(r)) is None]
        ambiguous = False
    still_open = joining or any(status not in return_rules.FINISHED for _, status in held.values())
    if parcel.state == "closed" and still_open:
        # Re-opened for a late item; a parcel whose returns are all finished stays closed
        # (nothing may be received into a closed or cancelled return).
        parcel.state, parcel.closed_at, parcel.closed_by = "open", None, None
    return parcel, joining, ambiguous


def _resolve_held(session: Session, ctx: Context, parcel: Parcel, note: str) -> None:
    """Resolves (as matched) the open exceptions that held the parcel until it had a return:
    it has one now."""
    queue.resolve_open(
        session, ctx, parcel_id=parcel.id, kinds=PARCEL_KINDS, resolution="matched", note=note
    )


def _link(parcel: Parcel, ctx: Context, joining: list[Return]) -> list[Return]:
    """Links the parcel to the joining returns it is not linked to yet; answers those."""
    linked = {link.return_id for link in parcel.links}
    matched = [ret for ret in joining if ret.id not in linked]
    for ret in matched:
        parcel.links.append(
            ParcelReturn(
                parcel_id=parcel.id, return_id=ret.id, matched_by="scan", created_at=ctx.now
            )
        )
    return matched


def _sender(ret: Return) -> Sender:
    return Sender(ret.store_id, ret.buyer_id)


def _held_returns(
    session: Session, parcel: Parcel, known: list[Return]
) -> dict[uuid.UUID, tuple[Sender, str]]:
    """The returns the parcel holds (of one buyer of one store, or none yet): who sent each
    and its status."""
    ids = {link.return_id for link in parcel.links}
    found = {r.id: (_sender(r), r.status) for r in known if r.id in ids}
    missing = ids - found.keys()
    if missing:
        rows = session.execute(
            select(Return.id, Return.store_id, Return.buyer_id, Return.status).where(
                Return.id.in_(missing)
            )
        )
        found.update({row.id: (Sender(row.store_id, row.buyer_id), row.status) for row in rows})
    return found


def _quarantine(session, ctx, parcel, scan, weight_grams, open_returns, finished):
    """Queues a parcel no one return can be given: no match, a finished return, or open
    returns of several buyers (then a supervisor chooses which one it is)."""
    details = {
        "code": scan.value,
        "kind": scan.kind,
        "carrier": scan.carrier,
        "weight_grams": weight_grams,
    }
    if open_returns:
        kind, named = ExceptionKind.AMBIGUOUS_PARCEL, open_returns
    elif finished:
        kind, named = ExceptionKind.RETURN_NOT_OPEN, finished
    else:
        kind, named = ExceptionKind.UNMATCHED_PARCEL, []
    if named:
        details["returns"] = [
            {"id": str(r.id), "rma_number": r.rma_number, "status": r.status} for r in named
        ]
    # A return that is not open belongs to one store; several buyers' returns to no one.
    owner = finished[0] if kind == ExceptionKind.RETURN_NOT_OPEN else None
    return queue.open_exception(
        session,
        ctx,
        kind,
        parcel_id=parcel.id,
        store_id=owner.store_id if owner else None,
        return_id=owner.id if owner else None,
        details=details,
    )


def _new_parcel(session: Session, **columns) -> Parcel | None:
    """Inserts a parcel unless one with its code exists (then answers None), in one round trip.

    INSERT … ON CONFLICT DO NOTHING also settles two terminals scanning one new parcel at
    once: the second waits for the first to commit and then finds its parcel.
    """
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    inserted = session.scalar(
        upsert(Parcel).values(**columns).on_conflict_do_nothing().returning(Parcel)
    )
    if inserted is not None:
        # A new parcel has no returns yet: nothing to load.
        set_committed_value(inserted, "links", [])
    return inserted


def _returns_for_code(
    session: Session, scan, key: str, scan_id: uuid.UUID
) -> tuple[list[Return], bool]:
    """Every return one of whose identifiers equals the scanned code (exactly), and whether
    a scan under `scan_id` exists already (known only when some return matched)."""
    if not key:
        return [], False
    return_ids = identifiers.returns_named(scan)
    seen = select(Scan.scan_id).where(Scan.scan_id == scan_id).exists()
    rows = (
        session.execute(
            select(Return, seen)
            .where(Return.id.in_(return_ids))
            .options(joinedload(Return.lines))
            .order_by(Return.created_at)
            # FOR KEY SHARE: a cancel (FOR UPDATE) of one of these returns waits for this
            # scan, or this scan for the cancel and then sees it; updates of the returns'
            # other columns (a close, a refund) are not held up.
            .with_for_update(read=True, key_share=True, of=Return)
        )
        .unique()
        .all()
    )
    return [ret for ret, _ in rows], any(was_seen for _, was_seen in rows)


@dataclass(frozen=True)
class Matched:
    """What a match did: the parcel, and the returns it was matched to just now."""

    parcel: Parcel
    returns: list[Return]


def match_parcel(
    session: Session, ctx: Context, parcel_id: uuid.UUID, return_id: uuid.UUID
) -> Matched:
    """A supervisor says which return an (unmatched) parcel belongs to.

    Matching is for a parcel still open: one no return has yet, or one that holds returns of
    the same buyer. A closed parcel, or one holding another store's or another buyer's
    return, is refused: the parcel would show up on that other return (and its store).
    Answers the return matched; what follows from it (an express refund) is the flow's.
    """
    parcel = find_parcel(session, parcel_id, for_update=True)
    ret = session.scalar(select(Return).where(Return.id == return_id))
    if ret is None:
        raise NotFound(Text("No such return."))
    if ret.status in return_rules.FINISHED:
        raise Conflict(
            Text(
                "Return {rma} is {status}; it expects no parcel.",
                rma=ret.rma_number,
                status=str(ret.status),
            )
        )
    if any(link.return_id == ret.id for link in parcel.links):
        raise Conflict(Text("The parcel is already matched to {rma}.", rma=ret.rma_number))
    if parcel.state != "open":
        raise Conflict(
            Text("The parcel is closed: only a parcel still open is matched."),
            parcel_state=parcel.state,
        )
    held = _held_returns(session, parcel, [])
    conflict = sender_conflict({sender for sender, _ in held.values()}, _sender(ret))
    if conflict is not None:
        raise Conflict(
            Text("Cannot match {rma}: {conflict}.", rma=ret.rma_number, conflict=conflict),
            parcel_state=parcel.state,
        )
    before = {"match_status": parcel.match_status}
    parcel.links.append(
        ParcelReturn(parcel_id=parcel.id, return_id=ret.id, matched_by="manual", created_at=ctx.now)
    )
    parcel.match_status = "matched"
    session.flush()
    _resolve_held(session, ctx, parcel, f"matched to {ret.rma_number}")
    record(
        session,
        ctx,
        "parcel.matched",
        "parcel",
        parcel.id,
        store_id=ret.store_id,
        before=before,
        after={"match_status": "matched", "return_id": str(ret.id)},
    )
    return Matched(parcel, [ret])


# --- item scans -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScanLookup:
    """An item scan's parcel (locked; None if there is none) and the stored answer if this
    `scan_id` was answered before (a retried scan)."""

    parcel: Parcel | None
    earlier: ScanAnswer | None


def look_up_item_scan(
    session: Session, parcel_id: uuid.UUID, *, scan_id: uuid.UUID, code: str
) -> ItemScanLookup:
    """The parcel, locked, and any earlier scan under this scan_id, in one round trip; the
    same scan_id used for another scan is a conflict."""
    found = session.execute(
        select(Parcel, Scan)
        .outerjoin(Scan, Scan.scan_id == scan_id)
        .where(Parcel.id == parcel_id)
        .with_for_update(of=Parcel)
    ).first()
    earlier = _replay(found[1] if found else session.get(Scan, scan_id), "item", code, parcel_id)
    return ItemScanLookup(found[0] if found else None, earlier)


def scan_item(
    session: Session,
    ctx: Context,
    parcel: Parcel | None,
    *,
    scan_id: uuid.UUID,
    code: str,
    damaged: bool = False,
    scanned_at: dt.datetime | None = None,
) -> ScanAnswer:
    """Receives one item out of an open parcel (`look_up_item_scan`'s): a new unit with its
    own LPN, tied to the return line it satisfies, or flagged (wrong item, extra, serial
    mismatch) in the queue."""
    _refuse_item_parcel(parcel)
    scan = scanners.parse(code, context="item")
    scanned_at = _terminal_time(ctx, scanned_at)
    _refuse_item_code(scan)

    lines, store_of = _locked_lines(session, parcel.id)
    expected = _expected_lines(
        session,
        lines,
        with_serials=scan.serial is not None or any(ln.serial_numbers for ln in lines),
    )
    item = ItemCode(text=scan.value, gtin=scan.gtin, serial=scan.serial)
    match = match_item(expected, item, damaged=damaged)
    if match.outcome == Outcome.DUPLICATE_SERIAL:
        existing = session.scalar(select(Unit.lpn).where(Unit.serial == match.serial))
        raise Conflict(
            Text(
                "Serial {serial} was already received as {lpn}.", serial=match.serial, lpn=existing
            ),
            lpn=existing,
        )
    line = next((row for row in lines if match.line and row.id == match.line.id), None)
    unit = _new_unit(session, ctx, parcel, line, store_of, match, scan, scanned_at)
    if line is not None:
        _count(session, line, match.outcome)
    exception = _flag_item(session, ctx, parcel, line, unit, match, scan)
    record(
        session,
        ctx,
        "unit.received",
        "unit",
        unit.lpn,
        store_id=unit.store_id,
        after={
            "parcel_id": str(parcel.id),
            "return_line_id": str(unit.return_line_id),
            "reception_status": unit.reception_status,
            "serial": unit.serial,
        },
    )
    result = {
        "unit": unit_brief(unit, line),
        "exception": queue.exception_brief(exception) if exception else None,
        "scan": scan.to_dict(),
    }
    _record_scan(
        session,
        ctx,
        scan_id,
        "item",
        code,
        scan,
        scanned_at,
        result,
        parcel_id=parcel.id,
        unit_id=unit.id,
    )
    return ScanAnswer(result, replayed=False)


def _refuse_item_parcel(parcel: Parcel | None) -> None:
    """Items are received only into a parcel that exists, is open and is matched."""
    if parcel is None:
        raise NotFound(Text("No such parcel."))
    if parcel.state != "open":
        raise Conflict(
            "The parcel is closed; scan the parcel again to re-open it.", parcel_state=parcel.state
        )
    if parcel.match_status != "matched":
        raise Conflict(
            Text("The parcel is not matched to a return yet; a supervisor matches it first."),
            parcel_state=parcel.state,
        )


def _refuse_item_code(scan: scanners.Scan) -> None:
    """A code that failed its own check, or is no item's code (an LPN, a slip, a label)."""
    if scan.problem:
        raise InvalidInput(
            {"code": [scan.problem]},
            detail=Text("Scanned {code!r}: {problem}.", code=scan.value, problem=scan.problem),
        )
    if scan.kind not in ITEM_CODE_KINDS:
        hint = {
            "lpn": "it already has an LPN",
            "rma": "it is a return slip",
            "tracking": "it is a parcel label",
            "badge": "it is a staff badge",
        }
        raise InvalidInput({"code": [f"Not an item code: {hint.get(scan.kind, scan.kind)}."]})


def _new_unit(session, ctx, parcel, line, store_of, match, scan, scanned_at) -> Unit:
    """The unit the item becomes, written at once (exceptions and scans refer to it); an
    item no line expects is filed under the parcel's first return."""
    if line is not None:
        return_id, store_id = line.return_id, store_of[line.return_id]
    else:
        return_id, store_id = _first_return(session, parcel.id)
    unit = Unit(
        id=new_id(),
        lpn=codes.new_lpn(),
        parcel_id=parcel.id,
        return_id=return_id,
        return_line_id=line.id if line is not None and match.outcome != Outcome.EXTRA else None,
        store_id=store_id,
        reception_status=str(match.outcome),
        scanned_code=scan.value[:200],
        gtin=scan.gtin,
        sku=line.sku if line is not None else None,
        serial=match.serial,
        received_by=ctx.actor.label,
        terminal_id=ctx.terminal_id,
        created_at=ctx.now,
        scanned_at=scanned_at,
    )
    session.add(unit)
    session.flush()  # the unit row first: exceptions and scans refer to it
    return unit


def _flag_item(session, ctx, parcel, line, unit, match, scan) -> ReceivingException | None:
    """The queue's side of a received item: an exception for a wrong, extra, damaged or
    mismatched one, and a line left short by an earlier parcel settled by a late item.
    Answers the exception opened, if any."""
    exception = None
    kind = EXCEPTION_FOR_OUTCOME.get(match.outcome)
    if kind is not None:
        exception = queue.open_exception(
            session,
            ctx,
            kind,
            parcel_id=parcel.id,
            return_id=unit.return_id,
            unit_id=unit.id,
            return_line_id=line.id if line is not None else None,
            store_id=unit.store_id,
            details={"lpn": unit.lpn, "scanned": scan.value, **match.evidence},
        )
    # A closed earlier parcel may have left this line short; the late item may complete it.
    if (
        line is not None
        and match.outcome in COUNTS_AS_RECEIVED
        and line.short_quantity
        and line.received_quantity >= line.quantity
    ):
        _received_later(
            session, ctx, ExceptionKind.SHORT, f"received as {unit.lpn}", return_line_id=line.id
        )
    return exception


def _received_later(
    session: Session, ctx: Context, kind: ExceptionKind, note: str, **where
) -> None:
    """Resolves the open `kind` exceptions `where` names (a line, a parcel): what they said
    was missing has been received since."""
    queue.resolve_open(session, ctx, **where, kinds=(kind,), resolution="received_later", note=note)


def _count(session: Session, line: ReturnLine, outcome: Outcome) -> None:
    """Adds the unit to its line's counts in the database, not from a stale read."""
    values: dict = {}
    if outcome in COUNTS_AS_RECEIVED:
        values["received_quantity"] = ReturnLine.received_quantity + 1
    if outcome == Outcome.DAMAGED_IN_TRANSIT:
        values["damaged_quantity"] = ReturnLine.damaged_quantity + 1
    if outcome == Outcome.EXTRA:
        values["extra_quantity"] = ReturnLine.extra_quantity + 1
    if values:
        # The ORM evaluates the same increments on `line` in memory, so it stays current.
        session.execute(update(ReturnLine).where(ReturnLine.id == line.id).values(**values))


def _locked_lines(
    session: Session, parcel_id: uuid.UUID
) -> tuple[list[ReturnLine], dict[uuid.UUID, uuid.UUID]]:
    """The lines of every return in the parcel, locked so two terminals count one at a time,
    and the store of each of those returns."""
    rows = session.execute(_lines_in_parcel(parcel_id, Return.store_id)).all()
    return [line for line, _ in rows], {line.return_id: store for line, store in rows}


def _lines_in_parcel(parcel_id: uuid.UUID, *columns) -> Select:
    """The lines of every return in the parcel (joined to their returns), with `columns`, in
    return and line order: locked, and read afresh (`populate_existing`), for counting."""
    in_parcel = select(ParcelReturn.return_id).where(ParcelReturn.parcel_id == parcel_id)
    return (
        select(ReturnLine, *columns)
        .join(Return, Return.id == ReturnLine.return_id)
        .where(ReturnLine.return_id.in_(in_parcel))
        .order_by(ReturnLine.return_id, ReturnLine.position)
        .with_for_update(of=ReturnLine)
        .execution_options(populate_existing=True)
    )


def _expected_lines(
    session: Session, lines: list[ReturnLine], *, with_serials: bool = True
) -> list[ExpectedLine]:
    """The rules' view of the lines; `with_serials` adds the serials already received."""
    received_serials: dict[uuid.UUID, set[str]] = {}
    if lines and with_serials:
        rows = session.execute(
            select(Unit.return_line_id, Unit.serial).where(
                Unit.return_line_id.in_([line.id for line in lines]), Unit.serial.is_not(None)
            )
        )
        for line_id, serial in rows:
            received_serials.setdefault(line_id, set()).add(serial)
    return [
        ExpectedLine(
            id=line.id,
            return_id=line.return_id,
            sku=line.sku,
            gtin=scanners.normalise_gtin(line.gtin) if line.gtin else None,
            quantity=line.quantity,
            received=line.received_quantity,
            serials=frozenset(line.serial_numbers or ()),
            received_serials=frozenset(received_serials.get(line.id, ())),
        )
        for line in lines
    ]


def _first_return(session: Session, parcel_id: uuid.UUID) -> tuple:
    """(return id, store id) of the parcel's first return: where a wrong item is filed."""
    row = session.execute(
        select(Return.id, Return.store_id)
        .join(ParcelReturn, ParcelReturn.return_id == Return.id)
        .where(ParcelReturn.parcel_id == parcel_id)
        .order_by(ParcelReturn.id)
        .limit(1)
    ).first()
    return (row.id, row.store_id) if row else (None, None)


# --- closing --------------------------------------------------------------------------------


def close_parcel(session: Session, ctx: Context, parcel_id: uuid.UUID) -> dict:
    """Ends receiving: short lines become exceptions and each return in the parcel moves to
    received or partially received, its store told (return.received). An empty parcel is one
    `empty_parcel` exception and nothing else until a supervisor resolves it; a parcel with
    no return yet cannot be closed (it waits on the exception shelf to be matched)."""
    parcel = find_parcel(session, parcel_id, for_update=True, with_links=False)
    if parcel.state != "open":
        raise Conflict("The parcel is already closed.", parcel_state=parcel.state)
    # One round trip for the locked lines, their returns, the stores' decision hours and the
    # parcel's unit count (a parcel with no return has no lines, and never any units).
    units_in_parcel = (
        select(func.count()).select_from(Unit).where(Unit.parcel_id == parcel.id)
    ).scalar_subquery()
    empty_queued = (
        select(func.count())
        .select_from(ReceivingException)
        .where(
            ReceivingException.parcel_id == parcel.id,
            ReceivingException.kind == ExceptionKind.EMPTY_PARCEL,
            ReceivingException.status.in_(OPEN_STATES),
        )
    ).scalar_subquery()
    rows = session.execute(
        _lines_in_parcel(
            parcel.id, Return, Store.decision_hours, units_in_parcel, empty_queued
        ).join(Store, Store.id == Return.store_id)
    ).all()
    if not rows:
        raise Conflict(
            "The parcel is not matched to a return yet; a supervisor matches it first.",
            parcel_state=parcel.state,
        )
    units, empty_before = rows[0][3], rows[0][4]
    parcel.state, parcel.closed_at, parcel.closed_by = "closed", ctx.now, ctx.actor.label
    by_return: dict[uuid.UUID, list[ReturnLine]] = {}
    returns: list[Return] = []
    decision_hours: dict[uuid.UUID, int] = {}
    for line, ret, hours, *_ in rows:
        if ret.id not in by_return:
            by_return[ret.id] = []
            returns.append(ret)
            decision_hours[ret.id] = hours
        by_return[ret.id].append(line)
    opened: list = []
    summaries = []
    # A return already decided (rejected, closed, cancelled) has nothing left to be short of.
    undecided = [r for r in returns if r.status not in DECIDED]
    if not units:
        # An empty box is one exception and one outcome: no shortages, no return.received;
        # the supervisor's resolution (a rejection) is what its store is told.
        if not empty_before and undecided:
            opened.append(
                queue.open_exception(
                    session,
                    ctx,
                    ExceptionKind.EMPTY_PARCEL,
                    parcel_id=parcel.id,
                    return_id=undecided[0].id,
                    store_id=undecided[0].store_id,
                    details={
                        "code": parcel.code,
                        "weight_grams": parcel.weight_grams,
                        "returns": [r.rma_number for r in undecided],
                    },
                )
            )
    else:
        if empty_before:
            # A box first closed empty, then re-opened and found to hold items after all.
            note = "items received when the parcel was re-opened"
            _received_later(session, ctx, ExceptionKind.EMPTY_PARCEL, note, parcel_id=parcel.id)
        for ret in (r for r in returns if r.status not in return_rules.FINISHED):
            summaries.append(
                _close_return(
                    session, ctx, parcel, ret, by_return[ret.id], decision_hours[ret.id], opened
                )
            )
    record(
        session,
        ctx,
        "parcel.closed",
        "parcel",
        parcel.id,
        after={"units": units, "exceptions": len(opened)},
    )
    return {
        "parcel": parcel_view(
            session, parcel, returns, has_units=units > 0, lines_by_return=by_return
        ),
        "units": units,
        "returns": summaries,
        "exceptions": [queue.exception_brief(e) for e in opened],
    }


def _close_return(
    session, ctx, parcel, ret: Return, lines: list[ReturnLine], decision_hours: int, opened: list
) -> dict:
    expected = _expected_lines(session, lines, with_serials=False)
    for shortfall in shortfalls(expected) if ret.status not in DECIDED else ():
        line = next(row for row in lines if row.id == shortfall.line.id)
        line.short_quantity = shortfall.missing
        opened.append(queue.open_or_update_short(session, ctx, parcel, line, shortfall.missing))
    for line in lines:
        if line.remaining_quantity == 0:
            line.short_quantity = 0
    reception = reception_status(expected)
    before = {"status": ret.status, "reception_status": ret.reception_status}
    ret.reception_status = reception
    if ret.status not in return_rules.FINISHED:
        ret.status = return_rules.status_after_receipt(
            return_rules.ReturnStatus(ret.status), reception
        )
    if ret.received_at is None:
        ret.received_at = ctx.now
        ret.due_at = ctx.now + dt.timedelta(hours=decision_hours)
    ret.updated_at = ctx.now
    line_counts = [
        {
            "line_id": line.line_id,
            "sku": line.sku,
            "quantity": line.quantity,
            "received": line.received_quantity,
            "damaged": line.damaged_quantity,
            "short": line.short_quantity,
            "extra": line.extra_quantity,
        }
        for line in lines
    ]
    append_event(
        session,
        ctx,
        ret,
        EventType.RETURN_RECEIVED,
        parcel_id=str(parcel.id),
        reception_status=reception,
        received_at=ret.received_at.isoformat(),
        due_at=ret.due_at.isoformat(),
        lines=line_counts,
    )
    record(
        session,
        ctx,
        "return.received",
        "return",
        ret.id,
        store_id=ret.store_id,
        before=before,
        after={"status": ret.status, "reception_status": reception},
    )
    return {
        "return_id": str(ret.id),
        "rma_number": ret.rma_number,
        "status": ret.status,
        "reception_status": reception,
        "lines": line_counts,
    }


# --- helpers --------------------------------------------------------------------------------


def _terminal_time(ctx: Context, scanned_at: dt.datetime | None) -> dt.datetime:
    """The terminal's own scan time (it may have been offline), or now."""
    if scanned_at is None:
        return ctx.now
    if scanned_at > ctx.now + MAX_CLOCK_SKEW:
        raise InvalidInput({"scanned_at": ["In the future: check the terminal's clock."]})
    return scanned_at.astimezone(dt.UTC)


def _earlier_scan(
    session: Session, scan_id: uuid.UUID, scan_type: str, code: str, parcel_id=None
) -> ScanAnswer | None:
    """The stored answer to a retried scan; the same id for another scan is a conflict."""
    return _replay(session.get(Scan, scan_id), scan_type, code, parcel_id)


def _replay(earlier: Scan | None, scan_type: str, code: str, parcel_id=None) -> ScanAnswer | None:
    """The answer `earlier` (the scan stored under a retried scan_id) gave, if it was this
    same scan; the same id for another scan is a conflict."""
    if earlier is None:
        return None
    if (
        earlier.scan_type != scan_type
        or earlier.raw_code != code[:500]
        or (parcel_id is not None and earlier.parcel_id != parcel_id)
    ):
        raise Conflict(Text("This scan_id was used for another scan; each scan needs a new one."))
    return ScanAnswer(earlier.result, replayed=True)


def _record_scan(
    session,
    ctx: Context,
    scan_id,
    scan_type,
    code,
    scan,
    scanned_at,
    result,
    *,
    parcel_id=None,
    unit_id=None,
) -> None:
    defer_write(
        session,
        _write_scans,
        {
            "scan_id": scan_id,
            "scan_type": scan_type,
            "raw_code": code[:500],
            "parsed_kind": scan.kind,
            "parsed_value": scan.value[:500],
            "parcel_id": parcel_id,
            "unit_id": unit_id,
            "actor_id": ctx.actor.id,
            "actor_label": ctx.actor.label,
            "terminal_id": ctx.terminal_id,
            "scanned_at": scanned_at,
            "received_at": ctx.now,
            "result": result,
        },
    )
