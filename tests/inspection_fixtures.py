"""Helpers for inspection and disposition tests: a `Floor` that makes units the way the dock
does (a store creates a return, a receiver scans the parcel and its items), checklists,
photos and bins, all through the API. Each test module builds one with a small fixture."""

from __future__ import annotations

import io
import struct
import uuid
import zlib

from factories import bearer, line, return_body
from PIL import Image
from sqlalchemy import select

from warehouse.events.models import Event

GOOD_APPAREL = {
    "tags_attached": True,
    "signs_of_wear": "none",
    "stains": False,
    "packaging_intact": True,
}


def apparel_items() -> list[dict]:
    """A small apparel checklist: every item type and the rules tests rely on."""
    return [
        {
            "key": "tags_attached",
            "label": {"zh-CN": "吊牌完好", "en": "Tags attached"},
            "type": "yes_no",
            "fail_when": False,
            "grade_cap": "B",
            "liability": "buyer",
            "deduction_percent": 20,
        },
        {
            "key": "signs_of_wear",
            "label": {"zh-CN": "穿着痕迹", "en": "Signs of wear"},
            "type": "choice",
            "choices": ["none", "tried_on", "worn"],
            "outcomes": {
                "tried_on": {"grade_cap": "B"},
                "worn": {"grade_cap": "C", "buyer_fault": True, "deduction_percent": 30},
            },
        },
        {
            "key": "stains",
            "label": {"zh-CN": "污渍", "en": "Stains"},
            "type": "yes_no",
            "fail_when": True,
            "grade_cap": "C",
            "buyer_fault": True,
            "deduction_percent": 30,
        },
        {
            "key": "packaging_intact",
            "label": "Packaging intact",
            "type": "yes_no",
            "fail_when": False,
        },
        {
            "key": "chest_cm",
            "label": "Chest (cm)",
            "type": "number",
            "required": False,
            "min": 30,
            "max": 200,
        },
        {"key": "photo_front", "label": "Front", "type": "photo", "required": False},
        {"key": "notes", "label": "Notes", "type": "text", "required": False},
    ]


def image_bytes(
    size: tuple[int, int] = (64, 48),
    fmt: str = "JPEG",
    *,
    exif: Image.Exif | None = None,
    color=(200, 30, 30),
    **save,
) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    image.save(out, fmt, **save)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height` pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class Floor:
    """The dock, the QC bench and the shelves, driven through the API."""

    def __init__(self, app, client, store, staff_token) -> None:
        self.app, self.client = app, client
        self.store_id, api_key = store
        self.store = bearer(api_key)
        self.inspector = bearer(staff_token("inspector"))
        self.supervisor = bearer(staff_token("supervisor"))
        self.receiver = bearer(staff_token("receiver"))

    # --- setting up ---------------------------------------------------------------------

    def checklist(self, category: str = "apparel", items: list | None = None, **body) -> dict:
        body = {"name": f"{category} QC", "category": category, "items": items, **body}
        if body["items"] is None:
            body["items"] = apparel_items()
        response = self.client.post("/api/v1/checklists", json=body, headers=self.supervisor)
        assert response.status_code == 201, response.json
        return response.json

    def create_return(self, lines: list[dict], headers=None, **overrides) -> dict:
        response = self.client.post(
            "/api/v1/returns",
            json=return_body(lines=lines, **overrides),
            headers=headers or self.store,
        )
        assert response.status_code == 201, response.json
        return response.json

    def receive(self, ret: dict, codes: list[str], *, damaged: bool = False, close=True) -> list:
        """Scans the return's parcel and `codes` as items; answers the units' LPNs."""
        scan = {"scan_id": str(uuid.uuid4()), "code": ret["rma_number"]}
        parcel = self.client.post("/api/v1/parcels/scan", json=scan, headers=self.receiver)
        parcel_id = parcel.json["parcel"]["id"]
        lpns = []
        for code in codes:
            body = {"scan_id": str(uuid.uuid4()), "code": code, "damaged": damaged}
            answer = self.client.post(
                f"/api/v1/parcels/{parcel_id}/items/scan", json=body, headers=self.receiver
            )
            assert answer.status_code == 200, answer.json
            lpns.append(answer.json["unit"]["lpn"])
        if close:
            closed = self.client.post(f"/api/v1/parcels/{parcel_id}/close", headers=self.receiver)
            assert closed.status_code == 200, closed.json
        return lpns

    def unit(
        self,
        *,
        category: str = "apparel",
        reason: str = "no_reason_7d",
        unit_price: int = 9900,
        damaged: bool = False,
        **overrides,
    ) -> str:
        """One received unit of a one-line return; answers its LPN."""
        sku = f"SKU-{uuid.uuid4().hex[:8].upper()}"
        ret = self.create_return(
            [line(sku=sku, gtin=None, category=category, unit_price=unit_price)],
            reason=reason,
            **overrides,
        )
        return self.receive(ret, [sku], damaged=damaged)[0]

    def photo(self, lpn: str, data: bytes | None = None, headers=None) -> str:
        response = self.upload(lpn, data if data is not None else image_bytes(), headers)
        assert response.status_code == 201, response.json
        return response.json["id"]

    def upload(self, lpn: str, data: bytes, headers=None, name: str = "photo.jpg"):
        return self.client.post(
            f"/api/v1/units/{lpn}/photos",
            data={"file": (io.BytesIO(data), name)},
            headers=headers or self.inspector,
            content_type="multipart/form-data",
        )

    def bin(self, name: str = "A0103") -> str:
        response = self.client.post("/api/v1/bins", json={"code": name}, headers=self.supervisor)
        assert response.status_code == 201, response.json
        return response.json["code"]

    # --- acting ---------------------------------------------------------------------------

    def inspect(self, lpn: str, answers: dict | None = None, headers=None, **body):
        body = {"answers": GOOD_APPAREL if answers is None else answers, **body}
        return self.client.post(
            f"/api/v1/units/{lpn}/inspection", json=body, headers=headers or self.inspector
        )

    def inspected(self, lpn: str, answers: dict | None = None, **body) -> dict:
        response = self.inspect(lpn, answers, **body)
        assert response.status_code == 201, response.json
        return response.json

    def dispose(self, lpn: str, decision: str, headers=None, **body):
        return self.client.post(
            f"/api/v1/units/{lpn}/disposition",
            json={"decision": decision, **body},
            headers=headers or self.inspector,
        )

    def where(self, lpn: str, headers=None) -> dict:
        response = self.client.get(
            f"/api/v1/units/{lpn}/disposition", headers=headers or self.inspector
        )
        assert response.status_code == 200, response.json
        return response.json

    # --- looking --------------------------------------------------------------------------

    def events(self, type_: str) -> list[Event]:
        session = self.app.extensions["warehouse.sessions"]()
        try:
            return list(
                session.scalars(select(Event).where(Event.type == type_).order_by(Event.sequence))
            )
        finally:
            session.close()

    def count(self, model) -> int:
        from sqlalchemy import func

        session = self.app.extensions["warehouse.sessions"]()
        try:
            return session.scalar(select(func.count()).select_from(model))
        finally:
            session.close()
