"""Raking: a case solved by hand, trimming, errors, margins from the public files, and R."""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.voice import (
    NotConvergedError,
    kish_deff,
    load_instrument,
    margins_from_frpm,
    margins_from_lausd_schools,
    rake,
    read_margins,
    synth_survey,
)

MARGINS = pd.DataFrame({
    "variable": ["a", "a", "b", "b"], "category": ["a1", "a2", "b1", "b2"],
    "population": [300.0, 100.0, 250.0, 150.0],
})


def _balanced() -> pd.DataFrame:
    # 10 respondents in each of the four cells a x b: a and b independent in the sample
    return pd.DataFrame({
        "a": ["a1"] * 20 + ["a2"] * 20,
        "b": (["b1"] * 10 + ["b2"] * 10) * 2,
    })


def test_rake_balanced_sample_by_hand():
    # Hand: rake on a -> a1 weights 300/20 = 15, a2 weights 100/20 = 5. Then b: weighted b1 =
    # 10*15 + 10*5 = 200 -> x 250/200 = 1.25; b2 -> x 150/200 = 0.75. Margins of a still hold
    # (150*1.25 + 150*0.75 = 300), so: a1b1 18.75, a1b2 11.25, a2b1 6.25, a2b2 3.75.
    r = rake(_balanced(), MARGINS, ["a", "b"])
    expected = np.array([18.75] * 10 + [11.25] * 10 + [6.25] * 10 + [3.75] * 10)
    np.testing.assert_allclose(r.weights, expected, rtol=1e-12)
    assert r.converged
    # Kish: n sum w^2 / (sum w)^2 = 40 * 10 * (18.75^2 + 11.25^2 + 6.25^2 + 3.75^2) / 400^2
    deff = 40 * 10 * (18.75**2 + 11.25**2 + 6.25**2 + 3.75**2) / 400**2
    assert r.deff == pytest.approx(deff) == pytest.approx(1.328125)
    assert r.n_eff == pytest.approx(40 / 1.328125)
    assert kish_deff(np.ones(7)) == pytest.approx(1.0)
    m = r.margins
    assert list(m["respondents"]) == [20, 20, 20, 20]
    np.testing.assert_allclose(m["weighted"], [300, 100, 250, 150])


def test_rake_with_base_weights_and_margin_table_suppression():
    df = _balanced().assign(w=2.0)
    r = rake(df, MARGINS, ["a", "b"], base_weight="w")
    np.testing.assert_allclose(r.weights[:1], [18.75])  # base weights of 2 rescale away
    small = pd.concat([_balanced(), pd.DataFrame({"a": ["a3"] * 5, "b": ["b1"] * 5})],
                      ignore_index=True)
    margins = pd.concat([MARGINS, pd.DataFrame({"variable": ["a"], "category": ["a3"],
                                                "population": [10.0]})])
    margins.loc[margins["category"] == "b1", "population"] = 260.0
    t = rake(small, margins, ["a", "b"]).margin_table()
    assert t.loc[t["category"] == "a3", "respondents"].item() == "*"
    assert t.loc[t["category"] == "a1", "respondents"].item() == 20


def test_trimming_keeps_weights_in_bounds_and_margins_met(inst):
    d = synth_survey(inst, 1500, seed=11)
    m = pd.DataFrame({"variable": ["race_ethnicity"] * 5 + ["grade_span"] * 3,
                      "category": ["hispanic", "black", "white", "asian", "other",
                                   "elementary", "middle", "high"],
                      "population": [5000, 1200, 1500, 900, 1400, 4500, 2500, 3000]})
    free = rake(d.respondents, m, ["race_ethnicity", "grade_span"])
    mean = 10000 / 1500
    assert free.weights.max() > 2.0 * mean  # the untrimmed weights exceed the bound
    r = rake(d.respondents, m, ["race_ethnicity", "grade_span"], trim=(0.0, 2.0))
    assert r.converged, r.notes
    assert r.weights.max() <= 2.0 * mean * (1 + 1e-9)
    assert r.trimmed > 0
    np.testing.assert_allclose(r.margins["weighted"], r.margins["population"], rtol=1e-8)
    assert r.deff < free.deff  # trimming lowers the design effect


def test_trimming_too_tight_is_reported_not_hidden(inst):
    d = synth_survey(inst, 400, seed=2)
    m = pd.DataFrame({"variable": ["race_ethnicity"] * 5,
                      "category": ["hispanic", "black", "white", "asian", "other"],
                      "population": [7400, 800, 1000, 400, 400]})
    with pytest.raises(NotConvergedError) as e:
        rake(d.respondents, m, ["race_ethnicity"], trim=(0.5, 1.5), max_iter=50)
    r = rake(d.respondents, m, ["race_ethnicity"], trim=(0.5, 1.5), max_iter=50,
             allow_unconverged=True)
    assert not r.converged
    # the bounds hold every weight in [0.5, 1.5] x 10000/400 = [12.5, 37.5]: a category's
    # weighted count is at least 12.5 x its respondents; 'other' is the one furthest from its
    # population (worked out from the margin table, which rake reports)
    u = r.unmet
    mt = r.margins.set_index("category")
    assert u["variable"] == "race_ethnicity"
    rel = (mt["weighted"] - mt["population"]).abs() / mt["population"]
    assert u["category"] == rel.idxmax()
    k = int(mt.loc[u["category"], "respondents"])
    assert u["weighted"] >= 12.5 * k - 1e-6 > u["population"]
    assert u["shortfall"] == pytest.approx(u["population"] - u["weighted"])
    assert str(e.value).startswith(
        f"raking did not converge in 50 cycles: margin 'race_ethnicity', category "
        f"'{u['category']}' reaches {u['weighted']:,.1f} weighted of its population "
        f"{u['population']:,.1f} (over by {-u['shortfall']:,.1f}, ")
    assert str(e.value).endswith("(the trimming bounds may be too tight for these margins); no "
                                 "weights kept (collapse categories, widen --trim, or pass "
                                 "--allow-unconverged)")
    assert r.notes[0] == str(e.value).split("; no weights kept")[0]


def test_infeasible_margins_name_the_category_and_shortfall():
    # a and b coincide in the sample (every a1 is b1, every a2 is b2) but not in the margins:
    # a1 = 100 and b1 = 50 cannot both hold. Each cycle ends after the b step with the a1 (= b1)
    # respondents weighing 50 in all: a1 is short by 50 of 100 (50%), a2 over by 50 of 300.
    df = pd.DataFrame({"a": ["a1"] * 10 + ["a2"] * 10, "b": ["b1"] * 10 + ["b2"] * 10})
    m = pd.DataFrame({"variable": ["a", "a", "b", "b"], "category": ["a1", "a2", "b1", "b2"],
                      "population": [100.0, 300.0, 50.0, 350.0]})
    with pytest.raises(NotConvergedError) as e:
        rake(df, m, ["a", "b"])
    assert str(e.value) == (
        "raking did not converge in 2000 cycles: margin 'a', category 'a1' reaches 50.0 "
        "weighted of its population 100.0 (short by 50.0, 50.000%); no weights kept (collapse "
        "categories, widen --trim, or pass --allow-unconverged)")
    r = rake(df, m, ["a", "b"], allow_unconverged=True)
    assert not r.converged and r.iterations == 2000
    assert r.unmet == {"variable": "a", "category": "a1", "population": 100.0,
                       "weighted": 50.0, "shortfall": 50.0, "gap_pct": 50.0}
    np.testing.assert_allclose(r.weights, [5.0] * 10 + [35.0] * 10)
    assert r.summary()["converged"] is False
    assert r.summary()["unmet_margin"]["category"] == "a1"


def test_rake_errors():
    df = _balanced()
    df.loc[0, "a"] = "a9"
    df.loc[1, "a"] = ""
    with pytest.raises(InputError) as e:
        rake(df, MARGINS, ["a", "b"])
    assert str(e.value) == ("cannot rake on 'a': 1 respondents have no 'a'; categories ['a9'] "
                            "are not in the margins (collapse or impute them, or add the "
                            "category to the margins)")
    only_a1 = _balanced()
    only_a1["a"] = "a1"
    with pytest.raises(InputError, match=r"no respondents in categories \['a2'\]"):
        rake(only_a1, MARGINS, ["a", "b"])
    off = MARGINS.copy()
    off.loc[2, "population"] = 400.0
    with pytest.raises(InputError) as e:
        rake(_balanced(), off, ["a", "b"])
    assert str(e.value) == ("margin totals differ: 'a' sums to 400 but 'b' to 550 (over 1%); "
                            "margins must describe the same population")
    with pytest.raises(InputError, match="no population margin for raking variable 'c'"):
        rake(_balanced(), MARGINS, ["c"])
    with pytest.raises(InputError, match="The 'trim' parameter of rake must be"):
        rake(_balanced(), MARGINS, ["a"], trim=(2.0, 3.0))


def test_read_margins_errors(write):
    p = write("m.csv", "variable,category,population\nrace,hispanic,\"1,200\"\nrace,black,x\n")
    with pytest.raises(InputError) as e:
        read_margins(p)
    assert str(e.value) == f"{p}, row 3, column 'population': 'x' is not a count of people"
    p = write("m2.csv", "variable,category,population\nrace,a,1\nrace,a,2\n")
    with pytest.raises(InputError) as e:
        read_margins(p)
    assert str(e.value) == f"{p}, row 3, column 'category': repeats a (variable, category) pair"
    p = write("m3.csv", "variable,group,population\n")
    with pytest.raises(InputError) as e:
        read_margins(p)
    assert str(e.value) == (f"{p}, row 1, column 'category': missing column (a margins file "
                            "has columns variable, category, population)")
    ok = read_margins(write("m4.csv", "variable,category,population\nrace,a,\"1,200\"\n"))
    assert ok["population"].tolist() == [1200.0]


@pytest.mark.data
def test_frpm_margins_match_published_lausd_enrollment(data_dir):
    f = data_dir / "cde" / "frpm_lausd_2017_18_to_2023_24.csv"
    m = margins_from_frpm(f, academic_year="2023-2024", cds_prefix="1964733")
    raw = pd.read_csv(f, dtype=str)
    raw = raw[raw["Academic Year"] == "2023-2024"]
    nonpublic = raw[raw["School Code"].isin(["0000000", "0000001"])]
    np_enr = pd.to_numeric(nonpublic["Enrollment (K-12)"]).sum()
    np_frpm = pd.to_numeric(nonpublic["FRPM Count (K-12)"]).sum()
    # data/README.md: LAUSD 2023-24 Enrollment (K-12) = 529,902, FRPM Count (K-12) = 427,850
    school = m[m["variable"] == "school"]
    assert school["population"].sum() + np_enr == 529_902
    frpm = m[m["variable"] == "frpm"].set_index("category")["population"]
    assert frpm["eligible"] + np_frpm == 427_850
    assert frpm.sum() == school["population"].sum()
    assert school["category"].str.len().eq(14).all()


@pytest.mark.data
def test_lausd_school_table_grade_span_margins(data_dir):
    f = data_dir / "lausd" / "schools_2024_25.csv"
    m = margins_from_lausd_schools(f)
    raw = pd.read_csv(f, dtype={"cds": str})
    span = m[m["variable"] == "grade_span"].set_index("category")["population"]
    assert span.sum() == raw["enrollment"].sum()
    assert span["elementary"] == raw.loc[raw["span"] == "elementary", "enrollment"].sum()


@pytest.mark.rlang
def test_rake_matches_r_survey_rake(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed")
    inst = load_instrument(__import__("pathlib").Path(__file__).resolve().parents[2]
                           / "examples" / "voice" / "family_survey.toml")
    d = synth_survey(inst, 500, seed=5)
    m = pd.DataFrame({"variable": ["race_ethnicity"] * 5 + ["grade_span"] * 3,
                      "category": ["hispanic", "black", "white", "asian", "other",
                                   "elementary", "middle", "high"],
                      "population": [7400, 800, 1000, 400, 400, 4500, 2500, 3000]})
    ours = rake(d.respondents, m, ["race_ethnicity", "grade_span"])
    d.respondents[["race_ethnicity", "grade_span"]].to_csv(tmp_path / "d.csv", index=False)
    script = f"""
suppressMessages(library(survey))
d <- read.csv("{tmp_path / 'd.csv'}", stringsAsFactors = FALSE)
des <- svydesign(ids = ~1, data = d, weights = rep(1, nrow(d)))
pr <- data.frame(race_ethnicity = c("hispanic", "black", "white", "asian", "other"),
                 Freq = c(7400, 800, 1000, 400, 400))
pg <- data.frame(grade_span = c("elementary", "middle", "high"), Freq = c(4500, 2500, 3000))
rk <- rake(des, list(~race_ethnicity, ~grade_span), list(pr, pg),
           control = list(maxit = 100, epsilon = 1e-12, verbose = FALSE))
write.csv(data.frame(w = weights(rk)), stdout(), row.names = FALSE)
"""
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
    theirs = pd.read_csv(io.StringIO(out.stdout))["w"].to_numpy()
    np.testing.assert_allclose(ours.weights, theirs, rtol=1e-9)
