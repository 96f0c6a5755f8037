"""How the inspect, dispose and refurbish pages put a unit into words: checklist labels in
the page's language, codes (routes, conditions, choices, reasons) as words, money in minor
units as an amount, and refusals already written for the floor."""

from __future__ import annotations

from warehouse.errors import DomainError
from warehouse.money import MINOR_UNIT_EXPONENT
from warehouse.ui import i18n
from warehouse.ui.i18n import N_
from warehouse.ui.web import bp

#: Words for codes a checklist, a grade or a route shows.
CODES_SHOWN = (
    N_("like_new"),
    N_("open_box"),
    N_("used"),
    N_("unsalvageable"),
    N_("return_to_vendor"),
    N_("liquidate"),
    N_("buyer"),
    N_("carrier"),
    N_("warehouse"),
    N_("manufacturer"),
    N_("none"),
    N_("counterfeit"),
    N_("damaged_in_transit"),
    N_("quality_issue"),
    N_("not_as_described"),
    N_("wrong_item_sent"),
    N_("changed_mind"),
    N_("expected"),
    N_("light"),
    N_("heavy"),
    N_("perfect"),
    N_("light_scratches"),
    N_("cracked"),
    N_("tried_on"),
    N_("worn"),
    N_("heavily_worn"),
    N_("intact"),
    N_("dented"),
    N_("finding_after_refund"),
    N_("duplicate_serial"),
)


class ShownRefusal(DomainError):
    """A refusal whose text is translated already."""

    status = 409

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.detail = text


def label_of(label) -> str:
    """A checklist label in the page's language (labels are a string or {zh-CN, en})."""
    if isinstance(label, str):
        return label
    return label.get(i18n.current()) or next(iter(label.values()))


def word(code: object) -> str:
    """A code (route, grade condition, choice, reason) as a word in the page's language; a
    code with no translation (English) spelled out: light_scratches → light scratches."""
    text = str(code)
    shown = i18n.gettext(text)
    return shown.replace("_", " ") if shown == text else shown


def answer_words(answer: object) -> str:
    """A checked answer as the floor reads it: yes/no and choices in the page's language."""
    if isinstance(answer, bool):
        return i18n.gettext("Yes") if answer else i18n.gettext("No")
    if isinstance(answer, str):
        return word(answer)
    return str(answer)


def money(amount: int, currency: str) -> str:
    """Minor units as the amount a person reads: 1990 CNY → 19.90 CNY."""
    exponent = MINOR_UNIT_EXPONENT.get(currency, 2)
    if exponent == 0:
        return f"{amount} {currency}"
    whole, part = divmod(amount, 10**exponent)
    return f"{whole}.{part:0{exponent}d} {currency}"


@bp.app_template_filter("word")
def _word_filter(code: object) -> str:
    return word(code)


@bp.app_template_filter("money")
def _money_filter(amount: int, currency: str) -> str:
    return money(amount, currency)
