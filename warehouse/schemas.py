"""Schema building blocks shared by every package's schemas."""

from __future__ import annotations

import re

import marshmallow as ma

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


class QueryInteger(ma.fields.Integer):
    """A whole number in a query string, in ASCII digits: `int()` alone would also read
    "1_0", " 7" and "٧" (and "¹".isdigit() is true though `int("¹")` raises)."""

    _DIGITS = re.compile(r"-?[0-9]{1,9}")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not self._DIGITS.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Text(ma.fields.String):
    """A string stripped of surrounding whitespace, within a length range (1–`max` by default)."""

    def __init__(self, max: int, min: int = 1, **kwargs) -> None:
        kwargs.setdefault("validate", ma.validate.Length(min=min, max=max))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


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
