"""Issue 19, item 8: every output byte-identical to the reference recorded on the code before the
index core and the allocation rules were refactored (benchmarks/check_identical.py).

Runs every index preset on its real public file, ``equitable run examples/lausd.toml``, the
sensitivity analysis and the audit, and compares the SHA-256 of each output file (run.json
without the tool's version) and of each command's terminal output with
tests/data/identical_outputs.json.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.data

ROOT = Path(__file__).resolve().parents[2]


def _checker():
    spec = importlib.util.spec_from_file_location("check_identical", ROOT / "benchmarks" / "check_identical.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_output_is_byte_identical_to_the_reference(data_dir):
    chk = _checker()
    want = json.loads(chk.REFERENCE.read_text(encoding="utf-8"))
    assert len(want) == 100  # 9 presets (table, run.json, --explain), run (with health.csv and
    # allocation.es.xlsx since the fourth session), sensitivity, audit
    got = chk.digests(data_dir)
    assert chk.compare(got, want) == []


def test_the_check_sees_a_changed_byte():
    chk = _checker()
    want = {"index/a.csv": "1", "index/b.csv": "2"}
    assert chk.compare({"index/a.csv": "1", "index/b.csv": "3", "c": "4"}, want) == [
        "differs: index/b.csv", "new: c"]
    assert chk.compare({"index/a.csv": "1"}, want) == ["missing: index/b.csv"]
