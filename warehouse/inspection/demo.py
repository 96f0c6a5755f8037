"""Demo checklists (electronics, apparel, shoes, cosmetics, home goods and a default one) and a
few bins, loaded by `warehouse demo`. They double as examples of what a template can say."""

from __future__ import annotations

from sqlalchemy.orm import Session

from warehouse.context import Context
from warehouse.disposition.bins import register_bin
from warehouse.inspection.checklists import create_checklist


def _yes_no(key, zh, en, **rule):
    return {"key": key, "label": {"zh-CN": zh, "en": en}, "type": "yes_no", **rule}


def _choice(key, zh, en, choices, **rule):
    return {
        "key": key,
        "label": {"zh-CN": zh, "en": en},
        "type": "choice",
        "choices": choices,
        **rule,
    }


def _photo(key, zh, en, required=False):
    return {"key": key, "label": {"zh-CN": zh, "en": en}, "type": "photo", "required": required}


def _notes():
    return {
        "key": "notes",
        "label": {"zh-CN": "备注", "en": "Notes"},
        "type": "text",
        "required": False,
    }


def _buyer_fault(key, zh, en, fail_when, grade_cap, deduction_percent, **rule):
    """A yes / no item whose failure is the buyer's doing: it caps the grade and deducts."""
    return _yes_no(
        key,
        zh,
        en,
        fail_when=fail_when,
        grade_cap=grade_cap,
        buyer_fault=True,
        deduction_percent=deduction_percent,
        **rule,
    )


#: Most goods come packed: whether the packaging arrived intact (no grade or fault on it).
_PACKAGING_INTACT = _yes_no("packaging_intact", "包装完好", "Packaging intact", fail_when=False)


def _checklist(name, category, photo, *items):
    """A demo checklist: its `items`, then (as every one has) a `photo` (key, zh, en) of
    the goods and the inspector's notes."""
    return {"name": name, "category": category, "items": [*items, _photo(*photo), _notes()]}


def _wear(key="signs_of_use", zh="使用痕迹", en="Signs of use", light=10, heavy=30):
    return _choice(
        key,
        zh,
        en,
        ["none", "light", "heavy"],
        outcomes={
            "light": {"grade_cap": "B", "buyer_fault": True, "deduction_percent": light},
            "heavy": {"grade_cap": "C", "buyer_fault": True, "deduction_percent": heavy},
        },
    )


DEMO_CHECKLISTS = [
    _checklist(
        "数码电子质检 Electronics QC",
        "electronics",
        ("photo_overall", "整机照片", "Photo of the whole unit"),
        _yes_no("powers_on", "能正常开机", "Powers on", critical=True, fail_when=False),
        _choice(
            "screen",
            "屏幕状况",
            "Screen",
            ["perfect", "light_scratches", "cracked"],
            outcomes={
                "light_scratches": {
                    "grade_cap": "B",
                    "buyer_fault": True,
                    "deduction_percent": 10,
                },
                "cracked": {"grade_cap": "C", "buyer_fault": True, "deduction_percent": 40},
            },
        ),
        _buyer_fault("accessories_complete", "配件齐全", "Accessories complete", False, "C", 15),
        _yes_no("seal_intact", "封条完好", "Seal intact", fail_when=False, grade_cap="B"),
        _yes_no(
            "serial_matches",
            "序列号与订单一致",
            "Serial number matches the order",
            critical=True,
            fail_when=False,
            reject="serial_mismatch",
            liability="buyer",
        ),
        _wear(),
        {
            "key": "battery_health",
            "label": {"zh-CN": "电池健康度 (%)", "en": "Battery health (%)"},
            "type": "number",
            "required": False,
            "min": 0,
            "max": 100,
            "fail_when": {"below": 80},
            "grade_cap": "C",
        },
    ),
    _checklist(
        "服装质检 Apparel QC",
        "apparel",
        ("photo_front", "正面照片", "Photo of the front"),
        _yes_no(
            "tags_attached",
            "吊牌完好",
            "Tags attached",
            fail_when=False,
            grade_cap="B",
            liability="buyer",
            deduction_percent=20,
        ),
        _choice(
            "signs_of_wear",
            "穿着痕迹",
            "Signs of wear",
            ["none", "tried_on", "worn", "heavily_worn"],
            outcomes={
                "tried_on": {"grade_cap": "B"},
                "worn": {"grade_cap": "C", "buyer_fault": True, "deduction_percent": 30},
                "heavily_worn": {
                    "grade_cap": "D",
                    "buyer_fault": True,
                    "deduction_percent": 50,
                },
            },
        ),
        _buyer_fault("stains", "污渍", "Stains", True, "C", 30),
        _yes_no(
            "odour",
            "异味 (烟味/香水)",
            "Odour (smoke, perfume)",
            fail_when=True,
            grade_cap="C",
            liability="buyer",
            deduction_percent=30,
        ),
        _PACKAGING_INTACT,
    ),
    _checklist(
        "鞋靴质检 Shoes QC",
        "shoes",
        ("photo_soles", "鞋底照片", "Photo of the soles"),
        _yes_no(
            "pair_complete",
            "成双完整",
            "Both shoes present",
            critical=True,
            fail_when=False,
            grade_cap="D",
            buyer_fault=True,
            deduction_percent=100,
        ),
        _yes_no(
            "size_matches",
            "尺码与订单一致",
            "Size matches the order",
            fail_when=False,
            reject="wrong_item",
            liability="buyer",
        ),
        _choice(
            "sole_wear",
            "鞋底磨损",
            "Sole wear",
            ["none", "light", "worn"],
            outcomes={
                "light": {"grade_cap": "B", "liability": "buyer", "deduction_percent": 10},
                "worn": {"grade_cap": "C", "liability": "buyer", "deduction_percent": 40},
            },
        ),
        _buyer_fault("creasing", "鞋面折痕", "Creasing on the upper", True, "B", 15),
        _yes_no("box_intact", "鞋盒完好", "Shoe box intact", fail_when=False),
    ),
    _checklist(
        "美妆质检 Cosmetics QC",
        "cosmetics",
        ("photo_seal", "封口照片", "Photo of the seal"),
        # Hygiene: an opened or used cosmetic never goes back on sale.
        _yes_no(
            "seal_intact",
            "封膜/封口完好",
            "Seal intact",
            critical=True,
            fail_when=False,
            grade_cap="D",
            no_resale=True,
            liability="buyer",
            deduction_percent=50,
        ),
        _yes_no(
            "product_used",
            "有使用痕迹",
            "Product used",
            fail_when=True,
            grade_cap="D",
            no_resale=True,
            liability="buyer",
            deduction_percent=100,
        ),
        _yes_no(
            "within_shelf_life",
            "在保质期内",
            "Within shelf life",
            fail_when=False,
            grade_cap="D",
            no_resale=True,
            liability="manufacturer",
        ),
        _choice(
            "packaging",
            "外包装",
            "Outer packaging",
            ["intact", "dented", "damaged"],
            outcomes={"dented": {"grade_cap": "B"}, "damaged": {"grade_cap": "C"}},
        ),
        {
            "key": "batch_code",
            "label": {"zh-CN": "批号", "en": "Batch code"},
            "type": "text",
            "required": False,
        },
    ),
    _checklist(
        "家居用品质检 Home goods QC",
        "home",
        ("photo_overall", "整体照片", "Photo of the item"),
        _yes_no("intact", "无破损", "Intact (no breakage)", critical=True, fail_when=False),
        _buyer_fault("parts_complete", "部件齐全", "All parts present", False, "C", 20),
        _wear(),
        _yes_no(
            "works",
            "功能正常",
            "Works as it should",
            required=False,
            fail_when=False,
            grade_cap="C",
        ),
        _PACKAGING_INTACT,
    ),
    _checklist(
        "通用质检 General QC",
        "default",
        ("photo_overall", "整体照片", "Photo of the item"),
        _yes_no(
            "matches_listing",
            "与订单商品一致",
            "The item on the order",
            critical=True,
            fail_when=False,
            reject="wrong_item",
            liability="buyer",
        ),
        _PACKAGING_INTACT,
        _wear(),
        _yes_no("damaged", "有破损", "Damaged", critical=True, fail_when=True),
        _buyer_fault("complete", "配件齐全", "Complete with accessories", False, "C", 20),
    ),
]

DEMO_BINS = [
    ("A0101", "A区1排1层 全新品 / like new"),
    ("A0102", "A区1排2层 全新品 / like new"),
    ("B0101", "B区1排1层 开箱品 / open box"),
    ("B0102", "B区1排2层 开箱品 / open box"),
    ("L0101", "L区 清仓批次 / liquidation lot"),
]


def load_demo_inspection(session: Session, ctx: Context) -> None:
    """Adds the demo checklists and bins (the caller loads the demo into an empty database)."""
    for spec in DEMO_CHECKLISTS:
        create_checklist(session, ctx, **spec)
    for name, description in DEMO_BINS:
        register_bin(session, ctx, name=name, description=description)
