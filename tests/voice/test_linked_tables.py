"""The survey tables one run publishes are protected together (issue 15, item 6).

``survey estimate --enrollment`` writes estimates.csv (respondents per school who answered each
measure) and response_rates.csv (respondents per school). The respondents of a school who
answered an item are part of the school's respondents, so a reader can bound a hidden school
of the response-rate table by the counts the estimate shows for the other hidden schools:
``hidden small school <= all - shown schools - (shown answer counts of the other hidden
schools)``. Protected one table at a time the two tables hid different complements, and the
bound gave the small school away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equitable.privacy import LongTable, audit_linked
from equitable.voice._pipeline import _write_csv, estimate_dir

from .test_privacy_audit import (
    FORCED_GROUPS,
    FORCED_RACE,
    FORCED_SCHOOLS,
    make_survey,
    margins,
)

SMALL, OTHER_SMALL, SKIPPERS = "19647330000005", "19647330000006", "19647336015954"


def skipped_survey(inst, skipped: int = 14):
    """Every item required (as in the forced-response fixture: schools of 110, 70, 45, 26, 9
    and 15 respondents), except that ``skipped`` respondents of school ...5954 (26) left item
    q1 blank: 12 of them answered q1, fewer than the 15 of school ...6."""
    data = make_survey(inst, item_nonresponse=0.0, seed=11, school_sizes=FORCED_SCHOOLS,
                       race=FORCED_RACE, groups=FORCED_GROUPS)
    r = data.respondents
    ids = r.loc[r["school"] == SKIPPERS, "respondent_id"].head(skipped)
    resp = data.responses
    drop = resp["item"].eq("q1") & resp["respondent_id"].isin(ids)
    data.responses = resp[~drop].reset_index(drop=True)
    return data


def run_estimate(tmp_path, inst, instrument_path, data):
    folder = tmp_path / "s"
    folder.mkdir()
    _write_csv(data.responses, folder / "responses.csv")
    _write_csv(data.respondents, folder / "respondents.csv")
    _write_csv(margins(), tmp_path / "m.csv")
    estimate_dir(instrument_path, folder, tmp_path / "out", by=["school"],
                 enrollment_path=tmp_path / "m.csv")
    est = pd.read_csv(tmp_path / "out" / "estimates.csv", dtype=str)
    rr = pd.read_csv(tmp_path / "out" / "response_rates.csv", dtype=str)
    return est, rr


def upper_bound_by_subtraction(est: pd.DataFrame, rr: pd.DataFrame, school: str) -> int:
    """What a reader of the two files can work out, by hand: the respondents of ``school`` are
    at most every respondent, minus the schools the response-rate table shows, minus, for each
    other school it hides, the most respondents of that school the estimate shows answering a
    measure (they are among that school's respondents)."""
    t = rr.set_index("group")["respondents"]
    shown = t.drop("all")[lambda s: s != "*"].astype(int)
    bound = int(t["all"]) - int(shown.sum())
    e = est[(est["breakdown"] == "school") & (est["weighted"] == "False")
            & (est["respondents"] != "*")]
    for other in t.drop(["all", school])[lambda s: s == "*"].index:
        answered = e.loc[e["group"] == other, "respondents"].astype(int)
        bound -= int(answered.max()) if len(answered) else 0
    return bound


def test_data_has_the_skips(inst):
    data = skipped_survey(inst)
    r = data.respondents.set_index("respondent_id")["school"]
    q1 = data.responses[data.responses["item"] == "q1"]
    answered = q1["respondent_id"].map(r).value_counts()
    assert answered[SKIPPERS] == 12 and answered[OTHER_SMALL] == 15 and answered[SMALL] == 9
    assert r.value_counts()[SKIPPERS] == 26


def test_estimates_and_response_rates_cannot_be_subtracted(tmp_path, inst, instrument_path):
    est, rr = run_estimate(tmp_path, inst, instrument_path, skipped_survey(inst))
    t = rr.set_index("group")["respondents"]
    assert t["all"] == "275" and t[SMALL] == "*"
    # 9 respondents: a reader must not bring the bound below 9 + 3 = 12 (the protection level)
    assert upper_bound_by_subtraction(est, rr, SMALL) >= 12
    # and the joint audit of the two files, linked, passes (see the privacy tests)
    report = audit_linked(*linked_files(est, rr))
    assert report.ok, report.summary()


def linked_files(est: pd.DataFrame, rr: pd.DataFrame):
    """The two files in the auditor's long form, and the link between them: each (measure,
    school) count of the estimate is part of that school's respondents (the overall row of a
    measure, of all respondents)."""
    e = est[(est["weighted"] == "False") & est["breakdown"].isin(["all", "school"])]
    e_long = pd.DataFrame({
        "measure": (e["measure_type"] + ":" + e["measure"]).to_numpy(),
        "school": np.where(e["breakdown"] == "all", "Total", e["group"]),
        "respondents": e["respondents"].to_numpy(),
    })
    r_long = pd.DataFrame({"school": rr["group"].replace({"all": "Total"}).to_numpy(),
                           "respondents": rr["respondents"].to_numpy()})
    tables = [LongTable(e_long, "respondents", ["measure", "school"], additive=["school"],
                        name="estimates.csv"),
              LongTable(r_long, "respondents", ["school"], name="response_rates.csv")]
    return tables, [(0, 1)]


def test_the_joint_program_is_the_fallback_and_protects_too(inst, monkeypatch):
    """When the per-measure audit of the harmonized pattern fails, the whole set is protected
    as one system (equitable.privacy.protect_linked): forced here, the result passes the same
    linked audit and keeps the bound on the small school."""
    import equitable.voice._estimate as E

    data = skipped_survey(inst)
    m = margins()
    # the one-by-one pattern is what the per-measure linked audit rejects
    est_raw, _ = E._estimate_raw(data, inst, by=["school"], weights=None, level=0.95,
                                 matrix=None, groups=None)
    rr_raw = E._rates_raw(data.respondents, m, by="school")
    one_by_one = {
        "estimates": E._hidden_rows(est_raw, 10),
        "rates": E.response_rates(data.respondents, m)["respondents"].eq("*").to_numpy(),
    }
    cfg = E.PrivacyConfig()
    assert not E._linked_ok(est_raw, rr_raw, "school", None, one_by_one, cfg)
    monkeypatch.setattr(E, "_linked_ok", lambda *a, **k: False)
    out = E.published_tables(data, inst, by=["school"], enrollment=m)
    est = out["estimates"].astype(str)
    rr = out["rates"].astype(str)
    assert rr.set_index("group").loc[SMALL, "respondents"] == "*"
    assert upper_bound_by_subtraction(est, rr, SMALL) >= 12
    assert audit_linked(*linked_files(est, rr)).ok
