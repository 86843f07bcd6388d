"""`equitable audit` on LAUSD's own SENI file layout (7-digit CDS codes, 'SENI Score <year>',
'1 - HIGHEST' quintiles, dollars, vintage in every indicator header, NA/N/A/*/-- and a BOM).
The files are synthetic, built here with weights and per-pupil rules chosen by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.index._seni_file import audit_seni_file, read_lausd_seni

N = 20
LABELS = ["1 - HIGHEST", "2 - HIGH", "3 - MODERATE", "4 - LOW", "5 - LOWEST"]
WEIGHTS = {"Chronic Absenteeism Rate 2017-18": 0.5, "ELA Percent Met 2018-19": 0.3,
           "Foster Youth Pct 2019-20": 0.2}


def pctl(values: pd.Series) -> pd.Series:
    """(rank - 1) / (N - 1) x 100, ties at the lowest rank, N = schools with a value."""
    r = values.rank(method="min")
    return (r - 1) / (values.notna().sum() - 1) * 100


def build(money: str = "constant", seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({
        "CDS Code": [f"{100000 + 37 * i:07d}" for i in range(N)],
        "School Name": [f"School {i}" for i in range(N)],
        "Chronic Absenteeism Rate 2017-18": rng.permutation(np.arange(N)) * 1.5 + 5,
        "ELA Percent Met 2018-19": rng.permutation(np.arange(N)) * 2.0 + 10,
        "Foster Youth Pct 2019-20": rng.permutation(np.arange(N)) * 0.1 + 0.2,
        "Total Enrollment 2019-20": rng.integers(200, 1500, N),
    })
    d.loc[3, "ELA Percent Met 2018-19"] = np.nan
    d.loc[7, "Foster Youth Pct 2019-20"] = np.nan
    # the score: weighted percentiles; ELA enters reversed (lower % met = more need)
    p = pd.DataFrame({
        "Chronic Absenteeism Rate 2017-18": pctl(d["Chronic Absenteeism Rate 2017-18"]),
        "ELA Percent Met 2018-19": pctl(-d["ELA Percent Met 2018-19"]),
        "Foster Youth Pct 2019-20": pctl(d["Foster Youth Pct 2019-20"]),
    })
    w = pd.Series(WEIGHTS)
    score = (p * w).sum(axis=1, min_count=1) / p.notna().mul(w).sum(axis=1)
    d["SENI Score 2019-20"] = score.round(6)
    rank = d["SENI Score 2019-20"].rank(method="min", ascending=False).astype(int)
    d["SENI Rank for 2020-21 Allocation"] = rank
    d["SENI Quintile"] = [LABELS[(r - 1) * 5 // N] for r in rank]
    enr = d["Total Enrollment 2019-20"].to_numpy()
    if money == "constant":
        rate = np.array([500, 400, 300, 200, 100])[(rank.to_numpy() - 1) * 5 // N]
        cents = rate * enr * 100
    elif money == "score":
        cents = np.round((100 + 5 * d["SENI Score 2019-20"].to_numpy()) * enr * 100)
    else:
        cents = np.round(rng.uniform(100, 600, N) * enr * 100)
    d["SENI Total Allocation Dollars"] = [f"${int(c) // 100:,}.{int(c) % 100:02d}" for c in cents]
    return d


def write(path: Path, d: pd.DataFrame, nulls: bool = True) -> Path:
    text = d.to_csv(index=False, lineterminator="\r\n")
    if nulls:  # LAUSD's null tokens: NA, N/A, --, * and blanks
        lines = text.split("\r\n")
        lines[4] = lines[4].replace(",,", ",NA,", 1)      # school 3: ELA
        lines[8] = lines[8].replace(",,", ",--,", 1)      # school 7: foster youth
        text = "\r\n".join(lines)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_reads_the_layout(tmp_path):
    d = build()
    d["SENI Per Pupil 2020-21"] = 1.0  # a SENI output, not an indicator
    f = read_lausd_seni(write(tmp_path / "seni.csv", d))
    t = f.table
    assert t["cds_code"].iloc[0] == "19647330100000" and t["cds_code"].iloc[1] == "19647330100037"
    assert f.indicators == list(WEIGHTS)
    assert f.ignored == ["School Name", "SENI Per Pupil 2020-21"]
    assert f.columns["score"] == "SENI Score 2019-20"
    assert t["quintile"].tolist() == [int(q[0]) for q in d["SENI Quintile"]]
    assert pd.isna(t.loc[3, "ELA Percent Met 2018-19"]) and pd.isna(t.loc[7, "Foster Youth Pct 2019-20"])
    expected_dollars = [float(s.replace("$", "").replace(",", "")) for s in d["SENI Total Allocation Dollars"]]
    assert t["allocation_dollars"].tolist() == expected_dollars


def test_constant_rates_quintile_counts_and_weights(tmp_path):
    d = build("constant")
    a = audit_seni_file(write(tmp_path / "seni.csv", d))
    q = a.quintiles.set_index("quintile")
    assert q["schools"].tolist() == [4, 4, 4, 4, 4]
    assert q["rate_per_pupil"].round(2).tolist() == [500, 400, 300, 200, 100]
    assert q["constant"].all()
    enr = d["Total Enrollment 2019-20"]
    first = d["SENI Quintile"] == "1 - HIGHEST"
    assert q.loc[1, "enrollment"] == int(enr[first].sum())
    assert q.loc[1, "allocation_dollars"] == 500 * int(enr[first].sum())
    assert int(enr[first].sum()) == 3665  # the seed's first quintile, so the text check below is exact
    assert a.money["verdict"] == "constant within each quintile"
    # the weights chosen above, recovered from the indicators (18 schools have all three)
    b = a.fits.iloc[0]
    assert b["candidate"] == "percentile" and b["schools_fitted"] == 18 and b["r2"] > 1 - 1e-9
    w = a.weights.set_index("indicator")
    assert np.allclose(w["share"].to_numpy(), list(WEIGHTS.values()), atol=1e-4)
    assert w["direction"].tolist() == ["higher_is_more_need", "lower_is_more_need",
                                       "higher_is_more_need"]
    assert a.summary["quintile_overlaps"] == 0
    text = a.to_text()
    assert re.search(r"1 - HIGHEST +4 schools +3,665 students +\$ +1,832,500\.00 +\$500\.00 to "
                     r"\$500\.00 \(constant\)", text)
    assert "Dollars per pupil: constant within each quintile" in text


def test_dollars_following_the_score(tmp_path):
    a = audit_seni_file(write(tmp_path / "seni.csv", build("score")))
    assert a.money["verdict"] == "follows the score"
    # per pupil = 100 + 5 x score, to the cent
    assert a.money["slope"] == pytest.approx(5, abs=1e-3)
    assert a.money["intercept"] == pytest.approx(100, abs=0.05)
    assert not a.quintiles["constant"].any()
    assert "and follow the score (per pupil = 100.00 + 5.0000 x score" in a.to_text()


def test_schools_left_out_of_the_per_pupil_check_are_counted(tmp_path):
    d = build("constant").astype(object)
    d.loc[4, "Total Enrollment 2019-20"] = 0          # paid, but no students
    d.loc[9, "SENI Total Allocation Dollars"] = "N/A"  # no allocation
    a = audit_seni_file(write(tmp_path / "seni.csv", d, nulls=False))
    assert a.summary["not_in_per_pupil_check"] == 2 and a.summary["paid_without_students"] == 1
    assert a.money["verdict"] == "constant within each quintile" and a.money["schools"] == 18
    assert ("  2 school(s) with a quintile but no allocation or no enrolled students are not in the "
            "per-pupil check; 1 of them are paid with 0 students.") in a.to_text()


def test_dollars_that_follow_neither(tmp_path):
    a = audit_seni_file(write(tmp_path / "seni.csv", build("random")))
    assert a.money["verdict"] == "neither" and a.money["r2"] < 0.99
    assert "do not follow the score linearly" in a.to_text()


@pytest.mark.parametrize(("row", "column", "value", "expected"), [
    (2, "CDS Code", "19647340100000", ("'19647340100000' is not a 7-digit LAUSD school code (or a "
                                      "14-digit CDS code starting 1964733)")),
    (5, "SENI Quintile", "2 - LOWEST", "'2 - LOWEST': quintile 2 is HIGH, not LOWEST"),
    (5, "SENI Quintile", "6 - LOWEST", ("'6 - LOWEST' is not a quintile (1 - HIGHEST, 2 - HIGH, "
                                       "3 - MODERATE, 4 - LOW, 5 - LOWEST)")),
    (6, "Total Enrollment 2019-20", "-40", "'-40': an enrollment cannot be negative"),
    (6, "SENI Total Allocation Dollars", "$-1,000.00", "'-1,000.00': an allocation cannot be negative"),
    (9, "ELA Percent Met 2018-19", "high", "'high' is not a number"),
    (9, "SENI Rank for 2020-21 Allocation", "0", "'0': a rank starts at 1"),
])
def test_impossible_values_are_refused(tmp_path, row, column, value, expected):
    d = build().astype(object)
    d.loc[row - 2, column] = value
    p = write(tmp_path / "bad.csv", d, nulls=False)
    with pytest.raises(InputError) as e:
        read_lausd_seni(p)
    assert str(e.value) == f"{p}, row {row}, column '{column}': {expected}"


def test_duplicate_school_is_refused(tmp_path):
    d = build().astype(object)
    d.loc[5, "CDS Code"] = "19647330100000"  # the 14-digit form of row 2's school
    p = write(tmp_path / "dup.csv", d, nulls=False)
    with pytest.raises(InputError) as e:
        read_lausd_seni(p)
    assert str(e.value) == (f"{p}, row 7, column 'CDS Code': duplicate school '19647330100000' "
                            "(same as row 2)")


def test_cli_audits_the_layout_without_a_spec(tmp_path, capsys):
    from equitable.cli import main

    p = write(tmp_path / "seni.csv", build("constant"))
    out = tmp_path / "audit"
    try:
        main(["audit", str(p), "-o", str(out)])
    except SystemExit as exc:
        assert exc.code in (0, None)
    text = capsys.readouterr().out
    assert text.startswith(f"Audit of LAUSD's published SENI file {p}: 20 schools (3 indicators;")
    assert "Dollars per pupil: constant within each quintile" in text
    assert "+ Chronic Absenteeism Rate 2017-18" in text and "- ELA Percent Met 2018-19" in text
    q = pd.read_csv(out / "quintiles.csv")
    assert q["schools"].tolist() == [4, 4, 4, 4, 4]
    run = json.loads((out / "run.json").read_text())
    assert run["extra"]["summary"]["quintile_counts"] == {"1": 4, "2": 4, "3": 4, "4": 4, "5": 4}
    assert run["extra"]["money"]["verdict"] == "constant within each quintile"


def test_cli_other_files_still_need_a_spec(tmp_path, capsys):
    from equitable.cli import main

    p = tmp_path / "other.csv"
    p.write_text("cds_code,score\n19647330100000,1.5\n")
    with pytest.raises(SystemExit) as e:
        main(["audit", str(p)])
    assert e.value.code == 1
    assert capsys.readouterr().err.strip() == (
        f"Error: {p}: give --spec (the declared method); only LAUSD's SENI file layout (a 'SENI "
        "Score <year>' column) is audited without one")
