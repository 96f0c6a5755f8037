"""The floor UI's languages: Simplified Chinese and English through Flask-Babel.

The English text is the message id; translations live in `translations/<locale>/LC_MESSAGES/
messages.po` (see `catalogs.py` for how they are extracted and compiled). The language of a
page is, in order: the signed-in user's saved choice, the terminal's choice made before
sign-in, then the deployment's default (`WAREHOUSE_DEFAULT_LANGUAGE`, zh-CN unless set).
Placeholders are `{name}`, filled after translation so translators can move them.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import Babel
from flask_babel import gettext as babel_gettext

from warehouse.ui import catalogs
from warehouse.ui.catalogs import CODE

#: Our language codes (as shown in `lang=` and stored per user) → Babel's locale names.
LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}
LANGUAGES = {"zh-CN": "中文", "en": "English"}
DEFAULT = "zh-CN"


def N_(text: str) -> str:
    """Marks `text` for the catalogue without translating it yet (tables of banners)."""
    return text


#: Service messages the pages show as they were raised (`web.describe`), and codes shown as
#: words: listed here so extraction finds them.
SHOWN_AS_RAISED = (
    N_("Unknown username or wrong PIN."),
    N_("Unknown badge."),
    N_("Too many wrong PINs; the account is locked for a few minutes."),
    N_("The parcel is closed; scan the parcel again to re-open it."),
    N_("The parcel is already closed."),
    N_("Nothing readable was scanned."),
    N_("A note is required."),
    N_("This is an item: scan the parcel label."),
    N_("This is a unit's LPN: scan the parcel label."),
    N_("This is a staff badge: scan the parcel label."),
    N_("Not a parcel code: scan the carrier's label or the RMA slip."),
    N_("That identifier names several returns: enter the RMA number."),
)
CODES_SHOWN = (
    N_("no_reason_7d"),
    N_("quality"),
    N_("wrong_item"),
    N_("serial_mismatch"),
    N_("transit_damage"),
    N_("matched"),
    N_("received"),
    N_("partially_received"),
    N_("unmatched_parcel"),
    N_("empty_parcel"),
    N_("return_not_open"),
    N_("ambiguous_parcel"),
    N_("short"),
    N_("extra"),
    N_("damaged"),
    N_("match"),
    N_("accept"),
    N_("reject"),
    N_("return_to_buyer"),
    N_("restock"),
    N_("refurbish"),
    N_("scrap"),
)


def init_babel(app: Flask, default_language: str) -> None:
    """Installs Flask-Babel with our catalogues and language choice."""
    if default_language not in LOCALES:
        raise ValueError(
            f"WAREHOUSE_DEFAULT_LANGUAGE must be one of {', '.join(LOCALES)}, "
            f"not {default_language!r}"
        )
    app.config["WAREHOUSE_DEFAULT_LANGUAGE"] = default_language
    Babel(
        app,
        locale_selector=lambda: LOCALES[current()],
        default_locale=LOCALES[default_language],
        default_translation_directories=str(catalogs.DIRECTORY),
        default_domain=catalogs.DOMAIN,
    )


def current() -> str:
    """The language of this request's pages (one of `LANGUAGES`)."""
    if not has_request_context():
        return DEFAULT
    user = g.get("ui_user")
    saved = getattr(user, "language", None)
    if saved in LANGUAGES:
        return saved
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return current_app.config.get("WAREHOUSE_DEFAULT_LANGUAGE", DEFAULT)


def gettext(text: str, **values) -> str:
    """`text` in the current language, with `{name}` placeholders filled from `values`."""
    translated = babel_gettext(text) if text else text
    return translated.format(**values) if values else translated


def _code_word(value: str) -> str:
    return babel_gettext(value) if CODE.fullmatch(value) else value


def translate(message: str) -> str:
    """A service's message in the current language: a `warehouse.texts.Text` by its
    template, with the codes among its values (routes, states) as words; any other text as
    it is known to the catalogue, or as raised."""
    template = getattr(message, "template", None)
    if template is None:
        return gettext(str(message))
    values = {
        name: _code_word(value) if isinstance(value, str) else value
        for name, value in message.values.items()
    }
    return gettext(template, **values) if values else gettext(template)
