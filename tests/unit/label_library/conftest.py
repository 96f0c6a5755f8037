"""Fixtures for the labels library's tests: real codes, a barcode decoder, fresh font state."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from labels import fonts
from scanners.codes import bin_code, new_lpn, new_rma_number


@pytest.fixture(autouse=True)
def fresh_fonts():
    """Each test chooses its fonts (and gets its warnings) from scratch."""
    fonts.reset()
    yield
    fonts.reset()


@pytest.fixture
def lpn() -> str:
    return new_lpn()


@pytest.fixture
def rma() -> str:
    return new_rma_number()


@pytest.fixture
def bin_location() -> str:
    return bin_code("A0103")


@pytest.fixture
def decode():
    """Texts of the Code 128 symbols a real decoder (zxing-cpp) finds in an image or PNG."""

    def read(image: Image.Image | bytes, formats=zxingcpp.BarcodeFormat.Code128) -> list[str]:
        if isinstance(image, bytes):
            image = Image.open(io.BytesIO(image))
        return [found.text for found in zxingcpp.read_barcodes(image, formats=formats)]

    return read


@pytest.fixture
def no_cjk_font(monkeypatch):
    """A machine with no Chinese font installed: neither at the usual paths nor in fontconfig."""
    monkeypatch.setattr(fonts, "CJK_FONT_PATHS", ())
    monkeypatch.setattr(fonts, "_fontconfig_cjk", lambda: None)
