"""Pseudonymous ids: keyed HMAC-SHA256 (RFC 4231 test vector), key handling, files."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.privacy import load_key, pseudonymize, pseudonymize_file

# RFC 4231, test case 1: key = 0x0b * 20, data = "Hi There"
RFC4231_KEY = b"\x0b" * 20
RFC4231_MAC = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"


def test_hmac_matches_rfc4231():
    assert pseudonymize(["Hi There"], RFC4231_KEY, length=64)[0] == RFC4231_MAC
    assert pseudonymize(["Hi There"], RFC4231_KEY)[0] == RFC4231_MAC[:32]


def test_same_id_same_pseudonym_other_key_other_pseudonym():
    key = "a" * 32
    s = pseudonymize(pd.Series(["000123", "000124", "000123"], name="student_id"), key)
    assert s[0] == s[2] != s[1]
    assert s.name == "student_id"
    assert pseudonymize(["000123"], "b" * 32)[0] != s[0]
    assert pseudonymize([" 000123 "], key)[0] == s[0]  # spaces ignored


def test_short_key_and_missing_id():
    with pytest.raises(InputError) as exc:
        pseudonymize(["1"], "short")
    assert str(exc.value) == "the pseudonymization key is 5 bytes; at least 16 are needed"
    with pytest.raises(InputError) as exc:
        pseudonymize(["900001", None, ""], "k" * 16)
    assert str(exc.value) == "id at position 2 is missing (2 missing)"


def test_load_key_from_env_file_or_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("EQUITABLE_PSEUDONYM_KEY", raising=False)
    with pytest.raises(InputError) as exc:
        load_key()
    assert str(exc.value) == (
        "no pseudonymization key: set EQUITABLE_PSEUDONYM_KEY or pass --key-file (keep the key "
        "outside the data; make one with: python -c \"import secrets; "
        "print(secrets.token_hex(32))\")"
    )
    monkeypatch.setenv("EQUITABLE_PSEUDONYM_KEY", "e" * 20)
    assert load_key() == b"e" * 20
    f = tmp_path / "key"
    f.write_bytes(b"f" * 24 + b"\n")
    assert load_key(f) == b"f" * 24
    with pytest.raises(InputError) as exc:
        load_key(tmp_path / "nope")
    assert str(exc.value) == f"{tmp_path / 'nope'}: key file not found"


def test_pseudonymize_file_keeps_other_columns(tmp_path):
    src = tmp_path / "roster.csv"
    src.write_text("student_id,school,grade\n000123,0123456,03\n000124,0123456,04\n")
    out = tmp_path / "out.csv"
    assert pseudonymize_file(src, out, columns=["student_id"], key=RFC4231_KEY) == 2
    df = pd.read_csv(out, dtype=str)
    assert df["school"].tolist() == ["0123456", "0123456"]
    assert df["grade"].tolist() == ["03", "04"]
    assert df["student_id"].tolist() == pseudonymize(["000123", "000124"], RFC4231_KEY).tolist()


def test_pseudonymize_file_blank_id_names_line_not_id(tmp_path):
    src = tmp_path / "roster.csv"
    src.write_text("student_id,name\n000123,Ana\n,Luis\n")
    with pytest.raises(InputError) as exc:
        pseudonymize_file(src, tmp_path / "o.csv", columns=["student_id"], key=RFC4231_KEY)
    assert str(exc.value) == f"{src}, row 3, column 'student_id': missing id (1 row(s) without one)"
