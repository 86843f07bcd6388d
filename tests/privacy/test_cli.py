"""`equitable privacy ...`: the exact text a user sees."""

from __future__ import annotations

import json

import pandas as pd

from equitable.cli import main

GRADES = "grade,Girls,Boys,Total\nG3,40,35,75\nG4,3,30,33\nG5,22,25,47\nTotal,65,90,155\n"


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def test_protect_then_audit(tmp_path, capsys):
    src = tmp_path / "grades.csv"
    src.write_text(GRADES)
    code, out, err = run(capsys, "privacy", "protect", str(src), "-o", str(tmp_path / "pub"))
    assert code == 0, err
    assert out == f"grades.csv: 4 suppressed (1 primary, 3 complementary) -> {tmp_path / 'pub' / 'grades.csv'}\n"
    assert (tmp_path / "pub" / "grades.csv").read_text() == (
        "grade,Girls,Boys,Total\nG3,40,35,75\nG4,*,*,33\nG5,*,*,47\nTotal,65,90,155\n"
    )
    record = json.loads((tmp_path / "pub" / "run.json").read_text())
    assert record["command"] == "privacy protect"
    assert record["spec"]["privacy"]["threshold"] == 10
    code, out, err = run(capsys, "privacy", "audit", str(tmp_path / "pub" / "grades.csv"),
                         "--cells", str(tmp_path / "cells.csv"))
    assert code == 0
    assert out == "4 suppressed cells audited (protection level 3, threshold 10): OK\n"
    cells = pd.read_csv(tmp_path / "cells.csv")
    assert cells[["row", "column", "lower", "upper"]].values.tolist() == [
        ["G4", "Girls", 0.0, 25.0], ["G4", "Boys", 8.0, 33.0],
        ["G5", "Girls", 0.0, 25.0], ["G5", "Boys", 22.0, 47.0],
    ]


def test_audit_fails_on_a_derivable_cell(tmp_path, capsys):
    f = tmp_path / "t.csv"
    f.write_text(GRADES.replace("G4,3,", "G4,*,"))
    code, out, err = run(capsys, "privacy", "audit", str(f))
    assert code == 1
    assert out == (
        "1 suppressed cell audited (protection level 3, threshold 10): 1 problem(s)\n"
        f"  {f}: row 'G4', column 'Girls': suppressed cell can be derived exactly; the "
        "protection level is +-3\n"
    )
    assert err == "Error: audit failed: 1 problem(s)\n"


def test_audit_options_threshold_and_protection(tmp_path, capsys):
    f = tmp_path / "t.csv"
    f.write_text("school,A,B,Total\nx,*,*,12\ny,*,*,30\nTotal,16,26,42\n")
    assert run(capsys, "privacy", "audit", str(f))[0] == 0
    code, out, _ = run(capsys, "privacy", "audit", str(f), "--protection", "13",
                       "--threshold", "5")
    assert code == 1
    assert out.splitlines()[0] == (
        "4 suppressed cells audited (protection level 13, threshold 5): 4 problem(s)"
    )


def test_audit_bad_cell_names_file_line_and_column(tmp_path, capsys):
    f = tmp_path / "t.csv"
    f.write_text(GRADES.replace("G4,3,", "G4,n/a,"))
    code, _out, err = run(capsys, "privacy", "audit", str(f))
    assert code == 1
    assert err == (
        f"Error: {f}: row 3 ('G4'), column 'Girls': expected a count (a whole number >= 0) or '*'\n"
    )


def test_audit_empty_cell_and_missing_file(tmp_path, capsys):
    f = tmp_path / "t.csv"
    f.write_text(GRADES.replace("G4,3,", "G4,,"))
    assert run(capsys, "privacy", "audit", str(f))[2] == (
        f"Error: {f}, row 3, column 'Girls': empty cell (write a count or '*')\n"
    )
    assert run(capsys, "privacy", "audit", str(tmp_path / "no.csv"))[2] == (
        f"Error: {tmp_path / 'no.csv'}: file not found\n"
    )


def test_audit_linked_files_share_the_school_totals(tmp_path, capsys):
    a = tmp_path / "grade.csv"
    b = tmp_path / "race.csv"
    a.write_text("school,G1,G2,Total\nA,*,*,55\nB,*,*,15\nC,33,28,61\nTotal,66,65,131\n")
    b.write_text("school,R1,R2,Total\nA,20,35,55\nB,*,*,*\nC,*,*,*\nTotal,53,78,131\n")
    # each file alone passes; together, B's total (hidden in race.csv) is published in
    # grade.csv
    assert run(capsys, "privacy", "audit", str(a))[0] == 0
    assert run(capsys, "privacy", "audit", str(b))[0] == 0
    code, out, _ = run(capsys, "privacy", "audit", str(a), str(b))
    assert code == 1
    assert "the same cell is suppressed in one table and published in another" in out


def test_audit_long_files(tmp_path, capsys):
    f = tmp_path / "long.csv"
    f.write_text("school,n\nA,120\nB,*\nC,*\nTotal,180\n")
    code, out, _ = run(capsys, "privacy", "audit", str(f), "--count-col", "n",
                       "--group-cols", "school")
    assert code == 0
    assert out == "2 suppressed cells audited (protection level 3, threshold 10): OK\n"


def test_pseudonymize_command(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("EQUITABLE_PSEUDONYM_KEY", raising=False)
    src = tmp_path / "roster.csv"
    src.write_text("student_id,grade\n000123,03\n")
    out_csv = tmp_path / "out.csv"
    code, out, err = run(capsys, "privacy", "pseudonymize", str(src), "--column", "student_id",
                         "-o", str(out_csv))
    assert code == 1
    assert err.startswith("Error: no pseudonymization key: set EQUITABLE_PSEUDONYM_KEY")
    key = tmp_path / "key"
    key.write_text("0123456789abcdef0123456789abcdef\n")
    code, out, err = run(capsys, "privacy", "pseudonymize", str(src), "--column", "student_id",
                         "--key-file", str(key), "-o", str(out_csv))
    assert code == 0, err
    assert out == f"1 rows: student_id pseudonymized -> {out_csv}\n"
    import hashlib
    import hmac

    expected = hmac.new(b"0123456789abcdef0123456789abcdef", b"000123",
                        hashlib.sha256).hexdigest()[:32]
    assert out_csv.read_text() == f"student_id,grade\n{expected},03\n"


def test_privacy_help_lists_commands(capsys):
    code, out, _ = run(capsys, "privacy", "--help")
    assert code == 0
    for cmd in ("audit", "protect", "pseudonymize"):
        assert cmd in out


def test_pseudonymize_records_the_disclosure(tmp_path, capsys):
    src = tmp_path / "roster.csv"
    src.write_text("student_id,grade\n000123,03\n000124,04\n")
    key = tmp_path / "key"
    key.write_text("0123456789abcdef0123456789abcdef")
    out_csv = tmp_path / "share" / "out.csv"
    code, out, err = run(capsys, "privacy", "pseudonymize", str(src), "-c", "student_id",
                         "--key-file", str(key), "-o", str(out_csv), "--recipient",
                         "UCLA research team", "--purpose", "attendance study (MOU 2026-04)",
                         "--date", "2026-11-29")
    assert code == 0, err
    log = tmp_path / "share" / "disclosures.jsonl"
    assert out.splitlines()[-1] == f"disclosure recorded in {log}"
    entry = json.loads(log.read_text())
    from equitable.provenance import sha256_file

    assert entry == {
        "date": "2026-11-29", "file": "out.csv", "sha256": sha256_file(out_csv), "rows": 2,
        "columns": ["student_id", "grade"], "recipient": "UCLA research team",
        "purpose": "attendance study (MOU 2026-04)",
    }
    code, out, err = run(capsys, "privacy", "pseudonymize", str(src), "-c", "student_id",
                         "--key-file", str(key), "-o", str(out_csv), "--recipient", "X")
    assert code == 1
    assert err == "Error: --recipient and --purpose go together (34 CFR 99.32 records both)\n"
