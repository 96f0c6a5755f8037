"""Checklist templates: create, edit (each edit a new version), read, and find the one that
applies to a unit's category (or the default one)."""

from __future__ import annotations

import unicodedata
import uuid

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from warehouse.audit.services import record
from warehouse.context import Context
from warehouse.errors import Conflict, InvalidInput, NotFound
from warehouse.inspection.models import Checklist, ChecklistVersion
from warehouse.inspection.rules import Template, TemplateInvalid, build_template

DEFAULT_CATEGORY = "default"


def category_key(category: str) -> str:
    """Categories match however they were typed: a store's "Apparel" finds the "apparel"
    checklist, and so do full-width letters from a Chinese input method ("Ａｐｐａｒｅｌ") and
    runs of spaces (NFKC, then case-folded, spaces collapsed)."""
    return " ".join(unicodedata.normalize("NFKC", category).casefold().split())


def _template(items: object) -> Template:
    try:
        return build_template(items)
    except TemplateInvalid as invalid:
        raise InvalidInput(invalid.errors) from None


def create_checklist(
    session: Session, ctx: Context, *, name: str, category: str, items: list
) -> ChecklistVersion:
    """A new template for a category, as version 1. One template per category."""
    template = _template(items)
    category = category_key(category)
    if session.scalar(select(Checklist.id).where(Checklist.category == category)) is not None:
        raise Conflict(
            f"There is a checklist for {category!r} already: edit it (PUT) to make a new version."
        )
    checklist = Checklist(
        category=category,
        current_version=1,
        created_at=ctx.now,
        created_by=ctx.actor.label[:64],
        updated_at=ctx.now,
    )
    session.add(checklist)
    session.flush()
    version = _add_version(session, ctx, checklist, name=name, category=category, template=template)
    record(
        session,
        ctx,
        "checklist.created",
        "checklist",
        checklist.id,
        after={"category": category, "name": name, "version": 1, "items": len(template.items)},
    )
    return version


def update_checklist(
    session: Session,
    ctx: Context,
    checklist_id: uuid.UUID,
    *,
    name: str,
    category: str,
    items: list,
    base_version: int | None = None,
) -> ChecklistVersion:
    """Makes the edited template the checklist's next version; earlier versions stay as they
    were, and so do the inspections filled against them. With `base_version` (the version the
    editor started from) a concurrent edit is a conflict instead of being overwritten."""
    template = _template(items)
    category = category_key(category)
    checklist = session.scalar(
        select(Checklist).where(Checklist.id == checklist_id).with_for_update()
    )
    if checklist is None:
        raise NotFound("No such checklist.")
    if base_version is not None and base_version != checklist.current_version:
        raise Conflict(
            f"The checklist changed meanwhile: it is at version {checklist.current_version}, "
            f"not {base_version}. Reload it and edit again.",
            current_version=checklist.current_version,
        )
    current = _version(session, checklist.id, checklist.current_version)
    if (current.name, current.category, current.items) == (name, category, template.to_list()):
        return current
    if category != checklist.category:
        taken = session.scalar(select(Checklist.id).where(Checklist.category == category))
        if taken is not None:
            raise Conflict(f"There is another checklist for {category!r} already.")
    before = {"version": checklist.current_version, "category": checklist.category}
    checklist.current_version += 1
    checklist.category = category
    checklist.updated_at = ctx.now
    version = _add_version(session, ctx, checklist, name=name, category=category, template=template)
    record(
        session,
        ctx,
        "checklist.edited",
        "checklist",
        checklist.id,
        before=before,
        after={"version": checklist.current_version, "category": category, "name": name},
    )
    return version


def _add_version(
    session, ctx, checklist: Checklist, *, name, category, template
) -> ChecklistVersion:
    version = ChecklistVersion(
        checklist_id=checklist.id,
        version=checklist.current_version,
        name=name,
        category=category,
        items=template.to_list(),
        created_at=ctx.now,
        created_by=ctx.actor.label[:64],
    )
    session.add(version)
    session.flush()
    return version


def _version(session: Session, checklist_id: uuid.UUID, number: int) -> ChecklistVersion:
    version = session.scalar(
        select(ChecklistVersion).where(
            ChecklistVersion.checklist_id == checklist_id, ChecklistVersion.version == number
        )
    )
    if version is None:
        raise NotFound("No such checklist version.")
    return version


def _current_versions():
    return select(ChecklistVersion).join(
        Checklist,
        and_(
            Checklist.id == ChecklistVersion.checklist_id,
            Checklist.current_version == ChecklistVersion.version,
        ),
    )


def get_checklist(
    session: Session, checklist_id: uuid.UUID, version: int | None = None
) -> ChecklistVersion:
    """The checklist's current version, or the version asked for."""
    if version is not None:
        return _version(session, checklist_id, version)
    found = session.scalar(_current_versions().where(Checklist.id == checklist_id))
    if found is None:
        raise NotFound("No such checklist.")
    return found


def list_checklists(
    session: Session, *, category: str | None, limit: int, after: dict | None
) -> tuple[list[ChecklistVersion], dict | None]:
    """The current version of every checklist, by category. With `category`, the one that
    applies to it: its own, or the default checklist when it has none."""
    if category is not None:
        found = checklist_for_category(session, category)
        return ([found] if found is not None else []), None
    query = _current_versions().order_by(Checklist.category)
    return page_after(session, query, Checklist.category, "category", str, after=after, limit=limit)


def page_after(session: Session, query, key, name: str, kind: type, *, after, limit: int):
    """A page of `query`, ordered by the column `key` (its values a `kind`), from after the
    cursor `after`, `{name: <the last key>}`; and the cursor of the next page (None on the
    last). `db.keyset_page` is the same for a UUID key."""
    if after is not None:
        if not isinstance(after.get(name), kind):
            raise InvalidInput({"cursor": ["Not a cursor this API issued."]})
        query = query.where(key > after[name])
    rows = list(session.scalars(query.limit(limit + 1)))
    page = rows[:limit]
    return page, ({name: getattr(page[-1], key.key)} if len(rows) > limit else None)


def checklist_for_category(session: Session, category: str) -> ChecklistVersion | None:
    """The current version of the category's checklist, else of the default one."""
    wanted = category_key(category)
    rows = session.scalars(
        _current_versions().where(Checklist.category.in_({wanted, DEFAULT_CATEGORY}))
    ).all()
    by_category = {row.category: row for row in rows}
    return by_category.get(wanted) or by_category.get(DEFAULT_CATEGORY)


def checklist_view(version: ChecklistVersion) -> dict:
    return {
        "id": str(version.checklist_id),
        "version": version.version,
        "version_id": str(version.id),
        "name": version.name,
        "category": version.category,
        "items": version.items,
        "created_at": version.created_at.isoformat(),
        "created_by": version.created_by,
    }
