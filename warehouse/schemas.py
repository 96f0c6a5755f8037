"""Schema building blocks shared by every package's schemas."""

from __future__ import annotations

import re

import marshmallow as ma

from scanners import normalise_gtin
from scanners.products import GTIN_LENGTHS, expected_check_digit
from warehouse.money import MAX_AMOUNT_MINOR, SUPPORTED_CURRENCIES


class StrictBoolean(ma.fields.Boolean):
    """Only JSON `true` and `false`: "yes", 1 or "false" are refused, not guessed at."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class StrictInteger(ma.fields.Integer):
    """Only a JSON integer: 2.5, "2" and true are refused (`Integer(strict=True)` takes true)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class EmptyMeansAbsent:
    """Empty optional text means none: an optional field sent as `""` (or only whitespace) is
    taken as absent, so its default applies (`"notes": ""` is no notes, `?status=` no filter,
    not a 422). A required field, or an item of a list, may still not be empty."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if (
            isinstance(value, str)
            and not self.required
            and isinstance(self.parent, ma.Schema)
            and not value.strip()
        ):
            value = ma.missing
        return super().deserialize(value, attr, data, **kwargs)


class QueryInteger(ma.fields.Integer):
    """A whole number in a query string, in ASCII digits: `int()` alone would also read
    "1_0", " 7" and "٧" (and "¹".isdigit() is true though `int("¹")` raises)."""

    _DIGITS = re.compile(r"-?[0-9]{1,9}")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not self._DIGITS.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Text(EmptyMeansAbsent, ma.fields.String):
    """A string stripped of surrounding whitespace, within a length range (1–`max` by default);
    empty means absent when the field is optional (`EmptyMeansAbsent`)."""

    def __init__(self, max: int, min: int = 1, **kwargs) -> None:
        kwargs.setdefault("validate", ma.validate.Length(min=min, max=max))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Enum(EmptyMeansAbsent, ma.fields.Enum):
    """One of an enumeration's values; empty means absent when the field is optional."""


class Gtin(Text):
    """A product's GTIN as a store sends it: 8, 12, 13 or 14 digits whose last is the GS1
    check digit. One with a wrong check digit is refused: the item scan refuses such a
    barcode, so a line carrying one could never be received by it."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("validate", _valid_gtin)
        super().__init__(max=14, **kwargs)


def _valid_gtin(value: str) -> None:
    if not (value.isascii() and value.isdigit() and len(value) in GTIN_LENGTHS):
        raise ma.ValidationError("A GTIN is 8, 12, 13 or 14 digits.")
    if normalise_gtin(value) is None:
        raise ma.ValidationError(
            f"Wrong check digit: {value} cannot be a GTIN "
            f"(with these digits it would end in {expected_check_digit(value)})."
        )


class Currency(ma.fields.String):
    """An ISO 4217 code the service knows the minor unit of."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "validate",
            ma.validate.OneOf(sorted(SUPPORTED_CURRENCIES), error="Unknown currency {input}."),
        )
        super().__init__(**kwargs)


class Money(StrictInteger):
    """An integer count of minor units (fen for CNY); a decimal or a string is refused."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("validate", ma.validate.Range(min=0, max=MAX_AMOUNT_MINOR))
        super().__init__(**kwargs)


class UTCDateTime(ma.fields.AwareDateTime):
    """ISO 8601 with an offset; dumped in UTC."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="iso", **kwargs)


def optional(field: type[ma.fields.Field], *args, **kwargs) -> ma.fields.Field:
    """An input field that may be left out or sent as null; either way it loads as None."""
    return field(*args, load_default=None, allow_none=True, **kwargs)
