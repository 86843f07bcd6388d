"""The staffing section of ``equitable run`` (``[inputs] staffing = ...``, docs/run.md).

With a district staffing export in the config, ``run`` writes beside the allocation:
``staffing.xlsx`` (Educator Equity in CDE's layout, Tiers, Schools, Ratios),
``staffing_schools.csv``, ``staffing_tiers.csv`` (the Tiers sheet, read by the dashboard's
district staffing page) and the bilingual ``staffing.html`` / ``staffing.es.html``, with the
run's own need tiers. Positions at schools the run does not rank are left out and counted on the
terminal and in run.json (never silently).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["public_tiers", "write_staffing"]


def public_tiers(tiers: pd.DataFrame, cfg: Any) -> pd.DataFrame:
    """The tier table as published: the students-per-professional ratios of a tier of
    ``cfg.threshold`` (10) or fewer students are the privacy marker, as for a school
    (:func:`equitable.staffing._io.public_report`, CDE's rule; PRIVACY.md). Other figures are
    about positions and pass unchanged."""
    from equitable.staffing._report import SUPPORT_CLASSES

    out = tiers.copy()
    small = (pd.to_numeric(out["enrollment"], errors="coerce").fillna(0)
             <= cfg.threshold).to_numpy()
    for c in (f"students_per_{k}" for k in SUPPORT_CLASSES):
        if c in out:
            out[c] = out[c].astype(object)
            out.loc[small, c] = cfg.marker
    return out


def _schools_of(comp: Any) -> pd.DataFrame:
    s = comp.schools
    return pd.DataFrame({
        "cds_code": s["cds_code"].astype(str).to_numpy(),
        "school_name": s["school_name"].astype(object).to_numpy(),
        "level": s["span"].map(lambda v: {"elementary": "elementary", "middle": "middle",
                                          "high": "high"}.get(str(v), "other")).to_numpy(),
        "enrollment": pd.to_numeric(s["enrollment"]).astype(float).to_numpy(),
        "pct_frpm": (pd.to_numeric(s["frpm_pct"]).astype(float).to_numpy()
                     if "frpm_pct" in s else float("nan")),
        "pct_minority": float("nan"),
        "tier": s["tier"].astype(object).to_numpy(),
        "need_score": pd.to_numeric(s["score"], errors="coerce").to_numpy(),
    })


def write_staffing(comp: Any, path: Path, out: Path) -> tuple[dict[str, Path], dict[str, Any]]:
    """Compute and write the staffing section of a run.

    Returns
    -------
    (files, summary) : the files written, and for run.json the counts (positions used and left
    out, vacancies, teacher vacancy rate and students per counselor by tier) and notes.
    """
    from equitable.privacy import load_config
    from equitable.staffing._gaps import educator_equity_gaps
    from equitable.staffing._html import write_staffing_html
    from equitable.staffing._io import _csv, _xlsx, equity_table, public_gaps, public_report
    from equitable.staffing._read import read_positions
    from equitable.staffing._report import staffing_report

    cfg = load_config()
    positions = read_positions(path)
    schools = _schools_of(comp)
    ranked = positions["cds_code"].isin(set(schools["cds_code"]))
    notes: list[str] = []
    if not ranked.all():
        n_sch = positions.loc[~ranked, "cds_code"].nunique()
        notes.append(f"{int((~ranked).sum())} position(s) at {n_sch} school(s) not ranked in this "
                     "run left out of the staffing section")
    used = positions[ranked].reset_index(drop=True)
    rep = staffing_report(used, schools)
    notes += rep.notes
    sch, tiers, _ = public_report(rep, used, cfg)
    tiers = public_tiers(tiers, cfg)
    n_small = int((tiers["students_per_counselor"] == cfg.marker).sum()) \
        if "students_per_counselor" in tiers else 0
    if n_small:
        notes.append(f"{n_small} tier row(s) of {cfg.threshold} or fewer students: "
                     f"students-per-professional ratios suppressed ({cfg.marker})")
    equity = None
    sheets = [("Tiers", tiers), ("Schools", sch)]
    if (used["job_class"].eq("teacher") & used["status"].eq("filled")).any():
        g = educator_equity_gaps(used, schools)
        notes += g.notes
        equity = equity_table(public_gaps(g, cfg)[1])
        sheets.insert(0, ("Educator Equity", equity))
    files = {"staffing_schools.csv": _csv(sch, out / "staffing_schools.csv"),
             "staffing_tiers.csv": _csv(tiers, out / "staffing_tiers.csv")}
    _xlsx(out / "staffing.xlsx", sheets, "Staff and student supports by need")
    files["staffing.xlsx"] = out / "staffing.xlsx"
    langs = comp.config.report.languages
    spec = comp.spec
    es = (dict(zip(spec.overall.tiers.tier_labels, spec.overall.tiers.labels_es))
          if spec.overall.tiers.labels_es else {})
    for lang, name in (("en", "staffing.html"), ("es", "staffing.es.html")):
        if lang in langs:
            files[name] = write_staffing_html(out / name, tiers, equity, as_of=rep.as_of,
                                              year_start=rep.year_start, notes=notes,
                                              lang=lang, tier_labels_es=es)
    t = rep.tiers.set_index("tier")
    summary = {
        "positions": len(positions), "positions_left_out": int((~ranked).sum()),
        "as_of": rep.as_of.isoformat(),
        "vacancies": {k: int(v) for k, v in t["vacancies"].items()},
        "teacher_vacancy_rate_pct": {k: (None if pd.isna(v) else float(v))
                                     for k, v in t["teacher_vacancy_rate_pct"].items()},
        "students_per_counselor": {k: (None if pd.isna(v) else float(v))
                                   for k, v in t["students_per_counselor"].items()},
        "notes": notes,
    }
    return files, summary
