"""`equitable privacy audit OUT/<table>.csv` audits the product's own tables with the options
their run.json records (issue 20 item 4: it used to fail with "row label '2021-22' repeats")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from equitable.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "engagement-sample"
GROUPS = "AggregateLevel,CountyCode,DistrictCode,SchoolCode,ReportingCategory"


@pytest.fixture(scope="module")
def engagement_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("eng") / "out"
    with pytest.raises(SystemExit) as exc:
        main(["engagement", str(SAMPLE), "-o", str(out)])
    assert exc.value.code in (0, None)
    return out


def _audit(args, capsys) -> tuple[int, list[str], str]:
    with pytest.raises(SystemExit) as exc:
        main(["privacy", "audit", *map(str, args)])
    cap = capsys.readouterr()
    return exc.value.code or 0, cap.out.splitlines(), cap.err.strip()


def test_run_json_records_the_audit_options(engagement_out):
    record = json.loads((engagement_out / "run.json").read_text(encoding="utf-8"))
    audits = record["extra"]["privacy_audit"]
    assert [a["count_col"] for a in audits["school_summary.csv"]] == [
        "CumulativeEnrollment", "ChronicAbsenteeismEligibleCumulativeEnrollment"]
    assert audits["outreach_fairness.csv"] == [
        {"count_col": "enrolled", "group_cols": ["ReportingCategory", "description"]}]


def test_engagement_tables_audit_with_no_options(engagement_out, capsys):
    code, out, err = _audit([engagement_out / "school_summary.csv",
                             engagement_out / "outreach_fairness.csv"], capsys)
    assert code == 0, err
    assert out[0] == (f"school_summary.csv: --count-col CumulativeEnrollment --group-cols "
                      f"{GROUPS} (as recorded in run.json)")
    assert out[2].startswith("school_summary.csv: --count-col "
                             "ChronicAbsenteeismEligibleCumulativeEnrollment ")
    assert out[4].startswith("outreach_fairness.csv: --count-col enrolled ")
    assert [ln.endswith(": OK") for ln in out[1::2]] == [True, True, True]


def test_recorded_audit_still_catches_a_published_small_group(engagement_out, tmp_path, capsys):
    """The recorded options audit for real: a group of 5 written into the summary fails."""
    folder = tmp_path / "copy"
    folder.mkdir()
    for name in ("run.json", "school_summary.csv"):
        (folder / name).write_bytes((engagement_out / name).read_bytes())
    lines = (folder / "school_summary.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("CumulativeEnrollment")
    row = next(i for i, ln in enumerate(lines) if i and ln.split(",")[col] == "*")
    cells = lines[row].split(",")
    cells[col] = "5"
    lines[row] = ",".join(cells)
    (folder / "school_summary.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _audit([folder / "school_summary.csv"], capsys)
    assert code == 1
    assert err == "Error: audit failed: 1 problem(s)"
    assert any("a group of 5 (<= 10) is published; it must be suppressed" in ln for ln in out)


def test_protect_records_its_options_so_audit_needs_none(tmp_path, capsys):
    src = tmp_path / "by_school.csv"
    src.write_text("school,grade,n\nAdams,3,40\nBaker,3,4\nCruz,3,25\nTotal,3,69\n",
                   encoding="utf-8")
    out = tmp_path / "pub"
    with pytest.raises(SystemExit) as exc:
        main(["privacy", "protect", str(src), "-o", str(out), "--count-col", "n",
              "--group-cols", "school,grade"])
    assert exc.value.code in (0, None)
    capsys.readouterr()
    published = (out / "by_school.csv").read_text(encoding="utf-8").splitlines()
    # Baker (4) is suppressed, and Cruz with it (else 69 - 40 - 25 = 4)
    assert published[2:4] == ["Baker,3,*", "Cruz,3,*"]
    code, lines, err = _audit([out / "by_school.csv"], capsys)
    assert code == 0, err
    assert lines == [
        "by_school.csv: --count-col n --group-cols school,grade (as recorded in run.json)",
        "  2 suppressed cells audited (protection level 3, threshold 10): OK",
    ]
