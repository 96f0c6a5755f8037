"""Demo data for a first look: a store, one staff member per role, returns in several states."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.auth.services import create_user
from warehouse.context import Actor, Context
from warehouse.inspection.demo import load_demo_inspection
from warehouse.returns.services import create_return, register_tracking
from warehouse.stores.models import Store
from warehouse.stores.services import create_store

DEMO_STORE_NAME = "演示旗舰店 Demo Flagship Store"
DEMO_STAFF = [
    ("recv1", "receiver", "1111"),
    ("insp1", "inspector", "2222"),
    ("sup1", "supervisor", "3333"),
    ("admin", "admin", "9999"),
]


def _line(line_id, sku, gtin, title, category, price, quantity=1, serials=()):
    return {
        "line_id": line_id,
        "sku": sku,
        "gtin": gtin,
        "title": title,
        "category": category,
        "quantity": quantity,
        "unit_price": price,
        "serial_numbers": list(serials),
    }


DEMO_RETURNS = [
    {
        "external_id": "TB-RF-DEMO-0001",
        "order_id": "3928475610293847",
        "reason": "no_reason_7d",
        "buyer": {"id": "tb_buyer_8841", "name": "李*", "phone": "138****0000"},
        "lines": [
            _line("L1", "TSHIRT-BLK-M", "6901234567892", "纯棉T恤 黑色 M", "apparel", 9900, 2)
        ],
        "tracking": ("SF", "SF1234567890123"),
    },
    {
        "external_id": "TB-RF-DEMO-0002",
        "order_id": "3928475610293901",
        "reason": "quality_issue",
        "reason_detail": "屏幕有坏点 / dead pixels",
        "express_refund": True,
        "buyer": {"id": "tb_buyer_1203", "name": "王*", "phone": None},
        "lines": [
            _line(
                "L1",
                "EARBUDS-PRO",
                "6942103117855",
                "无线蓝牙耳机 Pro",
                "electronics",
                39900,
                serials=["SN8842A1X"],
            ),
            _line("L2", "CASE-EARBUDS", None, "耳机保护套", "electronics", 2900),
        ],
    },
    {
        "external_id": "TB-RF-DEMO-0003",
        "order_id": "3928475610294012",
        "reason": "not_as_described",
        "buyer": {"id": "tb_buyer_5521", "name": "张*", "phone": None},
        "lines": [_line("L1", "SNEAKER-42", "6970123456784", "跑步鞋 42码", "shoes", 29900)],
        "tracking": ("YTO", "YT7512345678901"),
    },
    {
        "external_id": "TB-RF-DEMO-0004",
        "order_id": "3928475610294100",
        "reason": "no_reason_7d",
        "buyer": {"id": "tb_buyer_7730", "name": "陈*", "phone": None},
        "lines": [
            _line("L1", "LIPSTICK-RED", "6921234500019", "丝绒口红 正红色", "cosmetics", 15900)
        ],
    },
]


@dataclass
class DemoData:
    store_id: str
    api_key: str
    webhook_secret: str
    staff: list[dict] = field(default_factory=list)
    rma_numbers: list[str] = field(default_factory=list)

    def describe(self, base_url: str, *, loopback_webhooks: bool = False) -> str:
        """What a person needs to try the service, printed once by `warehouse demo`."""
        lines = [
            "Demo data loaded.",
            f"  store 演示旗舰店 Demo Flagship Store  id {self.store_id}",
            f"  store API key (shown once): {self.api_key}",
            f"  webhook secret: {self.webhook_secret}",
            "  staff (username / PIN / badge):",
            *(
                f"    {s['role']:<10} {s['username']:<6} {s['pin']}  {s['badge']}"
                for s in self.staff
            ),
            f"  returns: {', '.join(self.rma_numbers)}",
            *hints(base_url, self.store_id, loopback_webhooks=loopback_webhooks),
        ]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)


def hints(base_url: str, store_id: str | None, *, loopback_webhooks: bool) -> list[str]:
    """How to reach the demo server: the floor UI, the API, a new store key, webhooks."""
    lines = [
        f"Floor UI: {base_url}/  (sign in as recv1 / 1111, or another user above)",
        f"API: curl -s {base_url}/api/v1/returns -H 'Authorization: Bearer <api key>'",
    ]
    if store_id:
        lines.append(
            "A new API key for the demo store (its old key stops working): "
            f".venv/bin/warehouse store key --store {store_id}"
        )
    if loopback_webhooks:
        target = f"{base_url}/api/v1/stores/{store_id or '<store id>'}/webhook-url"
        lines += [
            "Webhooks may go to this host for this demo (WAREHOUSE_WEBHOOK_ALLOW_LOOPBACK=1, "
            "set by make run; warehouse serve alone allows public addresses only):",
            f"  curl -s -X PUT {target} -H 'Authorization: Bearer <api key>' "
            "-H 'Content-Type: application/json' "
            """-d '{"webhook_url": "http://127.0.0.1:9000/hooks"}'""",
        ]
    return lines


def demo_store_id(session: Session) -> str | None:
    """The demo store's id in a database that has it (the first store of the demo's name)."""
    found = session.scalar(
        select(Store.id).where(Store.name == DEMO_STORE_NAME).order_by(Store.created_at).limit(1)
    )
    return str(found) if found else None


def load_demo(session: Session, ctx: Context) -> DemoData | None:
    """Loads the demo into an empty database; returns None (and writes nothing) otherwise."""
    if session.scalar(select(func.count()).select_from(Store)):
        return None
    created = create_store(session, ctx, name=DEMO_STORE_NAME)
    demo = DemoData(str(created.store.id), created.api_key, created.store.webhook_secret)
    for username, role, pin in DEMO_STAFF:
        user = create_user(session, ctx, username=username, role=role, pin=pin)
        demo.staff.append(
            {"username": username, "role": role, "pin": pin, "badge": user.badge_code}
        )

    store = created.store
    store_ctx = Context(
        actor=Actor(kind="store", id=store.id, label=store.name, role="store", store_id=store.id),
        now=ctx.now,
        terminal_id=ctx.terminal_id,
    )
    for spec in DEMO_RETURNS:
        data = {k: v for k, v in spec.items() if k != "tracking"}
        data.setdefault("express_refund", False)
        data.setdefault("exchange", False)
        data.setdefault("currency", "CNY")
        data.setdefault("metadata", {})
        for line in data["lines"]:
            line.setdefault("category", "default")
        ret = create_return(session, store_ctx, data).ret
        if "tracking" in spec:
            carrier, number = spec["tracking"]
            register_tracking(session, store_ctx, ret.id, carrier=carrier, tracking_number=number)
        demo.rma_numbers.append(ret.rma_number)
    load_demo_inspection(session, ctx)
    return demo
