"""Issue 14, "nothing silent": allocation inputs a new user found accepted (fractional
enrollment rewritten as floats, a Windows-1252 file decoded with a guess, a percent need of 150).
Each is now one line naming the file, row and column (exit 1)."""

from __future__ import annotations

import pytest

SCHOOLS = """cds_code,school_name,enrollment,tier,frpm_pct
01000000000001,Alpha,100,1 Highest,80
01000000000002,Beta,300,2 High,40
"""

TIERS = """[allocation]
kind = "tier_rates"
budget = 1000
[allocation.weights]
"1 Highest" = 2.0
"2 High" = 1.0
"""

PROPORTIONAL = """[allocation]
kind = "proportional"
budget = 1000
need_column = "frpm_pct"
need_scale = "percent"
need_weight = 1.0
"""


@pytest.fixture
def run_cli(capsys):
    from equitable.cli import main

    def run(*args):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _allocate(run_cli, tmp_path, schools: bytes, rule: str):
    (tmp_path / "schools.csv").write_bytes(schools)
    (tmp_path / "rule.toml").write_text(rule)
    return run_cli("allocate", tmp_path / "schools.csv", "-r", tmp_path / "rule.toml",
                   "-o", tmp_path / "out.csv")


def test_fractional_enrollment_is_refused(run_cli, tmp_path):
    bad = SCHOOLS.replace(",300,", ",412.5,").encode()
    code, _, err = _allocate(run_cli, tmp_path, bad, TIERS)
    assert (code, err) == (1, (f"Error: {tmp_path / 'schools.csv'}, row 3, column 'enrollment': "
                              "enrollment 412.5 is not a whole number (a count of students)\n"))
    assert not (tmp_path / "out.csv").exists()


def test_whole_enrollment_is_written_as_whole_numbers(run_cli, tmp_path):
    code, _, err = _allocate(run_cli, tmp_path, SCHOOLS.encode(), TIERS)
    assert (code, err) == (0, "")
    lines = (tmp_path / "out.csv").read_text().splitlines()
    col = lines[0].split(",").index("enrollment")
    # 1000 dollars over 2 x 100 + 1 x 300 = 500 weighted pupils: $2/weighted pupil -> 400 + 600
    assert [line.split(",")[col] for line in lines[1:]] == ["100", "300"]


def test_windows_1252_file_is_refused_with_byte_and_line(run_cli, tmp_path):
    # "Álamo" as Excel's "CSV (Comma delimited)" saves it: 0xc1 on line 3
    bad = SCHOOLS.replace("Beta", "Álamo").encode("cp1252")
    code, _, err = _allocate(run_cli, tmp_path, bad, TIERS)
    assert (code, err) == (1, (f"Error: {tmp_path / 'schools.csv'}, row 3: not UTF-8 text (byte "
                              "0xc1); save the file as 'CSV UTF-8' (Excel) or convert it, e.g. "
                              "iconv -f WINDOWS-1252 -t UTF-8\n"))


def test_percent_need_above_100_is_refused(run_cli, tmp_path):
    bad = SCHOOLS.replace(",40\n", ",150\n").encode()
    code, _, err = _allocate(run_cli, tmp_path, bad, PROPORTIONAL)
    assert (code, err) == (1, (f"Error: {tmp_path / 'schools.csv'}, row 3, column 'frpm_pct': 150 "
                              "is not a percent between 0 and 100 (need_scale = \"percent\")\n"))
    # in range: money follows enrollment x need (100 x 0.8 = 80, 300 x 0.4 = 120: 400 and 600)
    code, _, err = _allocate(run_cli, tmp_path, SCHOOLS.encode(), PROPORTIONAL)
    assert (code, err) == (0, "")
    lines = (tmp_path / "out.csv").read_text().splitlines()
    col = lines[0].split(",").index("amount_cents")
    assert [line.split(",")[col] for line in lines[1:]] == ["40000", "60000"]


@pytest.mark.parametrize("bad", ["01000000000002.0", "0100000000000２", "'01000000000002",
                                 "0100000000002", "010000000000021"])
def test_a_cds_code_unlike_the_others_is_refused(run_cli, tmp_path, bad):
    """A column of 14-digit codes is held to the CDS code rule (equitable.ids): a trailing .0,
    a full-width digit, an apostrophe, a digit too few or too many was written back as it came."""
    code, _, err = _allocate(run_cli, tmp_path,
                             SCHOOLS.replace("01000000000002", bad).encode(), TIERS)
    assert (code, err) == (1, (f"Error: {tmp_path / 'schools.csv'}, row 3, column 'cds_code': "
                              f"'{bad}' is not a CDS code (14 digits: county 2 + district 5 + "
                              "school 7)\n"))
    assert not (tmp_path / "out.csv").exists()


def test_ids_that_are_not_codes_are_left_as_they_are(run_cli, tmp_path):
    """A district's own ids (numbers of varying width, or names) are not held to a code rule."""
    own = SCHOOLS.replace("01000000000001", "7").replace("01000000000002", "12")
    code, _, err = _allocate(run_cli, tmp_path, own.encode(), TIERS)
    assert (code, err) == (0, "")
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["7", "12"]
