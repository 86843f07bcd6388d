"""Regressions found by trying `equitable privacy` with bad input: one line, exit 1."""

from __future__ import annotations

from equitable.cli import main

TABLE = "school,A,B,Total\nX,5,20,25\nY,30,40,70\nTotal,35,60,95\n"


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def test_audit_a_folder(tmp_path, capsys):
    assert run(capsys, "privacy", "audit", tmp_path) == (
        1, "", f"Error: {tmp_path}: is a folder, not a CSV file\n")


def test_audit_an_empty_file(tmp_path, capsys):
    (tmp_path / "e.csv").write_text("")
    assert run(capsys, "privacy", "audit", tmp_path / "e.csv") == (
        1, "", f"Error: {tmp_path / 'e.csv'}: the file is empty (no header row)\n")


def test_latin1_names_the_line(tmp_path, capsys):
    # the é is byte 0xe9 in Latin-1, on line 3: its value and line, not its offset (byte 28)
    (tmp_path / "l.csv").write_bytes(TABLE.replace("Y,", "Y\xe9,").encode("latin-1"))
    expected = (1, "", (f"Error: {tmp_path / 'l.csv'}, row 3: not UTF-8 text (byte 0xe9); save "
                        "the file as 'CSV UTF-8' (Excel) or convert it, e.g. iconv -f "
                        "WINDOWS-1252 -t UTF-8\n"))
    assert run(capsys, "privacy", "protect", tmp_path / "l.csv", "-o", tmp_path / "o") == expected
    assert run(capsys, "privacy", "audit", tmp_path / "l.csv") == expected


def test_protect_into_a_file(tmp_path, capsys):
    (tmp_path / "t.csv").write_text(TABLE)
    (tmp_path / "f").write_text("x")
    assert run(capsys, "privacy", "protect", tmp_path / "t.csv", "-o", tmp_path / "f") == (
        1, "", f"Error: {tmp_path / 'f'}: is a file; the output must be a folder (-o OUT_DIR)\n")


def test_pseudonymize_reads_excel_bom_and_keeps_cells_exactly(tmp_path, capsys):
    (tmp_path / "key").write_text("k" * 40)
    (tmp_path / "ids.csv").write_bytes(b"\xef\xbb\xbfstudent_id,name\r\n007, Ana\r\n")
    code, out, err = run(capsys, "privacy", "pseudonymize", tmp_path / "ids.csv", "--column",
                         "student_id", "--key-file", tmp_path / "key", "-o", tmp_path / "p.csv")
    assert (code, err) == (0, "")
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert lines[0] == "student_id,name"
    pid, name = lines[1].split(",")
    assert name == " Ana" and len(pid) == 32 and pid != "007"


def test_pseudonymize_into_a_folder(tmp_path, capsys):
    (tmp_path / "key").write_text("k" * 40)
    (tmp_path / "ids.csv").write_text("student_id\n007\n")
    assert run(capsys, "privacy", "pseudonymize", tmp_path / "ids.csv", "--column", "student_id",
               "--key-file", tmp_path / "key", "-o", tmp_path) == (
        1, "", f"Error: {tmp_path}: is a folder; give the output a file name, e.g. "
               f"{tmp_path / 'pseudonymized.csv'}\n")
