"""The checklist form: each item as the page shows it, the "all fine" answers pre-selected,
and what the form posts read back into the answers the inspection service takes. Photos
chosen on the form are kept through the photo service, within its checks and limits.

Fields: an item's answer is `a.<key>` (a photo item's kept photo ids too), a photo item's new
pictures `p.<key>`, other new pictures `photos`, their kept ids `photo_id`, and `notes`."""

from __future__ import annotations

import math

from flask import current_app, request

from warehouse import api
from warehouse.inspection import photos, rules
from warehouse.inspection.models import Inspection
from warehouse.inspection.views import photo_storage
from warehouse.ui import i18n
from warehouse.ui.unit_words import label_of, word

ANSWER, PHOTO_FIELD, EXTRA_PHOTOS = "a.", "p.", "photos"


def item_view(item: rules.Item) -> dict:
    """A checklist item as the form shows it: its label in the page's language and, for
    yes/no and choice items, its options each marked when choosing it is a failure."""
    options: list[tuple[str, str, bool]] = []
    if item.type == rules.ItemType.YES_NO:
        options = [
            ("yes", i18n.gettext("Yes"), item.failure(True) is not None),
            ("no", i18n.gettext("No"), item.failure(False) is not None),
        ]
    elif item.type == rules.ItemType.CHOICE:
        options = [(c, word(c), item.failure(c) is not None) for c in item.choices]
    return {
        "key": item.key,
        "label": label_of(item.label),
        "type": str(item.type),
        "required": item.required,
        "critical": item.critical,
        "min": item.min,
        "max": item.max,
        "options": options,
    }


def defaults(items: list[dict]) -> dict:
    """The common answer pre-selected: the first option that is no failure ("yes" where
    neither answer fails); nothing for numbers, text and photos."""
    values: dict = {}
    for item in items:
        fine = [value for value, _label, fails in item["options"] if not fails]
        if fine:
            values[item["key"]] = fine[0]
    return {"values": values, "photos": [], "item_photos": {}, "notes": ""}


def previous_answers(previous: Inspection, sheet: dict) -> dict:
    """A re-inspection starts from the unit's current inspection: its answers (those the
    checklist still asks), photos and notes, as the form would post them."""
    values: dict = {}
    item_photos: dict = {}
    for item in sheet["items"]:
        answer = previous.answers.get(item["key"])
        if answer is None:
            continue
        if item["type"] == "photo":
            item_photos[item["key"]] = list(answer)
        elif isinstance(answer, bool):
            values[item["key"]] = "yes" if answer else "no"
        else:
            values[item["key"]] = str(answer)
    in_items = {i for ids in item_photos.values() for i in ids}
    return {
        "values": values,
        "photos": [i for i in previous.photo_ids if i not in in_items],
        "item_photos": item_photos,
        "notes": previous.notes or "",
    }


def posted_answers(items: list[dict]) -> dict:
    """The form's answers as typed (strings), photo ids kept so far, and notes."""
    values = {
        item["key"]: request.form.get(ANSWER + item["key"], "").strip()
        for item in items
        if item["type"] != "photo"
    }
    item_photos = {
        item["key"]: request.form.getlist(ANSWER + item["key"])
        for item in items
        if item["type"] == "photo"
    }
    return {
        "values": {k: v for k, v in values.items() if v},
        "photos": request.form.getlist("photo_id"),
        "item_photos": item_photos,
        "notes": request.form.get("notes", "").strip()[:2000],
    }


def keep_new_photos(lpn: str, items: list[dict], posted: dict) -> None:
    """Stores each new picture through the photo service (its checks and limits) and adds
    its id to the posted answers; a refused one stops here (those before it are kept)."""
    settings = current_app.extensions["warehouse.settings"]
    fields = [(EXTRA_PHOTOS, None)] + [
        (PHOTO_FIELD + item["key"], item["key"]) for item in items if item["type"] == "photo"
    ]
    for field, key in fields:
        for upload in request.files.getlist(field):
            if not upload or not upload.filename:
                continue  # an empty file input
            data = upload.stream.read(settings.photo_max_bytes + 1)
            photo = photos.add_photo(
                api.session(),
                api.context(),
                photo_storage(),
                lpn,
                data,
                max_bytes=settings.photo_max_bytes,
                max_pixels=settings.photo_max_pixels,
            )
            target = posted["photos"] if key is None else posted["item_photos"][key]
            target.append(str(photo.id))


def service_answers(items: list[dict], posted: dict) -> tuple[dict, dict]:
    """The answers as the service takes them (booleans, numbers, lists of photo ids), and
    the fields the form could not read."""
    answers: dict = {}
    errors: dict = {}
    for item in items:
        key = item["key"]
        if item["type"] == "photo":
            if posted["item_photos"][key]:
                answers[key] = posted["item_photos"][key]
            continue
        value = posted["values"].get(key)
        if value is None:
            continue
        if item["type"] == "yes_no":
            answers[key] = {"yes": True, "no": False}.get(value, value)
        elif item["type"] == "number":
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                errors[f"answers.{key}"] = ["A number."]
                continue
            if not math.isfinite(number):
                errors[f"answers.{key}"] = ["A number."]
                continue
            answers[key] = int(number) if number.is_integer() else number
        else:
            answers[key] = value
    return answers, errors
