"""Every table equitable.voice publishes passes equitable.privacy's auditor (issue 5, item 2).

The tables are those of ``equitable survey estimate`` and ``survey report``: percent favorable
by measure and group (:func:`estimate`), response rates against enrollment
(:func:`response_rates`), who answered vs who is enrolled (:func:`representation`) and the
tables of the HTML report, which are built from the same three. Each is rearranged into the
auditor's long form (``count_col`` + ``group_cols``, margin rows labelled ``Total``) so that the
attacker's equations are exactly the ones a reader can write down: the groups of a breakdown
add up to the overall row of the same measure.
"""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equitable.errors import InputError
from equitable.privacy import DisclosureError, assert_no_disclosure, audit_tables
from equitable.voice import (
    SurveyData,
    estimate,
    rake,
    representation,
    response_rates,
    synth_survey,
)
from equitable.voice._pipeline import _write_csv, estimate_dir, report_file

TOTAL = "Total"
SCHOOLS = ("19647330100289", "19647330102434", "19647331931047", "19647336015954",
           "19647330000005", "19647330000006")
# respondents per school: two of them are small (8 and 5)
SCHOOL_SIZES = (110, 70, 45, 22, 8, 5)
RACE_P = {"hispanic": 0.74, "black": 0.08, "white": 0.10, "asian": 0.045, "other": 0.035}
GROUP_P = {"english_learner": 0.20, "disability": 0.12, "foster_homeless": 0.03, "none": 0.65}
# every breakdown has exactly one small group, so each needs a complementary cell
FORCED_SCHOOLS = (110, 70, 45, 26, 9, 15)
FORCED_RACE = {"hispanic": 205, "white": 28, "black": 22, "asian": 13, "other": 7}
FORCED_GROUPS = {"none": 170, "english_learner": 56, "disability": 40, "foster_homeless": 9}
BY = ("school", "race_ethnicity", "student_group", "language")
REPRESENT = ("race_ethnicity", "grade_span")
FIGURES = ["respondents", "effective_n", "pct_favorable", "wilson_low_pct", "wilson_high_pct",
           "kg_low_pct", "kg_high_pct"]


def make_survey(inst, *, item_nonresponse: float, seed: int = 3,
                school_sizes=SCHOOL_SIZES, race=None, groups=None) -> SurveyData:
    """A synthetic family survey with several small groups.

    Schools of ``school_sizes`` respondents (default 110, 70, 45, 22, 8 and 5); race/ethnicity
    and student group drawn with LAUSD-like shares (Asian and "other" come out small, and
    foster/homeless is rare), or with exactly the counts given in ``race`` / ``groups``.
    """
    n = sum(school_sizes)
    d = synth_survey(inst, n, seed=seed, item_nonresponse=item_nonresponse)
    rng = np.random.default_rng(seed)

    def draw(counts, p):
        if counts is None:
            return rng.choice(list(p), n, p=list(p.values()))
        assert sum(counts.values()) == n
        return np.repeat(np.array(list(counts), dtype=object),
                         list(counts.values()))[rng.permutation(n)]

    r = d.respondents
    r["school"] = draw(dict(zip(SCHOOLS, school_sizes)), None)
    r["race_ethnicity"] = draw(race, RACE_P)
    r["student_group"] = draw(groups, GROUP_P)
    return d


def margins() -> pd.DataFrame:
    """Enrollment margins (public figures) by race/ethnicity, grade span and school."""
    m = pd.DataFrame({
        "variable": ["race_ethnicity"] * 5 + ["grade_span"] * 3 + ["school"] * 6,
        "category": [*RACE_P, "elementary", "middle", "high", *SCHOOLS],
        "population": [1924.0, 208, 260, 104, 104, 1170, 650, 780, 900, 700, 500, 300, 120, 80],
    })
    return m


# ---- the published tables in the auditor's long form ----------------------------------------

def estimate_long(est: pd.DataFrame, by, weighted: bool, *, measure: str | None = None):
    """One row per (measure, group) of every breakdown, with a column per breakdown.

    A row of breakdown ``school`` holds its school in column ``school`` and ``Total`` in the
    other breakdown columns; the overall row of a measure holds ``Total`` everywhere, so it is
    the margin of every breakdown (one equation per measure and breakdown). Weighted and
    unweighted rows of a group describe the same respondents, so both tables carry the same
    keys and the auditor treats them as one cell published twice. With ``measure``, only that
    measure and no ``measure`` column (for linking with tables that have none).
    """
    e = est[est["weighted"] == weighted]
    key = e["measure_type"] + ":" + e["measure"]
    if measure is not None:
        e, key = e[key == measure], key[key == measure]
    out = pd.DataFrame({"measure": key})
    for b in by:
        out[b] = np.where(e["breakdown"] == b, e["group"], TOTAL)
    assert set(e["breakdown"]) <= {"all", *by}
    out = pd.concat([out, e[FIGURES]], axis=1).reset_index(drop=True)
    return out.drop(columns="measure") if measure is not None else out


def rates_long(rr: pd.DataFrame, by: str = "school") -> pd.DataFrame:
    """``response_rates`` with the ``all`` row as ``Total``. ``enrolled`` is dropped: it is the
    public enrollment (shown for every school, suppressed or not), not a figure about
    respondents."""
    out = rr.drop(columns="enrolled").rename(columns={"group": by})
    out[by] = out[by].replace({"all": TOTAL})
    return out


def representation_long(rep: pd.DataFrame) -> pd.DataFrame:
    """``representation`` with each variable's ``all`` row as ``Total``; the enrolled counts and
    shares (public) are dropped."""
    out = rep.drop(columns=["population", "population_pct"])
    out["category"] = out["category"].replace({"all": TOTAL})
    return out


def representation_wide(rep: pd.DataFrame, dims) -> pd.DataFrame:
    """``representation`` with a column per variable (like :func:`estimate_long`), so that its
    cells are the same cells as the estimate's groups of that variable."""
    r = representation_long(rep)
    out = pd.DataFrame({d: np.where(r["variable"] == d, r["category"], TOTAL) for d in dims})
    return pd.concat([out, r.drop(columns=["variable", "category"])], axis=1)


def widen(df: pd.DataFrame, dims) -> pd.DataFrame:
    """Add the group columns a table does not break down by, all ``Total``."""
    out = df.copy()
    for d in dims:
        if d not in out.columns:
            out[d] = TOTAL
    return out


def true_sizes(data: SurveyData, var: str) -> pd.Series:
    return data.respondents[var].value_counts()


# ---- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def survey(inst):
    """5% item nonresponse (the synth default), raked to race/ethnicity and grade span."""
    data = make_survey(inst, item_nonresponse=0.05)
    w = rake(data.respondents, margins(), list(REPRESENT)).weights
    return data, w


@pytest.fixture(scope="module")
def forced(inst):
    """The same design with every item required ("force response"), as many districts run it."""
    data = make_survey(inst, item_nonresponse=0.0, seed=11, school_sizes=FORCED_SCHOOLS,
                       race=FORCED_RACE, groups=FORCED_GROUPS)
    w = rake(data.respondents, margins(), list(REPRESENT)).weights
    return data, w


# ---- the tables one by one -------------------------------------------------------------------

def test_the_synthetic_survey_has_small_groups(survey):
    data, _ = survey
    assert true_sizes(data, "school").to_dict() == dict(zip(SCHOOLS, SCHOOL_SIZES))
    small = {v: sorted(true_sizes(data, v)[lambda s: s <= 10].index) for v in BY}
    assert small["school"] == ["19647330000005", "19647330000006"]
    assert len(small["race_ethnicity"]) >= 1 and len(small["student_group"]) >= 1


def test_estimates_pass_the_audit(survey, inst):
    data, w = survey
    est = estimate(data, inst, by=list(BY), weights=w)
    tables = [estimate_long(est, BY, False), estimate_long(est, BY, True)]
    report = assert_no_disclosure(tables, count_col="respondents",
                                  group_cols=["measure", *BY],
                                  names=["estimates (unweighted)", "estimates (weighted)"])
    assert report.ok
    # the audit did look at suppressed cells, complementary ones among them
    unw = tables[0]
    assert (unw["respondents"] == "*").sum() == len(report.cells[report.cells["table"]
                                                                  == "estimates (unweighted)"])
    # school 19647330000005 (8 respondents) is hidden for every measure, with its figures
    s5 = est[(est["breakdown"] == "school") & (est["group"] == "19647330000005")]
    assert len(s5) == 2 * 6 and (s5[FIGURES] == "*").all().all()
    # a hidden group with more than 10 respondents exists: complementary suppression happened
    hidden = est[(est["respondents"] == "*") & (est["breakdown"] == "race_ethnicity")]
    sizes = true_sizes(data, "race_ethnicity")
    assert (sizes[hidden["group"].unique()] > 10).any()


def test_primary_only_estimates_fail_the_same_audit(survey, inst):
    """The long form states the real margins: primary suppression alone is caught."""
    data, w = survey
    est = estimate(data, inst, by=list(BY), weights=w, complementary=False)
    tables = [estimate_long(est, BY, False), estimate_long(est, BY, True)]
    with pytest.raises(DisclosureError, match="can be derived exactly"):
        assert_no_disclosure(tables, count_col="respondents", group_cols=["measure", *BY])


def test_response_rates_pass_the_audit(survey):
    data, _ = survey
    rr = response_rates(data.respondents, margins(), by="school")
    report = assert_no_disclosure(rates_long(rr), count_col="respondents",
                                  group_cols=["school"], names=["response rates"])
    t = rr.set_index("group")
    assert t.loc["all", "respondents"] == 260
    # the two small schools (8 and 5) hide each other: 13 = 260 - 110 - 70 - 45 - 22, and
    # neither can be narrowed beyond [0, 13]
    assert t.loc[["19647330000005", "19647330000006"], "respondents"].tolist() == ["*", "*"]
    assert report.cells[["lower", "upper"]].values.tolist() == [[0.0, 13.0], [0.0, 13.0]]
    assert t.loc["19647330100289", "response_rate_pct"] == pytest.approx(100 * 110 / 900,
                                                                         abs=1e-4)


def test_representation_passes_the_audit(survey):
    data, w = survey
    rep = representation(data.respondents, margins(), list(REPRESENT), weights=w)
    assert_no_disclosure(representation_long(rep), count_col="respondents",
                         group_cols=["variable", "category"], names=["who answered"])
    race = rep[rep["variable"] == "race_ethnicity"].set_index("category")
    sizes = true_sizes(data, "race_ethnicity")
    small = sizes[sizes <= 10].index
    assert len(small) >= 1 and (race.loc[small, "respondents"] == "*").all()
    assert race.loc["all", "respondents"] == 260


# ---- the tables of a report, published together ------------------------------------------------

def together(data: SurveyData, w, inst):
    """Everything the report publishes, as linked tables without a ``measure`` column.

    With every item required, each scored item and construct was answered by every respondent
    (a reader sees it: the report's "every question" table shows n = the response-rate total for
    each item), so the count of a group for a measure IS the group's number of respondents --
    the same cell as in the response-rate and who-answered tables. Cells with the same keys in
    several tables are one cell to the auditor, and a margin of one table bounds the others.
    """
    dims = [*BY, "grade_span"]
    est = estimate(data, inst, by=list(BY), weights=w)
    n = len(data.respondents)
    overall = est[(est["breakdown"] == "all") & ~est["weighted"]]
    measures = (overall["measure_type"] + ":" + overall["measure"]).tolist()
    assert overall["respondents"].tolist() == [n] * len(measures)
    tables, names = [], []
    for m in measures:
        for wt in (False, True):
            tables.append(widen(estimate_long(est, BY, wt, measure=m), dims))
            names.append(f"estimates {m}" + (" (weighted)" if wt else ""))
    rr = response_rates(data.respondents, margins(), by="school")
    tables.append(widen(rates_long(rr), dims))
    names.append("response rates")
    rep = representation(data.respondents, margins(), list(REPRESENT), weights=w)
    wide = representation_wide(rep, REPRESENT)
    for v in REPRESENT:  # one table per variable: each has its own "all" row
        tables.append(widen(wide[(rep["variable"] == v).to_numpy()].reset_index(drop=True),
                            dims))
        names.append(f"who answered: {v}")
    return tables, names, dims


def test_tables_published_together_pass_the_joint_audit(forced, inst):
    data, w = forced
    tables, names, dims = together(data, w, inst)
    report = assert_no_disclosure(tables, count_col="respondents", group_cols=dims, names=names)
    # the small group of each breakdown (9, 7, 9) and the one withheld with it (15, 13, 40),
    # each hidden in every table that shows it: 6 measures x 2 weightings + rates/who answered
    cells = report.cells.groupby("row")["table"].nunique()
    assert cells.to_dict() == {
        "19647330000005 / Total / Total / Total / Total": 13,
        "19647330000006 / Total / Total / Total / Total": 13,
        "Total / asian / Total / Total / Total": 13,
        "Total / other / Total / Total / Total": 13,
        "Total / Total / disability / Total / Total": 12,
        "Total / Total / foster_homeless / Total / Total": 12,
    }
    # 9 + 15 = 275 - 110 - 70 - 45 - 26: each lies anywhere in [0, 24]
    school = report.cells[report.cells["row"].str.startswith("1964733000000")]
    assert school[["lower", "upper"]].drop_duplicates().values.tolist() == [[0.0, 24.0]]


def test_the_joint_audit_catches_a_different_complement_in_another_table(forced, inst):
    """Were the response-rate table to hide a different school with the small one than the
    estimate tables do, each table alone would pass but together they give the small school
    away: 9 = 275 - 110 - 70 - 45 - 26 - 15. The joint audit is what catches it."""
    data, w = forced
    tables, names, dims = together(data, w, inst)
    k = names.index("response rates")
    rr = tables[k].set_index("school")
    assert rr.loc[["19647330000005", "19647330000006"], "respondents"].tolist() == ["*", "*"]
    swapped = rr.copy()
    swapped.loc["19647330000006", ["respondents", "response_rate_pct"]] = [15, 100 * 15 / 80]
    swapped.loc["19647331931047", ["respondents", "response_rate_pct"]] = ["*", "*"]
    swapped = swapped.reset_index()
    assert_no_disclosure(swapped, count_col="respondents", group_cols=dims)  # alone: fine
    with pytest.raises(DisclosureError, match=r"row '19647330000005 / Total / Total / Total / "
                                              r"Total', column 'respondents': suppressed cell "
                                              r"can be derived exactly"):
        assert_no_disclosure([*tables[:k], swapped, *tables[k + 1:]], count_col="respondents",
                             group_cols=dims, names=names)


def test_a_school_without_respondents_stays_hidden_across_tables(forced, inst):
    m = pd.concat([margins(), pd.DataFrame({"variable": ["school"],
                                            "category": ["19647330000007"],
                                            "population": [60.0]})], ignore_index=True)
    """School ...07 is enrolled (60) but nobody there answered. The response-rate table lists
    it with its 0 suppressed (CDE's rule); the estimate, given the enrolled schools, lists it
    too, suppressed, for every measure. Were it left out of the estimate (as it is when no
    enrollment is given), 0 = 275 - the schools the estimate lists, exactly."""
    data, _ = forced
    m = pd.concat([margins(), pd.DataFrame({"variable": ["school"],
                                            "category": ["19647330000007"],
                                            "population": [60.0]})], ignore_index=True)
    rr = response_rates(data.respondents, m, by="school")
    assert rr.set_index("group").loc["19647330000007", "respondents"] == "*"
    assert "19647330000007" not in set(estimate(data, inst, by=["school"])["group"])
    enrolled = m.loc[m["variable"] == "school", "category"].tolist()
    est = estimate(data, inst, by=["school"], groups={"school": enrolled})
    s7 = est[est["group"] == "19647330000007"]
    assert len(s7) == 6 and (s7[FIGURES] == "*").all().all()  # 6 measures, unweighted
    tables = [estimate_long(est, ["school"], False, measure="item:q1"), rates_long(rr)]
    # both tables hide the same three schools: 0, 9 and 15 (24 = 275 - 110 - 70 - 45 - 26)
    for t in tables:
        assert sorted(t.loc[t["respondents"] == "*", "school"]) == [
            "19647330000005", "19647330000006", "19647330000007"]
    report = assert_no_disclosure(tables, count_col="respondents", group_cols=["school"],
                                  names=["estimates item:q1", "response rates"])
    assert report.cells[["lower", "upper"]].drop_duplicates().values.tolist() == [[0.0, 24.0]]
    with pytest.raises(InputError, match="groups given for 'race_ethnicity', which is not a "
                                         "breakdown in by"):
        estimate(data, inst, by=["school"], groups={"race_ethnicity": ["asian"]})


def test_respondents_without_a_category_stay_hidden_across_tables(inst):
    """Three of 275 respondents left race/ethnicity blank (as real respondents do).

    Both tables are partitions of all 275 respondents: the estimate's groups and the
    who-answered table's categories are the five categories and ``not reported``, and both
    total rows are every respondent (the figure the response-rate total also publishes), so
    the attacker's equation is 275 = the six groups, in each table. Before, the who-answered
    all row counted only the 272 with a category, so not reported = 275 - 272 = 3 exactly, and
    its complement differed from the estimate's (asian shown in one, hidden in the other),
    which gave ``other`` away too (272 - 202 - 22 - 28 - 13 = 7).
    """
    race = {"hispanic": 202, "white": 28, "black": 22, "asian": 13, "other": 7, "": 3}
    data = make_survey(inst, item_nonresponse=0.0, seed=11, school_sizes=FORCED_SCHOOLS,
                       race=race, groups=FORCED_GROUPS)
    est = estimate(data, inst, by=["race_ethnicity"])
    e = estimate_long(est, ["race_ethnicity"], False, measure="item:q1")
    rep = representation_long(representation(data.respondents, margins(), ["race_ethnicity"]))
    rep = rep.rename(columns={"category": "race_ethnicity"}).drop(columns="variable")
    r = rep.set_index("race_ethnicity")
    assert (r.loc[TOTAL, "respondents"], r.loc[TOTAL, "respondents_pct"]) == (275, 100.0)
    # the two tables hide the same groups: not reported (3) and other (7) protect each other
    # (10 = 275 - 202 - 28 - 22 - 13); asian (13) is shown in both
    shown = {TOTAL: 275, "asian": 13, "black": 22, "hispanic": 202, "not reported": "*",
             "other": "*", "white": 28}
    assert e.set_index("race_ethnicity")["respondents"].to_dict() == shown
    assert r["respondents"].to_dict() == shown
    assert r.loc["not reported", "respondents_pct"] == "*"
    full = representation(data.respondents, margins(), ["race_ethnicity"]).set_index("category")
    assert np.isnan(full.loc["not reported", "population"])
    report = assert_no_disclosure([e, rep], count_col="respondents",
                                  group_cols=["race_ethnicity"],
                                  names=["estimates item:q1", "who answered"])
    # each hidden count lies anywhere in [0, 10] (protection 3 reached: 3 + 3 and 7 + 3 <= 10)
    hid = report.cells.groupby("row")[["lower", "upper"]].agg(["min", "max"])
    assert hid.values.tolist() == [[0.0, 0.0, 10.0, 10.0]] * 2
    assert sorted(hid.index) == ["not reported", "other"]


def test_survey_estimate_with_enrollment_lists_a_school_without_respondents(forced, inst,
                                                                           instrument_path,
                                                                           tmp_path):
    """``survey estimate --enrollment``: the enrolled school nobody answered from is a
    suppressed row of estimates.csv, as it is of response_rates.csv."""
    data, _ = forced
    folder = tmp_path / "s"
    folder.mkdir()
    _write_csv(data.responses, folder / "responses.csv")
    _write_csv(data.respondents, folder / "respondents.csv")
    m = pd.concat([margins(), pd.DataFrame({"variable": ["school"],
                                            "category": ["19647330000007"],
                                            "population": [60.0]})], ignore_index=True)
    _write_csv(m, tmp_path / "m.csv")
    est = estimate_dir(instrument_path, folder, tmp_path / "out", by=["school"],
                       enrollment_path=tmp_path / "m.csv")
    rr = pd.read_csv(tmp_path / "out" / "response_rates.csv", dtype=str)
    s7 = est[est["group"] == "19647330000007"]
    assert len(s7) == 6 and (s7["respondents"] == "*").all()
    assert rr.set_index("group").loc["19647330000007", "respondents"] == "*"
    assert_no_disclosure([estimate_long(est, ["school"], False, measure="item:q1"),
                          rates_long(rr.assign(respondents=rr["respondents"].map(
                              lambda v: v if v == "*" else int(v))))],
                         count_col="respondents", group_cols=["school"])


def _table_rows(html: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after ``<h2>heading</h2>`` (cells as text)."""
    block = html.split(f"<h2>{heading}</h2>")[1].split("</table>")[0]
    body = block.split("</thead>")[-1]
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def _report_rates(html: str) -> pd.DataFrame:
    """The response-rate table of the (English) report."""
    return pd.DataFrame(_table_rows(html, "Response rates"),
                        columns=["school", "enrolled", "respondents", "response_rate_pct"])


def _report_items(html: str) -> list[str]:
    """The respondents (n) column of the every-question table."""
    return [row[1] for row in _table_rows(html, "Every question")]


def test_the_html_report_publishes_only_audited_figures(forced, inst, instrument_path,
                                                       tmp_path):
    """``survey report`` end to end: the tables in the HTML are the audited ones."""
    data, w = forced
    folder = tmp_path / "s"
    folder.mkdir()
    resp = data.respondents.copy()
    resp["weight"] = np.round(w, 10)
    _write_csv(data.responses, folder / "responses.csv")
    _write_csv(resp, folder / "respondents.csv")
    _write_csv(margins(), tmp_path / "m.csv")
    out = report_file(instrument_path, folder, tmp_path / "out" / "report.html", by=list(BY),
                      margins_path=tmp_path / "m.csv", represent=list(REPRESENT),
                      enrollment_path=tmp_path / "m.csv")
    html = out.read_text(encoding="utf-8")
    shown = _report_rates(html)
    shown["school"] = shown["school"].replace({"All respondents": TOTAL})
    assert_no_disclosure(shown.drop(columns="enrolled"), count_col="respondents",
                         group_cols=["school"], names=["report: response rates"])
    sizes = true_sizes(data, "school")
    hidden = shown.loc[shown["respondents"] == "*", "school"].tolist()
    assert hidden == ["19647330000005", "19647330000006"]  # 9, and 15 withheld with it
    pub = shown[shown["respondents"] != "*"].set_index("school")["respondents"].astype(int)
    assert pub.drop(TOTAL).to_dict() == {s: int(sizes[s]) for s in pub.index if s != TOTAL}
    assert pub[TOTAL] == len(data.respondents)
    # the "every question" table: n = every respondent for each item (what makes the tables
    # above linked), and no small count
    assert _report_items(html) == [str(len(data.respondents))] * len(inst.scored_items())


# ---- a hand-built case: subtraction from the overall row -----------------------------------------

def _schools_data(sizes: dict[str, int]) -> SurveyData:
    rows, people, k = [], [], 0
    for g, n in sizes.items():
        for i in range(n):
            k += 1
            rid = f"r{k}"
            people.append({"respondent_id": rid, "language": "en", "platform": "test",
                           "source_row": k + 1, "school": g})
            rows.append((rid, "q1", "4" if i % 3 else "1"))
    return SurveyData(pd.DataFrame(rows, columns=["respondent_id", "item", "response"]),
                      pd.DataFrame(people), "family-climate-example")


def test_hand_built_subtraction_is_caught_and_the_real_output_passes(inst):
    # schools A 40, B 9, C 30 answered q1: 79 in all. With primary suppression only,
    # B = 79 - 40 - 30 = 9 exactly.
    data = _schools_data({"A": 40, "B": 9, "C": 30})
    primary = estimate(data, inst, by=["school"], complementary=False)
    long_p = estimate_long(primary, ["school"], False)
    q1 = long_p[long_p["measure"] == "item:q1"].set_index("school")["respondents"]
    assert q1.to_dict() == {TOTAL: 79, "A": 40, "B": "*", "C": 30}
    assert q1[TOTAL] - q1["A"] - q1["C"] == 9
    with pytest.raises(DisclosureError) as exc:
        assert_no_disclosure(long_p, count_col="respondents", group_cols=["measure", "school"],
                             names=["primary only"])
    assert "primary only: row 'item:q1 / B', column 'respondents': suppressed cell can be " \
        "derived exactly" in str(exc.value)
    # the auditor's interval for B is the single point 9
    rep = audit_tables(long_p, count_col="respondents", group_cols=["measure", "school"])
    b = rep.cells[rep.cells["row"] == "item:q1 / B"]
    assert b[["lower", "upper"]].values.tolist() == [[9.0, 9.0]]

    real = estimate(data, inst, by=["school"])
    long_r = estimate_long(real, ["school"], False)
    report = assert_no_disclosure(long_r, count_col="respondents",
                                  group_cols=["measure", "school"], names=["published"])
    q1r = long_r[long_r["measure"] == "item:q1"].set_index("school")["respondents"]
    # C (30, the cheapest other group) is withheld with B; 79 - 40 = 39 = B + C, so B lies in
    # [0, 39] and C in [0, 39]: both keep +-3
    assert q1r.to_dict() == {TOTAL: 79, "A": 40, "B": "*", "C": "*"}
    assert sorted(report.cells[["lower", "upper"]].values.tolist()) == [[0.0, 39.0]] * 4


# ---- adversarial group sizes ------------------------------------------------------------------

@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=st.lists(st.integers(1, 30), min_size=2, max_size=6))
def test_estimates_of_random_group_sizes_pass_the_audit(inst, sizes):
    data = _schools_data({f"s{i}": n for i, n in enumerate(sizes)})
    est = estimate(data, inst, by=["school"])
    long_e = estimate_long(est, ["school"], False)
    assert_no_disclosure(long_e, count_col="respondents", group_cols=["measure", "school"])
    q1 = long_e[(long_e["measure"] == "item:q1") & (long_e["school"] != TOTAL)]
    hidden = q1["respondents"] == "*"
    small = np.array(sizes) <= 10
    assert (hidden.to_numpy() | ~small).all()  # every small school is hidden
