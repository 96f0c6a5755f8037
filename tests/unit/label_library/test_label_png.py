"""PNG labels scan: every kind, at 203 and 300 dpi, upright, rotated and after a thermal print."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from labels import (
    BinLabel,
    ReturnSlip,
    UnitLabel,
    render_bin_label,
    render_label,
    render_return_slip,
    render_unit_label,
)
from labels.code128 import QUIET_MODULES
from labels.kinds import layout
from labels.layout import Barcode

KINDS = ["unit", "slip", "bin"]


def make(kind: str, lpn: str, rma: str, bin_location: str):
    """A realistic label of `kind` and the code its barcode must give back."""
    if kind == "unit":
        return UnitLabel(lpn, "SKU-884213-BLK", "小米蓝牙耳机 Air 2 SE 黑色", "B", "refurbish"), lpn
    if kind == "slip":
        slip = ReturnSlip(rma, "优品数码旗舰店", "张小明", "TB2024110512345678", ["1 × 蓝牙耳机"])
        return slip, rma
    return BinLabel(bin_location), bin_location


def as_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def thermal_print(image: Image.Image) -> Image.Image:
    """What a worn thermal head and a cheap camera do: lose detail (0.8×) and smear it back."""
    grey = image.convert("L")
    small = grey.resize(
        (round(grey.width * 0.8), round(grey.height * 0.8)), Image.Resampling.BILINEAR
    )
    return small.resize(grey.size, Image.Resampling.BILINEAR)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("kind", KINDS)
def test_every_label_kind_decodes_to_its_code_at_both_resolutions(
    kind, dpi, lpn, rma, bin_location, decode
):
    label, code = make(kind, lpn, rma, bin_location)
    image = as_image(render_label(label, "png", dpi))

    assert decode(image) == [code]
    assert decode(image.rotate(90, expand=True)) == [code]
    assert decode(thermal_print(image)) == [code]
    assert decode(thermal_print(image.rotate(90, expand=True))) == [code]


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_return_slip_qr_code_also_carries_the_rma_number(dpi, rma, decode):
    slip = ReturnSlip(rma, "优品数码旗舰店", "张小明", "TB1")
    png = render_return_slip(slip, "png", dpi)

    assert decode(png, formats=zxingcpp.BarcodeFormat.QRCode) == [rma]


@pytest.mark.parametrize(
    ("dpi", "kind", "size"),
    [
        (203, "unit", (400, 240)),
        (300, "unit", (600, 360)),
        (203, "slip", (800, 1200)),
        (300, "slip", (1200, 1800)),
        (203, "bin", (800, 400)),
        (300, "bin", (1200, 600)),
    ],
)
def test_labels_are_their_size_in_millimetres_times_the_printers_dots_per_millimetre(
    dpi, kind, size, lpn, rma, bin_location
):
    label, _ = make(kind, lpn, rma, bin_location)
    image = as_image(render_label(label, "png", dpi))

    assert image.size == size
    assert image.mode == "1"  # pure black and white: no grey bar edges
    assert round(image.info["dpi"][0], 1) == {203: 203.2, 300: 304.8}[dpi]


def _bar_row(image: Image.Image, element: Barcode) -> list[int]:
    y = element.y + element.bar_height // 2
    return [image.getpixel((x, y)) for x in range(element.x, element.x + element.width)]


def _runs(row: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for value in row:
        if runs and runs[-1][0] == value:
            runs[-1] = (value, runs[-1][1] + 1)
        else:
            runs.append((value, 1))
    return runs


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("kind", KINDS)
def test_bars_and_spaces_are_whole_modules_with_ten_module_quiet_zones(
    kind, dpi, lpn, rma, bin_location
):
    label, _ = make(kind, lpn, rma, bin_location)
    image = as_image(render_label(label, "png", dpi))
    (barcode,) = [e for e in layout(label, dpi).elements if isinstance(e, Barcode)]
    module = barcode.symbol.module
    runs = _runs(_bar_row(image, barcode))

    (quiet_left, _), *inner, (quiet_right, _) = runs
    assert quiet_left == quiet_right == 255
    assert runs[0][1] >= QUIET_MODULES * module
    assert runs[-1][1] >= QUIET_MODULES * module
    assert all(length % module == 0 for _, length in inner)
    assert "".join(("1" if v == 0 else "0") * (n // module) for v, n in inner) == (
        barcode.symbol.pattern
    )


def test_modules_are_at_least_a_quarter_millimetre(lpn):
    for dpi, dots in [(203, 2), (300, 3)]:
        (barcode,) = [
            e for e in layout(UnitLabel(lpn, "S", "T"), dpi).elements if isinstance(e, Barcode)
        ]
        assert barcode.symbol.module >= dots


def test_the_human_readable_code_is_printed_under_the_bars(lpn):
    image = as_image(render_unit_label(UnitLabel(lpn, "S", "T"), "png", 203))
    (barcode,) = [
        e for e in layout(UnitLabel(lpn, "S", "T"), 203).elements if isinstance(e, Barcode)
    ]
    below = image.crop((0, barcode.y + barcode.bar_height, image.width, image.height))

    assert below.convert("L").getextrema()[0] == 0  # some black: the text


def test_a_long_title_and_sku_never_reach_the_barcode(lpn):
    short = as_image(render_unit_label(UnitLabel(lpn, "S", "T"), "png", 203))
    long = as_image(
        render_unit_label(
            UnitLabel(lpn, "SKU-" + "9" * 80, "很长的标题" * 40, "B", "restock"), "png", 203
        )
    )
    (barcode,) = [
        e for e in layout(UnitLabel(lpn, "S", "T"), 203).elements if isinstance(e, Barcode)
    ]
    region = (0, barcode.y, short.width, short.height)

    assert long.crop(region).tobytes() == short.crop(region).tobytes()


def test_a_bin_label_shows_its_code_large(bin_location):
    image = as_image(render_bin_label(BinLabel(bin_location), "png", 203))
    top = image.crop((0, 0, image.width, 21 * 8))  # above the barcode
    bbox = Image.eval(top.convert("L"), lambda v: 255 - v).getbbox()

    assert bbox is not None
    assert bbox[3] - bbox[1] >= 10 * 8  # characters at least 10 mm tall
