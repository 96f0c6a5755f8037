"""The `Scan` the service and the handheld UI rely on, and the library's independence."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from scanners import KINDS, PROBLEM_CODES, Scan, parse
from scanners.scan import make_scan


def test_scan_is_a_frozen_dataclass():
    scan = parse("4006381333931")
    assert dataclasses.is_dataclass(scan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scan.kind = "rma"
    with pytest.raises(TypeError):
        scan.ai["01"] = "x"


def test_to_dict_gives_every_field_ready_for_json():
    scan = parse("]C10109521234543213" + "10AB1\x1d" + "21S7")
    data = scan.to_dict()
    assert set(data) == {field.name for field in dataclasses.fields(Scan)}
    assert json.loads(json.dumps(data)) == {
        "kind": "gs1",
        "value": "(01)09521234543213(10)AB1(21)S7",
        "carrier": None,
        "carrier_candidates": [],
        "gtin": "09521234543213",
        "serial": "S7",
        "batch": "AB1",
        "ai": {"01": "09521234543213", "10": "AB1", "21": "S7"},
        "symbology": "]C1",
        "verified": True,
        "problem": None,
        "problem_code": None,
    }


def test_the_fast_constructor_builds_the_same_scan_as_the_dataclass():
    fast = make_scan("tracking", "SF1385628716739", carrier="sf", carrier_candidates=("sf",))
    slow = Scan("tracking", "SF1385628716739", carrier="sf", carrier_candidates=("sf",))
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    assert fast.to_dict() == slow.to_dict()


def test_equal_scans_are_equal_and_hashable():
    assert parse("SF1385628716739") == parse(" sf1385628716739\r\n")
    assert len({parse("SF1385628716739"), parse("SF1385628716739")}) == 1


def test_the_kinds_are_those_of_the_contract():
    assert KINDS == ("rma", "lpn", "tracking", "gtin", "gs1", "badge", "unknown")
    assert set(PROBLEM_CODES) >= {"bad_check", "truncated", "too_long", "garbled", "empty"}


def test_the_library_imports_neither_flask_nor_a_database():
    code = (
        "import sys, scanners\n"
        "scanners.parse('4006381333931')\n"
        "bad = {'flask', 'sqlalchemy', 'marshmallow', 'warehouse'} & set(sys.modules)\n"
        "print(sorted(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
