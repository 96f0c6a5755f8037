"""The floor UI's translation catalogues: extract every string the pages show, merge them
into each language's `.po` file, and compile the `.mo` files Flask-Babel reads.

`python -m warehouse.ui.catalogs` (or `make translations`) does all three; a translator then
fills the new, empty `msgstr` entries and runs it again. The test suite extracts the same
way and fails when a shown string has no translation or a `.mo` is older than its `.po`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent
DIRECTORY = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
#: Languages with a catalogue (Babel's names). English text is the message id itself, so the
#: English catalogue holds only codes shown as words (`no_reason_7d` → "7-day no reason").
LOCALES = ("zh_Hans_CN", "en")
#: A message id that is a code (status, reason, event type), not English text.
CODE = re.compile(r"[a-z0-9_.]+")
#: `N_` marks text translated later (a banner chosen from a table, a code shown as a word);
#: `Text` a service's message (`warehouse.texts`), shown translated by `i18n.translate`.
KEYWORDS = {"_": None, "gettext": None, "N_": None, "Text": None}
METHOD_MAP = [
    ("**/templates/**.html", "jinja2"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}
WIDTH = 100


def po_path(locale: str) -> Path:
    return DIRECTORY / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def extract() -> Catalog:
    """Every marked string in the `warehouse` package's Python code and templates."""
    template = Catalog(project="warehouse", domain=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, METHOD_MAP, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        if isinstance(message, tuple):  # plural forms are not used on the floor
            message = message[0]
        if not message or "{{" in message:
            continue
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def load(locale: str) -> Catalog:
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def wanted(locale: str, message_id: str) -> bool:
    """Whether `locale` must translate `message_id` (English only translates codes)."""
    return bool(message_id) and (locale != "en" or CODE.fullmatch(message_id) is not None)


def missing(locale: str) -> list[str]:
    """Shown strings with no (or only a fuzzy) translation in `locale`."""
    catalog = load(locale)
    gaps = []
    for message in extract():
        if not wanted(locale, message.id):
            continue
        found = catalog.get(message.id)
        if found is None or not found.string or found.fuzzy:
            gaps.append(message.id)
    return gaps


def compiled(locale: str) -> bytes:
    """The `.mo` bytes `locale`'s `.po` file compiles to."""
    out = io.BytesIO()
    write_mo(out, load(locale))
    return out.getvalue()


def source_messages(locale: str) -> dict[str, str]:
    """The translated entries of `locale`'s `.po` file."""
    return {m.id: m.string for m in load(locale) if m.id and m.string and not m.fuzzy}


def compiled_messages(locale: str) -> dict[str, str]:
    """The entries of `locale`'s compiled `.mo` file, as the app reads them."""
    with mo_path(locale).open("rb") as f:
        catalog = read_mo(f)
    return {m.id: m.string for m in catalog if m.id}


def update_and_compile() -> dict[str, list[str]]:
    """Merges the extracted strings into every `.po` (keeping translations, dropping strings
    no longer shown), writes the `.mo` files; answers the untranslated strings per locale."""
    template = extract()
    gaps = {}
    for locale in LOCALES:
        catalog = load(locale)
        # Keeping the file's own date: a run that changes no string changes no file.
        own = Catalog(
            project="warehouse", domain=DOMAIN, fuzzy=False, creation_date=catalog.creation_date
        )
        for message in template:
            if wanted(locale, message.id):
                own[message.id] = message
        catalog.update(own, update_header_comment=False, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        with po_path(locale).open("wb") as f:
            write_po(f, catalog, width=WIDTH, include_lineno=False)
        mo_path(locale).write_bytes(compiled(locale))
        gaps[locale] = missing(locale)
    return gaps


def main() -> int:
    gaps = update_and_compile()
    for locale, ids in gaps.items():
        for text in ids:
            print(f"{locale}: untranslated: {text!r}")
    return 1 if any(gaps.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
