"""Bins: registering storage locations, reading scanned bin codes, and what is in each bin.

Bin codes are issued and checked by `scanners.codes` only: a location name plus its
MOD 37,36 check character, so a misread bin label is refused instead of putting a unit on
the wrong shelf.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import scanners
from scanners import codes
from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.disposition.models import Bin, UnitLocation
from warehouse.errors import Conflict, InvalidInput, NotFound
from warehouse.inspection.models import UnitStatus
from warehouse.receiving.models import Unit
from warehouse.texts import Text

MAX_UNITS_SHOWN = 200


def register_bin(session: Session, ctx: Context, *, name: str, description: str | None) -> Bin:
    """Registers a location by its name (such as A0103); answers it with its full code."""
    try:
        code = codes.bin_code(name.strip().upper())
    except ValueError as exc:
        raise InvalidInput({"code": [str(exc).capitalize() + "."]}) from None
    if session.scalar(select(Bin.id).where(Bin.code == code)) is not None:
        raise Conflict(Text("Bin {code} is registered already.", code=code), code=code)
    bin_ = Bin(
        code=code, description=description, created_at=ctx.now, created_by=ctx.actor.label[:64]
    )
    session.add(bin_)
    session.flush()
    record(session, ctx, "bin.registered", "bin", code, after={"description": description})
    return bin_


def read_code(text: str, field: str = "bin") -> str:
    """The bin code in scanned or typed text, or a 422 when its check character is wrong."""
    code = codes.read_bin_code(scanners.parse(text).value)
    if code is None:
        raise InvalidInput(
            {
                field: [
                    Text(
                        "Not a bin code: the check character does not match. Scan the label again."
                    )
                ]
            }
        )
    return code


def find_bin(session: Session, text: str) -> Bin:
    """The registered bin a scanned code names (422 when misread, 404 when unknown)."""
    code = read_code(text, "code")
    found = session.scalar(select(Bin).where(Bin.code == code))
    if found is None:
        raise NotFound(Text("Bin {code} is not registered.", code=code))
    return found


def bin_for_restock(session: Session, text: str, field: str = "bin") -> Bin:
    """The registered bin a unit is being put into; a misread or unknown bin is a 422."""
    code = read_code(text, field)
    found = session.scalar(select(Bin).where(Bin.code == code))
    if found is None:
        raise InvalidInput({field: [Text("Bin {code} is not registered.", code=code)]})
    return found


def list_bins(
    session: Session, *, limit: int, after: dict | None
) -> tuple[list[tuple[Bin, int]], dict | None]:
    """Bins by code, each with how many units it holds."""
    counts = (
        select(UnitLocation.bin_id, func.count().label("units"))
        .group_by(UnitLocation.bin_id)
        .subquery()
    )
    query = (
        select(Bin, func.coalesce(counts.c.units, 0))
        .outerjoin(counts, counts.c.bin_id == Bin.id)
        .order_by(Bin.code)
    )
    if after is not None:
        if not isinstance(after.get("code"), str):
            raise InvalidInput({"cursor": ["Not a cursor this API issued."]})
        query = query.where(Bin.code > after["code"])
    rows = [(b, n) for b, n in session.execute(query.limit(limit + 1))]
    page = rows[:limit]
    return page, ({"code": page[-1][0].code} if len(rows) > limit else None)


def bin_view(bin_: Bin, units: int | None = None) -> dict:
    body = {
        "code": bin_.code,
        "name": bin_.code[:-1],
        "description": bin_.description,
        "created_at": bin_.created_at.isoformat(),
        "created_by": bin_.created_by,
    }
    if units is not None:
        body["unit_count"] = units
    return body


def bin_contents(session: Session, bin_: Bin) -> dict:
    """The bin and the units in it (the latest placed first)."""
    count = session.scalar(
        select(func.count()).select_from(UnitLocation).where(UnitLocation.bin_id == bin_.id)
    )
    rows = session.execute(
        select(Unit.lpn, Unit.sku, UnitStatus.grade, UnitLocation.placed_at, UnitLocation.placed_by)
        .join(UnitLocation, UnitLocation.unit_id == Unit.id)
        .outerjoin(UnitStatus, UnitStatus.unit_id == Unit.id)
        .where(UnitLocation.bin_id == bin_.id)
        .order_by(UnitLocation.placed_at.desc(), Unit.lpn)
        .limit(MAX_UNITS_SHOWN)
    )
    return {
        **bin_view(bin_, count),
        "units": [
            {
                "lpn": lpn,
                "sku": sku,
                "grade": grade,
                "placed_at": placed_at.isoformat(),
                "placed_by": placed_by,
            }
            for lpn, sku, grade, placed_at, placed_by in rows
        ],
    }
