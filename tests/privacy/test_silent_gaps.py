"""Issue 14, "nothing silent": `equitable privacy audit` accepted a percentile of 150, a percent
of 150, a negative enrollment, a score of 150 and a count of 30.5 with exit 0. Counts are whole
numbers >= 0; percents, percentiles and scores are within 0-100 (by the column's name)."""

from __future__ import annotations

import pytest

from equitable.cli import main

# a long table: school groups, the count n, and figures named by what they hold
LONG = ("school,n,enrollment,frpm_pct,ces_pctl,score,note\n"
        "A,25,400,61.5,88,72,ok\n"
        "B,40,310,<=5,12.5,55,ok\n"
        "Total,65,710,38,50,61,ok\n")
CROSSTAB = "school,A,B,Total\nX,15,20,35\nY,30,40,70\nTotal,45,60,105\n"


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def audit_long(capsys, path):
    return run(capsys, "privacy", "audit", path, "--count-col", "n", "--group-cols", "school")


def test_a_valid_long_table_still_passes(tmp_path, capsys):
    (tmp_path / "t.csv").write_text(LONG)
    code, out, err = audit_long(capsys, tmp_path / "t.csv")
    assert (code, err) == (0, "")
    assert out.startswith("0 suppressed cells audited")


@pytest.mark.parametrize(("old", "new", "line", "column", "message"), [
    ("A,25,400,61.5,88,", "A,25,400,61.5,150,", 2, "ces_pctl",
     "150 is not a percentile between 0 and 100"),
    ("A,25,400,61.5,", "A,25,400,150,", 2, "frpm_pct", "150 is not a percent between 0 and 100"),
    ("B,40,310,", "B,40,-310,", 3, "enrollment", "-310 is not a count (a whole number >= 0)"),
    ("12.5,55,", "12.5,150,", 3, "score", "150 is not a score between 0 and 100"),
    ("A,25,400,", "A,25,400.5,", 2, "enrollment", "400.5 is not a count (a whole number >= 0)"),
    ("B,40,310,<=5,", "B,40,310,>=105,", 3, "frpm_pct", "105 is not a percent between 0 and 100"),
])
def test_impossible_figures_are_refused(tmp_path, capsys, old, new, line, column, message):
    p = tmp_path / "t.csv"
    assert old in LONG
    p.write_text(LONG.replace(old, new))
    assert audit_long(capsys, p) == (
        1, "", f"Error: {p}, row {line}, column '{column}': {message}\n")
    # protect reads the same files by the same rule
    assert run(capsys, "privacy", "protect", p, "--count-col", "n", "--group-cols", "school",
               "-o", tmp_path / "o") == (
        1, "", f"Error: {p}, row {line}, column '{column}': {message}\n")


def test_fractional_count_is_refused(tmp_path, capsys):
    p = tmp_path / "t.csv"
    # the halves add up to whole margins (30.5 + 34.5 = 65), so only the count rule refuses them
    p.write_text(LONG.replace("A,25,", "A,30.5,").replace("B,40,", "B,34.5,"))
    assert audit_long(capsys, p) == (
        1, "", f"Error: {p}: row 2, column 'n': expected a count (a whole number >= 0) or '*'\n")
    p.write_text(CROSSTAB.replace("X,15,20,", "X,14.5,20.5,").replace("Y,30,40,", "Y,30.5,39.5,"))
    assert run(capsys, "privacy", "audit", p) == (
        1, "", (f"Error: {p}: row 2 ('X'), column 'A': expected a count (a whole number >= 0) or "
               "'*' (3 more such cells)\n"))


def test_figure_roles_by_name():
    from equitable.privacy._io import figure_role

    assert [figure_role(c) for c in ("frpm_pct", "pct_el", "Percent Met", "rate %", "ces_pctl",
                                     "percentile", "scale_score", "n", "n_students", "Enrollment",
                                     "school", "rate", "note")] == [
        "percent", "percent", "percent", "percent", "percentile", "percentile", "score", "count",
        "count", "count", None, None, None]
