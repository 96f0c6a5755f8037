"""The labels the warehouse prints, and how each is laid out at a given dpi.

- Unit (LPN) label, 50 × 30 mm: stuck on every received unit.
- Return slip, 100 × 150 mm (the 4 × 6 in shipping label): goes in or on the parcel.
- Bin label, 100 × 50 mm: on a shelf location, read from arm's length.

Every position is given in millimetres and turned into dots for the printer's dpi, so a
label comes out the same size on a 203 and a 300 dpi printer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import labels.code128 as code128
import labels.qr as qr
from labels.geometry import check_dpi, mm_to_dots
from labels.layout import Barcode, Box, Element, Layout, QrCode, Text


@dataclass(frozen=True)
class UnitLabel:
    """One unit's licence plate: LPN barcode, SKU, short title; grade and route once known."""

    lpn: str
    sku: str
    title: str
    grade: str | None = None
    route: str | None = None

    size_mm = (50, 30)


@dataclass(frozen=True)
class ReturnSlip:
    """The return's slip: RMA barcode and QR code, store, order, items, a masked buyer name.

    It travels on the outside of a parcel, so it carries nothing that identifies the buyer
    beyond a masked name: no phone number, no address. `buyer_name` is given in full and
    masked here, so no caller can forget to.
    """

    rma_number: str
    store_name: str
    buyer_name: str
    order_id: str
    lines_summary: Sequence[str] = field(default_factory=tuple)

    size_mm = (100, 150)

    def __post_init__(self) -> None:
        if isinstance(self.lines_summary, str):  # a str is a sequence too, of characters
            raise TypeError("lines_summary is a sequence of lines, not one string")
        object.__setattr__(self, "lines_summary", tuple(self.lines_summary))


@dataclass(frozen=True)
class BinLabel:
    """A shelf location: its code large enough to read, and as a barcode."""

    code: str

    size_mm = (100, 50)


def mask_name(name: str) -> str:
    """A buyer's name with all but the first character of each word hidden: 张** or J** S**.

    Always two stars, so the mask does not give away the length of the name either.
    """
    return " ".join(word[0] + "**" for word in name.split())


def _barcode(
    text: str, y: float, bar_mm: float, text_mm: float, width: int, dpi: int, max_module_mm: float
) -> Barcode:
    """A barcode across the whole label width (its quiet zones are the label's margins)."""
    return Barcode(
        x=0,
        y=mm_to_dots(y, dpi),
        width=width,
        bar_height=mm_to_dots(bar_mm, dpi),
        text_height=mm_to_dots(text_mm, dpi),
        symbol=code128.plan(text, width, dpi, max_module_mm),
    )


def layout_unit(label: UnitLabel, dpi: int) -> Layout:
    """The 50 × 30 mm unit label at `dpi`."""
    check_dpi(dpi)
    width, height = (mm_to_dots(v, dpi) for v in UnitLabel.size_mm)
    margin = mm_to_dots(1.5, dpi)
    inner = width - 2 * margin
    elements: list[Element] = [
        Text(margin, mm_to_dots(1.0, dpi), inner, mm_to_dots(3.4, dpi), label.title)
    ]
    status = " · ".join(part for part in (label.grade, label.route) if part)
    sku_width = inner
    if status:
        status_width = mm_to_dots(17, dpi)
        sku_width = inner - status_width - mm_to_dots(1, dpi)
        elements.append(
            Text(
                margin + inner - status_width,
                mm_to_dots(4.8, dpi),
                status_width,
                mm_to_dots(3.0, dpi),
                status,
                align="right",
                shrink=True,
            )
        )
    elements.append(
        Text(margin, mm_to_dots(4.8, dpi), sku_width, mm_to_dots(3.0, dpi), f"SKU {label.sku}")
    )
    elements.append(_barcode(label.lpn, 8.6, 16, 3.4, width, dpi, max_module_mm=0.5))
    return Layout(width, height, dpi, tuple(elements))


def layout_return_slip(slip: ReturnSlip, dpi: int) -> Layout:
    """The 100 × 150 mm return slip at `dpi`."""
    check_dpi(dpi)
    width, height = (mm_to_dots(v, dpi) for v in ReturnSlip.size_mm)
    margin = mm_to_dots(5, dpi)
    inner = width - 2 * margin
    rule = max(2, mm_to_dots(0.4, dpi))
    elements: list[Element] = [
        Text(margin, mm_to_dots(4, dpi), inner, mm_to_dots(8, dpi), slip.store_name, shrink=True),
        Text(margin, mm_to_dots(13, dpi), inner, mm_to_dots(4.5, dpi), "退货单 RETURN SLIP"),
        Box(margin, mm_to_dots(19, dpi), inner, rule),
        _barcode(slip.rma_number, 23, 28, 5, width, dpi, max_module_mm=0.5),
        Box(margin, mm_to_dots(60, dpi), inner, rule),
    ]

    top = mm_to_dots(63, dpi)
    matrix = qr.matrix(slip.rma_number)
    module = mm_to_dots(26, dpi) // (len(matrix) + 2 * qr.QUIET_MODULES)
    quiet = qr.QUIET_MODULES * module
    code = QrCode(
        x=width - margin - len(matrix) * module,
        y=max(top, mm_to_dots(60, dpi) + rule + quiet),  # the rule stays out of its quiet zone
        module=module,
        data=slip.rma_number,
        matrix=matrix,
    )
    elements.append(code)

    row, pitch = mm_to_dots(5, dpi), mm_to_dots(6.5, dpi)
    beside_qr = code.x - quiet - margin
    details = (
        f"订单 Order  {slip.order_id}",
        f"买家 Buyer  {mask_name(slip.buyer_name)}",
        f"件数 Lines  {len(slip.lines_summary)}",
    )
    for i, line in enumerate(details):
        elements.append(Text(margin, top + i * pitch, beside_qr, row, line))

    footer = height - mm_to_dots(10, dpi)
    y = max(top + len(details) * pitch, code.y + code.size + quiet)
    elements.append(Text(margin, y, inner, row, "物品 Items"))
    y += pitch
    item_row, item_pitch = mm_to_dots(4.2, dpi), mm_to_dots(5.5, dpi)
    room = max(0, (footer - y) // item_pitch)
    lines = list(slip.lines_summary)
    if len(lines) > room:
        hidden = len(lines) - (room - 1)
        lines = [*lines[: room - 1], f"… 另有 {hidden} 项 and {hidden} more"] if room else []
    for i, line in enumerate(lines):
        elements.append(Text(margin, y + i * item_pitch, inner, item_row, f"• {line}"))

    elements.append(Box(margin, footer, inner, rule))
    elements.append(
        Text(
            margin,
            footer + mm_to_dots(1.5, dpi),
            inner,
            mm_to_dots(4, dpi),
            "请将此单放入包裹 Put this slip in the parcel",
            align="center",
        )
    )
    return Layout(width, height, dpi, tuple(elements))


def layout_bin(label: BinLabel, dpi: int) -> Layout:
    """The 100 × 50 mm bin label at `dpi`."""
    check_dpi(dpi)
    width, height = (mm_to_dots(v, dpi) for v in BinLabel.size_mm)
    margin = mm_to_dots(4, dpi)
    code128.check_encodable(label.code)
    elements: tuple[Element, ...] = (
        Text(
            margin,
            mm_to_dots(1.5, dpi),
            width - 2 * margin,
            mm_to_dots(19.5, dpi),
            label.code,
            align="center",
            shrink=True,
        ),
        _barcode(label.code, 21.5, 18, 4.5, width, dpi, max_module_mm=0.75),
    )
    return Layout(width, height, dpi, elements)


def layout(label: UnitLabel | ReturnSlip | BinLabel, dpi: int) -> Layout:
    """The layout of any label kind at `dpi`."""
    if isinstance(label, UnitLabel):
        return layout_unit(label, dpi)
    if isinstance(label, ReturnSlip):
        return layout_return_slip(label, dpi)
    if isinstance(label, BinLabel):
        return layout_bin(label, dpi)
    raise TypeError(f"not a label: {label!r}")
