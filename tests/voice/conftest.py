"""Fixtures of the voice tests: the example instrument and small hand-written exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from equitable.voice import load_instrument

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "voice"


@pytest.fixture(scope="session")
def instrument_path() -> Path:
    return EXAMPLES / "family_survey.toml"


@pytest.fixture(scope="session")
def inst(instrument_path):
    return load_instrument(instrument_path)


@pytest.fixture
def write(tmp_path):
    """write(name, text) -> path of a UTF-8 file in tmp_path."""

    def _write(name: str, text: str) -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write
