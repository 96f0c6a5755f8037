"""Every string the floor UI shows has a Chinese translation, and what the app reads (the
compiled `.mo`) is what the `.po` says: run `make translations` after changing either."""

from __future__ import annotations

from warehouse.ui import catalogs


def test_every_shown_string_is_translated():
    for locale in catalogs.LOCALES:
        assert catalogs.missing(locale) == [], (
            f"untranslated in {locale}: run `make translations` and fill the new entries"
        )


def test_the_compiled_catalogues_match_their_sources():
    for locale in catalogs.LOCALES:
        assert catalogs.compiled_messages(locale) == catalogs.source_messages(locale), (
            f"{catalogs.mo_path(locale)} is stale: run `make translations`"
        )


def test_extraction_finds_template_python_and_marked_strings():
    found = {message.id for message in catalogs.extract() if message.id}
    assert "Scan a parcel" in found  # a template's _()
    assert "Closed: everything arrived." in found  # a view's i18n.gettext()
    assert "Wrong item: put it on the exception shelf." in found  # an N_() table entry
    assert "Unknown badge." in found  # a service message shown as raised
