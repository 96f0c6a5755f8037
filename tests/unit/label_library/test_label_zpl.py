"""ZPL output: native ^BC barcodes sized from millimetres and dpi, field data that cannot break
the format, and text bitmaps identical to the PNG's."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from labels import (
    BinLabel,
    ReturnSlip,
    UnitLabel,
    label_image,
    render_label,
    render_labels_zpl,
    render_unit_label,
)
from labels.kinds import layout
from labels.layout import Barcode
from labels.zpl import code128_data, field_data, graphic_field

COMMAND = re.compile(r"\^([A-Z@][A-Z0-9@]?)")


def commands(zpl: bytes) -> list[str]:
    """Every ^-command of a ZPL job, data included, in order."""
    return ["^" + part for part in zpl.decode("ascii").replace("\n", "").split("^") if part]


@pytest.mark.parametrize(("dpi", "width", "length"), [(203, 400, 240), (300, 600, 360)])
def test_print_width_and_label_length_are_the_unit_labels_millimetres_in_dots(
    dpi, width, length, lpn
):
    zpl = render_unit_label(UnitLabel(lpn, "SKU-1", "耳机"), "zpl", dpi)

    assert f"^PW{width}" in commands(zpl)
    assert f"^LL{length}" in commands(zpl)


@pytest.mark.parametrize(
    ("label", "dpi", "width", "length"),
    [
        (ReturnSlip("RMA7K2D9QX4P", "店", "张三", "O1"), 203, 800, 1200),
        (ReturnSlip("RMA7K2D9QX4P", "店", "张三", "O1"), 300, 1200, 1800),
        (BinLabel("A0103K"), 203, 800, 400),
        (BinLabel("A0103K"), 300, 1200, 600),
    ],
)
def test_slips_and_bin_labels_have_their_own_width_and_length(label, dpi, width, length):
    zpl = render_label(label, "zpl", dpi)

    assert f"^PW{width}" in commands(zpl)
    assert f"^LL{length}" in commands(zpl)


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_lpn_is_a_native_code_128_field_with_the_layouts_module_width(dpi, lpn):
    label = UnitLabel(lpn, "SKU-1", "耳机")
    zpl = render_unit_label(label, "zpl", dpi)
    (barcode,) = [e for e in layout(label, dpi).elements if isinstance(e, Barcode)]
    text = zpl.decode("ascii")

    assert zpl.startswith(b"^XA") and zpl.rstrip().endswith(b"^XZ")
    assert text.count("^BC") == 1
    assert re.search(
        rf"\^BY{barcode.symbol.module}\^A0N,\d+,\d+\^BCN,{barcode.bar_height},Y,N,N\^FD>:{lpn}\^FS",
        text,
    )


def test_the_return_slip_has_its_rma_as_code_128_and_as_a_native_qr_code(rma):
    zpl = render_label(ReturnSlip(rma, "店", "张三", "O1"), "zpl", 203).decode("ascii")

    assert f"^FD>:{rma}^FS" in zpl
    assert re.search(rf"\^BQN,2,\d+\^FH\^FDMA,{rma}\^FS", zpl)


def test_field_data_hex_escapes_the_zpl_prefixes_the_hex_indicator_and_non_ascii():
    assert field_data("A^B~C_D") == "A_5EB_7EC_5FD"
    assert field_data("中") == "_E4_B8_AD"
    assert field_data("line\nbreak") == "line_0Abreak"
    assert field_data("RMA7K2D9QX4P") == "RMA7K2D9QX4P"


def test_code_128_data_spells_caret_tilde_and_greater_than_as_invocation_codes():
    assert code128_data("A^B~C>D_E") == ">:A><B>=C>0D_E"


def test_a_code_with_zpl_prefix_characters_cannot_end_or_inject_a_command():
    zpl = render_label(BinLabel("A^XZ~JR>"), "zpl", 203)
    parsed = commands(zpl)

    assert [c for c in parsed if c.startswith("^XZ")] == ["^XZ"]  # only the real end
    assert "~" not in zpl.decode("ascii")
    assert "^FD>:A><XZ>=JR>0" in parsed


def test_several_labels_make_one_job_of_consecutive_formats(lpn, rma):
    job = render_labels_zpl([UnitLabel(lpn, "S", "T"), ReturnSlip(rma, "店", "张三", "O1")], 300)

    assert job.count(b"^XA") == job.count(b"^XZ") == 2
    assert job.index(lpn.encode()) < job.index(rma.encode())


def test_zpl_is_plain_ascii_even_for_chinese_text(lpn):
    zpl = render_unit_label(UnitLabel(lpn, "SKU-1", "小米蓝牙耳机 黑色"), "zpl", 203)

    zpl.decode("ascii")  # raises if not
    assert b"^CI28" in zpl


def _paint_graphics(zpl: bytes, size: tuple[int, int]) -> Image.Image:
    """Draw the ^GFA fields of `zpl` the way a printer would: set bits are black dots."""
    canvas = Image.new("1", size, 1)
    pattern = r"\^FO(\d+),(\d+)\^GFA,(\d+),\d+,(\d+),([0-9A-F]+)\^FS"
    for x, y, total, row_bytes, data in re.findall(pattern, zpl.decode("ascii")):
        raw = bytes.fromhex(data)
        assert len(raw) == int(total)
        rows = len(raw) // int(row_bytes)
        ink = Image.frombytes("1", (int(row_bytes) * 8, rows), raw)
        black = Image.new("1", ink.size, 0)
        canvas.paste(black, (int(x), int(y)), ink.convert("L"))
    return canvas


@pytest.mark.parametrize("dpi", [203, 300])
def test_text_in_zpl_is_the_same_dots_as_in_the_png(dpi, lpn):
    label = UnitLabel(lpn, "SKU-884213", "小米蓝牙耳机 Air 2 SE 黑色", "A", "restock")
    image = label_image(label, dpi)
    (barcode,) = [e for e in layout(label, dpi).elements if isinstance(e, Barcode)]
    above_barcode = (0, 0, image.width, barcode.y)

    painted = _paint_graphics(render_unit_label(label, "zpl", dpi), image.size)

    assert painted.crop(above_barcode).tobytes() == image.crop(above_barcode).tobytes()


def test_a_graphic_field_has_one_bit_per_dot_with_rows_padded_to_bytes():
    image = Image.new("1", (10, 2), 1)
    image.putpixel((0, 0), 0)
    image.putpixel((9, 1), 0)

    assert graphic_field(image) == "^GFA,4,4,2,80000040"
