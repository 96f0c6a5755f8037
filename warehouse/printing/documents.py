"""What a label endpoint answers: some labels in one format, its file name, ETag and lifetime.

Plain Python (no Flask, no database). The ETag is a hash of everything the bytes are made
from (the labels' content, format, dpi, layout, the labels library's own code and the font
it draws with), so a client's cached copy is confirmed with a 304 without drawing anything,
and any change to a label, to the library or to the installed font gives a new ETag.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import labels as label_library
from labels import (
    MEDIA_TYPES,
    BinLabel,
    LabelError,
    ReturnSlip,
    UnitLabel,
    render_label,
    render_labels_pdf,
    render_labels_zpl,
    render_sheet,
)
from labels.fonts import text_face
from labels.render import Format

AnyLabel = UnitLabel | ReturnSlip | BinLabel
Layout = Literal["labels", "sheet"]


@dataclass(frozen=True)
class LabelDocument:
    """One or more labels as one PNG, PDF or ZPL file.

    `layout` "labels" is a page (or ZPL format) per label at the label's size; "sheet" is unit
    labels on A4 pages for an office printer (PDF only). A PNG holds exactly one label.
    """

    labels: tuple[AnyLabel, ...]
    fmt: Format
    dpi: int
    #: The file name without its extension, such as the LPN.
    name: str
    layout: Layout = "labels"
    #: Seconds a client may use its copy without asking again (`Cache-Control: max-age`).
    max_age: int = 0

    def __post_init__(self) -> None:
        if not self.labels:
            raise LabelError("a label document needs at least one label")
        if self.fmt == "png" and len(self.labels) != 1:
            raise LabelError("a PNG holds one label")
        if self.layout == "sheet" and self.fmt != "pdf":
            raise LabelError("a sheet of labels is a PDF")

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.fmt}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]

    @property
    def etag(self) -> str:
        """A strong validator for the bytes `render()` gives, computed without rendering."""
        face = text_face(None)
        parts = [
            _library_fingerprint(),
            f"{face.path}#{face.index}",
            self.fmt,
            str(self.dpi),
            self.layout,
            *(_label_key(label) for label in self.labels),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    def render(self) -> bytes:
        """The document's bytes; a LabelError when a label cannot be printed so that it scans."""
        if self.layout == "sheet":
            return render_sheet(self.labels, self.dpi)
        if self.fmt == "png":
            return render_label(self.labels[0], "png", self.dpi)
        if self.fmt == "pdf":
            return render_labels_pdf(self.labels, self.dpi)
        return render_labels_zpl(self.labels, self.dpi)


def _label_key(label: AnyLabel) -> str:
    """The label's kind and content, unambiguously (repr quotes and escapes every string)."""
    return f"{type(label).__name__}{dataclasses.astuple(label)!r}"


@functools.cache
def _library_fingerprint() -> str:
    """A hash of the labels library's source: a deploy that changes how labels look changes
    every ETag, with nobody having to remember to bump a version."""
    digest = hashlib.sha256()
    for path in sorted(Path(label_library.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
