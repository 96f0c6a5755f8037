"""Text that is too long is shortened with an ellipsis and never leaves its box."""

from __future__ import annotations

from PIL import Image, ImageOps

from labels import ReturnSlip, label_image
from labels.fonts import sized, text_face
from labels.kinds import layout
from labels.layout import Text
from labels.text import ELLIPSIS, fit, render


def ink_box(image: Image.Image):
    return ImageOps.invert(image.convert("L")).getbbox()


def test_text_that_fits_is_left_alone():
    font = sized(text_face(), 24).font

    assert fit("SKU-884213", font, 400) == "SKU-884213"


def test_too_long_text_ends_in_an_ellipsis_within_the_width():
    font = sized(text_face(), 24).font
    shown = fit("小米蓝牙耳机 Air 2 SE 黑色 真无线降噪 " * 5, font, 300)

    assert shown.endswith(ELLIPSIS)
    assert font.getbbox(shown)[2] <= 300


def test_rendered_text_is_exactly_its_box_whatever_the_text():
    box = Text(0, 0, 120, 20, "很长的标题" * 50)

    image = render(box, text_face())

    assert image.size == (120, 20)
    assert ink_box(image) is not None


def test_shrinkable_text_gets_smaller_before_it_loses_characters():
    code = "A0103KQ7Z9XW"
    assert fit(code, sized(text_face(), 80).font, 300).endswith(ELLIPSIS)  # too wide as it is

    shrunk = ink_box(render(Text(0, 0, 300, 80, code, shrink=True), text_face()))
    fixed = ink_box(render(Text(0, 0, 300, 80, code), text_face()))

    assert shrunk[2] <= 300
    assert shrunk[3] - shrunk[1] < fixed[3] - fixed[1]


def test_a_slip_with_many_lines_lists_what_fits_and_says_how_many_more(rma):
    slip = ReturnSlip(rma, "店", "张三", "O1", [f"{i} × 商品 {i}" for i in range(40)])
    texts = [e for e in layout(slip, 203).elements if isinstance(e, Text)]
    items = [t for t in texts if t.text.startswith("• ")]
    footer = max(t.y for t in texts)

    assert 5 < len(items) < 40
    assert "more" in items[-1].text
    assert str(40 - len(items) + 1) in items[-1].text
    assert all(t.y + t.height < footer for t in items)
    label_image(slip, 203)  # and it draws
