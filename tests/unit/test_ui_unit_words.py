"""Amounts on the inspect pages: minor units shown as the amount a person reads."""

from __future__ import annotations

import pytest

from warehouse.ui.unit_words import money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (2970, "CNY", "29.70 CNY"),
        (5, "CNY", "0.05 CNY"),
        (0, "CNY", "0.00 CNY"),
        (1200, "JPY", "1200 JPY"),
        (123456, "USD", "1234.56 USD"),
    ],
)
def test_minor_units_read_as_an_amount_in_the_currencys_own_decimals(amount, currency, shown):
    assert money(amount, currency) == shown
