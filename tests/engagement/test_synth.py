"""Synthetic districts: deterministic for a seed, calibrated to the published 2021-22 rates."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from equitable.engagement import compute_engagement
from equitable.engagement._synth import synth_district


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(tmp_path, data_dir):
    a = synth_district(tmp_path / "a", 300, 25, seed=5, data_dir=data_dir)
    b = synth_district(tmp_path / "b", 300, 25, seed=5, data_dir=data_dir)
    c = synth_district(tmp_path / "c", 300, 25, seed=6, data_dir=data_dir)
    assert digest(a.folder) == digest(b.folder)
    assert digest(a.folder)["attendance.csv"] != digest(c.folder)["attendance.csv"]
    att = pd.read_csv(a.folder / "attendance.csv", dtype=str)
    assert len(att) == a.attendance_rows
    assert set(att["status"]) <= {"present", "absent_excused", "absent_unexcused",
                                  "suspended_out", "suspended_in", "distance_present",
                                  "distance_absent"}


def test_absences_only_matches_full(tmp_path, data_dir):
    full = synth_district(tmp_path / "f", 400, 40, seed=3, data_dir=data_dir, activity=False)
    sparse = synth_district(tmp_path / "s", 400, 40, seed=3, data_dir=data_dir, activity=False,
                            absences_only=True)
    r_full = compute_engagement(full.folder)
    r_sparse = compute_engagement(sparse.folder, absences_only=True, as_of=r_full.as_of)
    assert r_full.students.equals(r_sparse.students)


@pytest.mark.data
def test_calibrated_to_statewide_2021_22_rates(tmp_path, data_dir):
    """100,000 students: every group's chronic absenteeism rate, as computed by the engagement
    pipeline from the generated attendance, is within 2 points of the CDE Dashboard 2022 figure."""
    published = pd.read_csv(
        data_dir / "attendance/ca_statewide_chronic_absenteeism_2021_22.csv", comment="#"
    ).set_index("student_group")["rate_pct"]
    assert published["All Students"] == 30.0 and published["Asian"] == 11.5
    syn = synth_district(tmp_path / "d", 100_000, 40, seed=11, fmt="parquet", activity=False,
                         data_dir=data_dir)
    res = compute_engagement(syn.folder)
    s = res.summary
    d = s[s.AggregateLevel == "D"].set_index("ReportingCategory")
    codes = {"All Students": "TA", "English Learners": "SE", "Foster Youth": "SF",
             "Homeless": "SH", "Socioeconomically Disadvantaged": "SS",
             "Students with Disabilities": "SD", "African American": "RB",
             "American Indian or Alaska Native": "RI", "Asian": "RA", "Filipino": "RF",
             "Hispanic": "RH", "Native Hawaiian or Pacific Islander": "RP", "White": "RW",
             "Two or More Races": "RT"}
    for group, code in codes.items():
        count = int(d.loc[code, "ChronicAbsenteeismCount"])
        eligible = int(d.loc[code, "ChronicAbsenteeismEligibleCumulativeEnrollment"])
        rate = 100 * count / eligible
        assert abs(rate - published[group]) <= 2.0, (group, rate, published[group])


def test_cli_synth_district(tmp_path, data_dir, capsys, monkeypatch):
    from equitable.cli import main

    monkeypatch.setenv("EQUITABLE_DATA_DIR", str(data_dir))
    out = tmp_path / "d"
    with pytest.raises(SystemExit) as exc:
        main(["synth", "district", "--students", "50", "--days", "5", "-o", str(out),
              "--seed", "2"])
    assert exc.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    n_rows = len((out / "attendance.csv").read_text().splitlines()) - 1
    assert lines[0] == f"Wrote 50 students, {n_rows:,} attendance rows to {out}"
    assert lines[1].startswith("Chronic absenteeism, students enrolled 31+ days")
    # 5 days: nobody is eligible, so no realised rate is printed.
    assert lines[2] == "  " + "All Students".ljust(38) + "       -  (target 30.0%, n=0)"
    header = (out / "students.csv").read_text().splitlines()[0]
    assert header == ("student_id,school_id,grade,enroll_date,exit_date,english_learner,"
                      "low_income,foster,homeless,disability,race_ethnicity,home_language")


def test_a_one_day_year(tmp_path, data_dir):
    # --days 1 stopped with an IndexError (a late enrollment drawn on a day after the only one)
    r = synth_district(tmp_path / "d", 200, 1, seed=0, data_dir=data_dir, activity=False)
    students = pd.read_csv(r.folder / "students.csv", dtype=str)
    att = pd.read_csv(r.folder / "attendance.csv", dtype=str)
    assert set(students["enroll_date"]) == {"2021-08-16"}
    assert len(att) == r.attendance_rows == 200  # one row per student on the one day
    assert set(att["date"]) == {"2021-08-16"}
