"""Chinese text: drawn with a CJK font when one is installed; otherwise the label still
prints, with '?' for what the fallback font cannot draw, and one warning."""

from __future__ import annotations

import logging

import pytest

from labels import UnitLabel, fonts, render_unit_label
from labels.layout import Text
from labels.text import fit, render

TITLE = "小米蓝牙耳机 黑色"


def warnings_from_fonts(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "labels.fonts" and r.levelno == logging.WARNING
    ]


@pytest.fixture
def cjk_face():
    face = fonts.find_cjk_font()
    if face is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    return face


def test_an_installed_cjk_font_is_found_and_draws_chinese(cjk_face, caplog):
    caplog.set_level(logging.WARNING)
    font = fonts.sized(fonts.text_face(), 24).font

    assert fonts.text_face() == cjk_face
    assert fit(TITLE, font, 1000) == TITLE
    assert warnings_from_fonts(caplog) == []


def test_a_chinese_title_is_drawn_as_glyphs_not_as_question_marks(cjk_face):
    box = Text(0, 0, 400, 30, TITLE)
    drawn = render(box, cjk_face)
    blank = render(Text(0, 0, 400, 30, ""), cjk_face)
    as_fallback = render(Text(0, 0, 400, 30, "?????? ??"), cjk_face)

    assert drawn.tobytes() != blank.tobytes()
    assert drawn.tobytes() != as_fallback.tobytes()


def test_without_a_cjk_font_labels_print_with_question_marks_and_warn_once(
    no_cjk_font, caplog, lpn, decode
):
    caplog.set_level(logging.WARNING)

    first = render_unit_label(UnitLabel(lpn, "SKU-1", TITLE), "png", 203)
    render_unit_label(UnitLabel(lpn, "SKU-2", "另一个标题"), "png", 300)
    render_unit_label(UnitLabel(lpn, "SKU-3", TITLE), "zpl", 203)

    assert decode(first) == [lpn]
    (warning,) = warnings_from_fonts(caplog)
    assert "fonts-noto-cjk" in warning
    face = fonts.text_face()
    assert not face.cjk
    assert fit(TITLE, fonts.sized(face, 24).font, 1000) == "?????? ??"


def test_a_font_setting_pointing_at_nothing_falls_back_with_one_warning(
    tmp_path, caplog, lpn, decode
):
    caplog.set_level(logging.WARNING)
    missing = str(tmp_path / "no-such-font.ttc")

    png = render_unit_label(UnitLabel(lpn, "SKU-1", TITLE), "png", 203, font_path=missing)
    render_unit_label(UnitLabel(lpn, "SKU-1", TITLE), "pdf", 203, font_path=missing)

    assert decode(png) == [lpn]
    (warning,) = warnings_from_fonts(caplog)
    assert missing in warning


def test_an_explicit_cjk_font_path_is_used(cjk_face):
    face = fonts.text_face(cjk_face.path)

    assert face.path == cjk_face.path
    assert face.cjk


def test_a_collection_prefers_its_simplified_chinese_face(cjk_face):
    if not cjk_face.path.endswith("NotoSansCJK-Regular.ttc"):
        pytest.skip("the face order checked here is Noto Sans CJK's")

    assert "SC" in cjk_face.load(20).getname()[0]


def test_a_glyph_the_font_lacks_is_told_apart_from_one_it_has():
    font = fonts.FontFace(path=None).load(20)  # Pillow's own font: Latin only

    assert fonts.has_glyph(font, "A")
    assert fonts.has_glyph(font, " ")
    assert not fonts.has_glyph(font, "\U000f0000")  # a private-use plane no text font fills
