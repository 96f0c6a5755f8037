"""Test data: request bodies as a store system would send them."""

from __future__ import annotations

import itertools

_counter = itertools.count(1)


def line(**overrides) -> dict:
    n = next(_counter)
    body = {
        "line_id": f"L{n}",
        "sku": f"SKU-{n}",
        "gtin": "6901234567892",
        "title": "纯棉T恤 黑色 M",
        "category": "apparel",
        "quantity": 1,
        "unit_price": 9900,
        "serial_numbers": [],
    }
    body.update(overrides)
    return body


def return_body(**overrides) -> dict:
    """A valid `POST /returns` body; `lines` defaults to two lines."""
    n = next(_counter)
    body = {
        "external_id": f"TB-RF-{n:06d}",
        "order_id": f"39284756{n:08d}",
        "reason": "no_reason_7d",
        "buyer": {"id": f"buyer-{n}", "name": "李*", "phone": "138****0000"},
        "express_refund": False,
        "exchange": False,
        "carrier": None,
        "tracking_number": None,
        "currency": "CNY",
        "lines": [
            line(),
            line(sku="MUG-WHITE", title="陶瓷马克杯", category="home", unit_price=3500),
        ],
    }
    body.update(overrides)
    return body


def bearer(credential: str) -> dict[str, str]:
    """The Authorization header for an API key or staff token."""
    return {"Authorization": f"Bearer {credential}"}
