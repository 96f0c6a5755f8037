"""HTTP endpoints for bins (supervisors register them), dispositions and moves (the floor),
and the refurbishment queue."""

from __future__ import annotations

import functools

from flask.views import MethodView
from flask_smorest import Blueprint

from warehouse import flow
from warehouse.api import (
    PageQuerySchema,
    context,
    page_answer,
    paging,
    parse_id,
    session,
)
from warehouse.auth.roles import Permission
from warehouse.disposition import bins, queries, services
from warehouse.disposition.schemas import (
    BinContentsSchema,
    BinInSchema,
    BinPageSchema,
    BinSchema,
    DispositionInSchema,
    MoveInSchema,
    NoteInSchema,
    RefurbishCompleteInSchema,
    RefurbishmentPageSchema,
    RefurbishmentSchema,
    RefurbishQuerySchema,
    UnitDispositionSchema,
)
from warehouse.endpoints import endpoint

blp = Blueprint(
    "disposition",
    __name__,
    url_prefix="/api/v1",
    description="Disposition: bins, restock / refurbish / scrap, refurbishment orders.",
)


#: A read's decorators (`endpoint`): anyone who may view.
_reads = functools.partial(endpoint, blp, Permission.VIEW)
#: A floor step's decorators (`endpoint`): the disposer's permission.
_floor_step = functools.partial(endpoint, blp, Permission.DISPOSE)


def _step_fields(data: dict) -> dict:
    """A floor step's body as its flow step takes it: the scanned `bin` as `bin_code`."""
    fields = dict(data)
    fields["bin_code"] = fields.pop("bin")
    return fields


# --- bins ------------------------------------------------------------------------------------


@blp.route("/bins")
class Bins(MethodView):
    @_reads(BinPageSchema, query=PageQuerySchema)
    def get(self, query):
        """Registered bins by code, with how many units each holds."""
        page, position = bins.list_bins(session(), **paging(query))
        return page_answer([bins.bin_view(b, n) for b, n in page], position)

    @endpoint(
        blp,
        Permission.SUPERVISE,
        BinSchema,
        status=201,
        body=BinInSchema,
        problems=((409, "The bin is registered already."),),
    )
    def post(self, data):
        """Register a bin: answers its full code, check character appended, for its label."""
        bin_ = services.register_bin(
            session(), context(), name=data["code"], description=data["description"]
        )
        return bins.bin_view(bin_, 0)


@blp.route("/bins/<code>")
class BinByCode(MethodView):
    @_reads(BinContentsSchema, problems=((422, "Not a bin code (wrong check character)."),))
    def get(self, code):
        """A bin by its (scanned) code, with the units in it."""
        db = session()
        return bins.bin_contents(db, bins.find_bin(db, code))


# --- dispositions ----------------------------------------------------------------------------


@blp.route("/units/<lpn>/disposition")
class UnitDisposition(MethodView):
    @_reads(UnitDispositionSchema, store=True)
    def get(self, lpn):
        """Where a unit stands: state, grade, bin, disposition and refurbishment."""
        return queries.unit_disposition(session(), context(), lpn)

    @_floor_step(
        UnitDispositionSchema,
        status=201,
        body=DispositionInSchema,
        problems=(
            (403, "Another route than the recommended one needs a supervisor."),
            (409, "Not inspected, disposed of already, or never to be resold."),
        ),
    )
    def post(self, data, lpn):
        """Route an inspected unit: restock (into a bin), refurbish, scrap, …"""
        return flow.dispose_unit(session(), context(), lpn, **_step_fields(data))


@blp.route("/units/<lpn>/move")
class MoveUnit(MethodView):
    @_floor_step(
        UnitDispositionSchema,
        body=MoveInSchema,
        problems=((409, "The unit is not restocked (in no bin)."),),
    )
    def post(self, data, lpn):
        """Move a restocked unit into another bin (scanned)."""
        return flow.move_unit(session(), context(), lpn, **_step_fields(data))


# --- refurbishment ---------------------------------------------------------------------------


@blp.route("/refurbishments")
class Refurbishments(MethodView):
    @_reads(RefurbishmentPageSchema, query=RefurbishQuerySchema)
    def get(self, query):
        """The refurbishment queue, oldest first; `?status=open` (default), done or all."""
        db = session()
        status = None if query["status"] == "all" else query["status"]
        page, position = queries.list_refurbishments(db, status=status, **paging(query))
        return page_answer([queries.refurbishment_view(db, order) for order in page], position)


@blp.route("/refurbishments/<refurbishment_id>")
class RefurbishmentById(MethodView):
    @_reads(RefurbishmentSchema)
    def get(self, refurbishment_id):
        """One work order with its notes."""
        db = session()
        rid = parse_id(refurbishment_id, "refurbishment order")
        return queries.refurbishment_view(db, services.get_refurbishment(db, rid))


@blp.route("/refurbishments/<refurbishment_id>/notes")
class RefurbishmentNotes(MethodView):
    @_floor_step(
        RefurbishmentSchema,
        status=201,
        body=NoteInSchema,
        problems=((409, "The work order is done."),),
    )
    def post(self, data, refurbishment_id):
        """Add a note to an open work order."""
        rid = parse_id(refurbishment_id, "refurbishment order")
        db = session()
        order = services.add_note(db, context(), rid, data["text"])
        return queries.refurbishment_view(db, order)


@blp.route("/units/<lpn>/refurbish/complete")
class CompleteRefurbishment(MethodView):
    @_floor_step(
        RefurbishmentSchema,
        body=RefurbishCompleteInSchema,
        problems=((409, "The unit is not in refurbishment."),),
    )
    def post(self, data, lpn):
        """Finish a refurbishment: restock as grade B (open box) into a bin, or scrap."""
        return flow.complete_refurbishment(session(), context(), lpn, **_step_fields(data))
