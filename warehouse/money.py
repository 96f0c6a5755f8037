"""Money is an integer count of a currency's minor unit, with an ISO 4217 code; never a float."""

from __future__ import annotations

# ISO 4217 currencies a return centre in the region is likely to see, with their minor-unit
# exponent (fen for CNY is 2, yen has none). Extend the table when a store needs another.
MINOR_UNIT_EXPONENT: dict[str, int] = {
    "CNY": 2,
    "HKD": 2,
    "MOP": 2,
    "TWD": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "JPY": 0,
    "KRW": 0,
    "SGD": 2,
    "MYR": 2,
    "THB": 2,
    "VND": 0,
    "IDR": 2,
    "PHP": 2,
    "INR": 2,
    "AUD": 2,
    "NZD": 2,
    "CAD": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "RUB": 2,
    "AED": 2,
    "SAR": 2,
    "ILS": 2,
    "TRY": 2,
    "BRL": 2,
    "MXN": 2,
    "ZAR": 2,
    "KZT": 2,
    "MNT": 2,
}

SUPPORTED_CURRENCIES = frozenset(MINOR_UNIT_EXPONENT)

#: Largest amount a single line may carry (a sanity bound, well above any parcel's worth).
MAX_AMOUNT_MINOR = 10**12
