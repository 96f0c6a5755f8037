"""HTTP endpoints for checklists (supervisors edit, everyone reads), photos and inspections
(inspectors at the QC bench; stores read their own), and each store's deduction policy."""

from __future__ import annotations

import functools

from flask import current_app, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from warehouse import flow
from warehouse.api import (
    PageQuerySchema,
    context,
    fast_json,
    page_answer,
    paging,
    parse_id,
    problem_response,
    session,
)
from warehouse.auth.guard import requires
from warehouse.auth.roles import Permission
from warehouse.edge import ascii_int
from warehouse.endpoints import endpoint
from warehouse.errors import InvalidInput, NotFound
from warehouse.inspection import checklists, photos, queries, services
from warehouse.inspection.schemas import (
    ChecklistEditSchema,
    ChecklistInSchema,
    ChecklistPageSchema,
    ChecklistQuerySchema,
    ChecklistSchema,
    DeductionPolicyInSchema,
    DeductionPolicySchema,
    InspectionInSchema,
    InspectionPageSchema,
    InspectionSchema,
    PhotoSchema,
)

blp = Blueprint(
    "inspection",
    __name__,
    url_prefix="/api/v1",
    description="Inspection at the QC bench: checklists, photos, grades and deductions.",
)

#: The extension key under which tests (or another deployment) put their own photo storage.
PHOTO_STORAGE = "warehouse.photo_storage"
#: What a multipart body may add to the photo itself (boundaries, headers, a file name).
MULTIPART_ALLOWANCE = 64 * 1024
#: Photos never change once kept: browsers and stores may cache them for a long time.
PHOTO_MAX_AGE = 7 * 24 * 3600


#: A read's decorators (`endpoint`): anyone who may view, and a store (its own units).
_reads = functools.partial(endpoint, blp, Permission.VIEW, store=True)
#: A checklist edit's decorators (`endpoint`): a supervisor's.
_edits = functools.partial(endpoint, blp, Permission.SUPERVISE)


def photo_storage() -> photos.PhotoStorage:
    """The app's photo storage: files under WAREHOUSE_DATA_DIR/photos unless replaced."""
    storage = current_app.extensions.get(PHOTO_STORAGE)
    if storage is None:
        settings = current_app.extensions["warehouse.settings"]
        storage = photos.DiskPhotoStorage(settings.data_dir / "photos")
    return storage


# --- checklists ------------------------------------------------------------------------------


@blp.route("/checklists")
class Checklists(MethodView):
    @_reads(ChecklistPageSchema, query=ChecklistQuerySchema)
    def get(self, query):
        """Current checklists; `?category=` answers the one that applies (or the default)."""
        page, position = checklists.list_checklists(
            session(), category=query["category"], **paging(query)
        )
        return page_answer([checklists.checklist_view(v) for v in page], position)

    @_edits(
        ChecklistSchema,
        status=201,
        body=ChecklistInSchema,
        problems=((409, "The category has a checklist already."),),
    )
    def post(self, data):
        """Create a category's checklist (version 1)."""
        version = services.create_checklist(session(), context(), **data)
        return checklists.checklist_view(version)


@blp.route("/checklists/<checklist_id>")
class ChecklistById(MethodView):
    @_reads(ChecklistSchema)
    def get(self, checklist_id):
        """A checklist's current version."""
        cid = parse_id(checklist_id, "checklist")
        return checklists.checklist_view(checklists.get_checklist(session(), cid))

    @_edits(
        ChecklistSchema,
        body=ChecklistEditSchema,
        problems=((409, "Edited meanwhile by someone else, or the category is taken."),),
    )
    def put(self, data, checklist_id):
        """Edit a checklist: makes its next version; past inspections keep theirs."""
        cid = parse_id(checklist_id, "checklist")
        base = data.pop("version")
        version = services.update_checklist(session(), context(), cid, base_version=base, **data)
        return checklists.checklist_view(version)


@blp.route("/checklists/<checklist_id>/versions/<version>")
class ChecklistVersionById(MethodView):
    @_reads(ChecklistSchema)
    def get(self, checklist_id, version):
        """One version of a checklist, as inspections filled against it saw it."""
        cid = parse_id(checklist_id, "checklist")
        number = ascii_int(version)
        if number is None:
            raise NotFound("No such checklist version.")
        found = checklists.get_checklist(session(), cid, number)
        return checklists.checklist_view(found)


# --- photos ----------------------------------------------------------------------------------


@blp.before_app_request
def _room_for_a_photo() -> None:
    """A photo upload may be larger than the app's body limit (sized for JSON): allow it
    before anything reads the body (an `Idempotency-Key` fingerprints the body's bytes)."""
    if request.endpoint == "inspection.UnitPhotos" and request.method == "POST":
        settings = current_app.extensions["warehouse.settings"]
        request.max_content_length = settings.photo_max_bytes + MULTIPART_ALLOWANCE


@blp.route("/units/<lpn>/photos")
class UnitPhotos(MethodView):
    @requires(Permission.INSPECT)
    @blp.response(201, PhotoSchema)
    @problem_response(blp, 413, "The photo is larger than the limit.")
    @problem_response(blp, 422, "Not a JPEG, PNG or WebP image, or too many pixels.")
    @problem_response(blp, 503, "The photo store cannot be written to; nothing was kept.")
    @problem_response(blp, 507, "The photo store is full; nothing was kept.")
    @blp.doc(
        description=(
            "Send `multipart/form-data` with the image in the part `file` (JPEG, PNG or WebP, "
            "at most WAREHOUSE_PHOTO_MAX_BYTES, default 10 MiB). The photo is turned upright "
            "by its EXIF orientation and kept without any metadata (no GPS), with a thumbnail."
        ),
        requestBody={
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        },
    )
    def post(self, lpn):
        """Upload a photo of a unit (multipart part `file`)."""
        settings = current_app.extensions["warehouse.settings"]
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput({"file": ["Send the image as the multipart part `file`."]})
        data = upload.stream.read(settings.photo_max_bytes + 1)
        photo = photos.add_photo(
            session(),
            context(),
            photo_storage(),
            lpn,
            data,
            max_bytes=settings.photo_max_bytes,
            max_pixels=settings.photo_max_pixels,
        )
        return photos.photo_view(photo), 201, {"Location": photos.photo_urls(photo.id)["url"]}


def _send_photo(photo_id: str, *, thumbnail: bool):
    photo = photos.get_photo(session(), context(), parse_id(photo_id, "photo"))
    stream = photos.open_photo_file(photo_storage(), photo, thumbnail=thumbnail)
    response = send_file(
        stream,
        mimetype=photo.content_type,
        download_name=f"{photo.id}{'.thumb' if thumbnail else ''}.jpg",
        etag=f"{photo.sha256}{'-t' if thumbnail else ''}",
        max_age=PHOTO_MAX_AGE,
        conditional=True,
    )
    response.headers["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


_JPEG = {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}


def _serves_photo(description: str):
    """A photo file's decorators: staff and the unit's store may see it, a JPEG (`description`
    says which), or a 404."""

    def decorate(view):
        view = problem_response(blp, 404, "No such photo, or another store's.")(view)
        view = blp.doc(responses={"200": {"description": description, **_JPEG}})(view)
        return requires(Permission.VIEW, store=True)(view)

    return decorate


@blp.route("/photos/<photo_id>")
class PhotoFile(MethodView):
    @_serves_photo("The photo (JPEG).")
    def get(self, photo_id):
        """A unit's photo: to staff, and to the store that owns the unit."""
        return _send_photo(photo_id, thumbnail=False)


@blp.route("/photos/<photo_id>/thumbnail")
class PhotoThumbnail(MethodView):
    @_serves_photo("The thumbnail (JPEG).")
    def get(self, photo_id):
        """A photo's thumbnail (at most 320 px on its longer side)."""
        return _send_photo(photo_id, thumbnail=True)


# --- inspections -----------------------------------------------------------------------------


@blp.route("/units/<lpn>/inspection")
class UnitInspection(MethodView):
    @endpoint(
        blp,
        Permission.INSPECT,
        InspectionSchema,
        status=201,
        body=InspectionInSchema,
        problems=(
            (
                409,
                "The unit's state allows no inspection (inspected already: a re-inspection "
                "needs a supervisor), or the checklist changed.",
            ),
        ),
    )
    def post(self, data, lpn):
        """Inspect a unit: answers checked, then grade, liability, route and deduction."""
        body = flow.inspect_unit(session(), context(), lpn, **data)
        # The service built the documented shape; the hot path skips the schema's dump.
        return fast_json(body, 201)


@blp.route("/units/<lpn>/inspections")
class UnitInspections(MethodView):
    @_reads(InspectionPageSchema, query=PageQuerySchema)
    def get(self, query, lpn):
        """A unit's inspections, the first one first (re-inspections keep it)."""
        db = session()
        page, position = queries.unit_inspections(db, context(), lpn, **paging(query))
        return page_answer([queries.inspection_view(db, i) for i in page], position)


@blp.route("/inspections/<inspection_id>")
class InspectionById(MethodView):
    @_reads(InspectionSchema)
    def get(self, inspection_id):
        """One inspection, with its answers, findings and photos."""
        db = session()
        iid = parse_id(inspection_id, "inspection")
        return queries.inspection_view(db, queries.get_inspection(db, context(), iid))


# --- deduction policy ------------------------------------------------------------------------


@blp.route("/stores/<store_id>/deduction-policy")
class DeductionPolicy(MethodView):
    @_reads(DeductionPolicySchema)
    def get(self, store_id):
        """The store's cap on deductions (a store sees only its own)."""
        sid = parse_id(store_id, "store")
        return services.get_deduction_policy(session(), context(), sid)

    @endpoint(
        blp, Permission.ADMINISTER, DeductionPolicySchema, body=DeductionPolicyInSchema, store=True
    )
    def put(self, data, store_id):
        """Set the store's cap on deductions, as a percentage of a unit's price."""
        sid = parse_id(store_id, "store")
        return services.set_deduction_policy(session(), context(), sid, **data)
