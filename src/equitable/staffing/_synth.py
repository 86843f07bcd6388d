"""``equitable synth staff``: an invented district's schools and staffing export.

SYNTHETIC: no real school, position or person is in these files. The district is calibrated to
published figures (docs/staffing.md):

* teacher vacancy rates twice as high in the highest-need fifth of schools as in the lowest-need
  fifth (Partnership for Los Angeles Schools, "Closing the Equity Gap in School Staffing",
  March 2022: LAUSD in October 2021);
* about 83.5% of teaching FTE "clear" (full credential, in field), the statewide share in
  2020-21 and 2021-22 (CDE, Teaching Assignment Monitoring Outcomes, 83-84%), lower in
  high-need schools;
* counselors near California's average of about 460 students each, below ASCA's 250:1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["SynthStaff", "synth_staff"]

TIER_LABELS = ("1 Highest", "2 High", "3 Moderate", "4 Low", "5 Lowest")
#: Teacher vacancy probability by tier (1 Highest ... 5 Lowest): highest / lowest = 2.0.
VACANCY_BY_TIER = (0.08, 0.07, 0.06, 0.05, 0.04)
#: Share of filled teaching FTE that is clear, by tier; the FTE-weighted mean is about 83.5%.
CLEAR_BY_TIER = (0.795, 0.815, 0.835, 0.855, 0.875)
#: Share of teachers with two or fewer years of experience, by tier.
NOVICE_BY_TIER = (0.18, 0.16, 0.14, 0.12, 0.10)
#: How non-clear teaching assignments split (weights).
NOT_CLEAR = {("clear", "no"): 0.40, ("intern", "yes"): 0.15, ("permit", "yes"): 0.20,
             ("waiver", "yes"): 0.05, ("none", "yes"): 0.05, ("clear", "misassigned"): 0.15}


@dataclass
class SynthStaff:
    """Files written by :func:`synth_staff` and their sizes."""

    schools_path: Path
    positions_path: Path
    n_schools: int
    n_positions: int


def synth_staff(out_dir: str | Path, schools: int = 120, *, seed: int = 0,
                as_of: dt.date = dt.date(2024, 10, 2), district: str = "1964733",
                schools_file: str | Path | None = None) -> SynthStaff:
    """Write ``schools.csv`` and ``positions.csv`` of an invented district into ``out_dir``.

    Parameters
    ----------
    out_dir : folder to write (created).
    schools : number of schools (>= 10); about 50 positions per 1,000 students follow.
    seed : random seed; the same seed gives the same bytes.
    as_of : the day vacancies are counted (default: Census Day 2024, 2 October).
    district : the 7-digit county-district code of the invented CDS codes.
    schools_file : a real schools table (:func:`~equitable.staffing.read_staff_schools`, e.g.
        ``lausd/schools_2024_25.csv``): its CDS codes, levels, enrollment and % FRPM are used
        (``schools`` is then ignored); only the positions and % minority are invented.

    Returns
    -------
    SynthStaff
    """
    from equitable.errors import InputError

    if schools_file is not None:
        from equitable.staffing._read import read_staff_schools

        real = read_staff_schools(schools_file)
        real = real[real["enrollment"] > 0].reset_index(drop=True)
        schools = len(real)
    if schools < 10:
        raise InputError(f"The 'schools' parameter of synth staff must be at least 10. Got "
                         f"{schools} instead.")
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n = schools
    level = rng.choice(["elementary", "middle", "high"], size=n, p=[0.6, 0.2, 0.2])
    mean_enr = {"elementary": 450, "middle": 900, "high": 1400}
    enr = np.array([max(120, int(rng.normal(mean_enr[lv], mean_enr[lv] * 0.3))) for lv in level])
    u = rng.uniform(size=n)
    frpm = np.clip(20 + 75 * u + rng.normal(0, 5, n), 3, 99).round(1)
    minority = np.clip(35 + 62 * u + rng.normal(0, 6, n), 5, 99.5).round(1)
    names = [f"Synthetic School {i + 1:04d}" for i in range(n)]
    cds = [f"{district}{1000000 + i * 37:07d}" for i in range(n)]
    if schools_file is not None:
        cds = real["cds_code"].tolist()
        names = real["school_name"].fillna("").tolist()
        level = real["level"].fillna("other").to_numpy()
        mean_enr.update({"other": 700})
        enr = real["enrollment"].astype(int).to_numpy()
        frpm = real["pct_frpm"].fillna(float(real["pct_frpm"].median())).to_numpy()
        minority = np.clip(frpm * 0.9 + rng.normal(8, 5, n), 5, 99.5).round(1)
    rank = pd.Series(frpm).rank(method="first", ascending=False).to_numpy()
    tier_idx = np.minimum((5 * (rank - 1) / n).astype(int), 4)
    sch = pd.DataFrame({"cds_code": cds, "school_name": names,
                        "level": level, "enrollment": enr, "pct_frpm": frpm,
                        "pct_minority": minority,
                        "tier": [TIER_LABELS[t] for t in tier_idx]})
    as_of_ts = pd.Timestamp(as_of)
    rows: list[dict] = []
    keys = list(NOT_CLEAR)
    weights = np.array(list(NOT_CLEAR.values()))
    weights = weights / weights.sum()

    def dates(vacant: bool) -> tuple[str, str]:
        if vacant:
            opened = as_of_ts - pd.Timedelta(days=int(rng.exponential(70)) + 1)
            return opened.strftime("%Y-%m-%d"), ""
        if rng.uniform() < 0.25:  # opened this year and filled
            opened = as_of_ts - pd.Timedelta(days=int(rng.uniform(1, 200)))
            filled = min(as_of_ts, opened + pd.Timedelta(days=int(rng.exponential(25))))
            return opened.strftime("%Y-%m-%d"), filled.strftime("%Y-%m-%d")
        return "", ""

    pid = 0
    for i in range(n):
        t = tier_idx[i]
        teachers = max(8, int(round(enr[i] / 24)))
        jobs = ["teacher"] * teachers
        if level[i] in ("middle", "high", "other"):
            jobs += ["counselor"] * max(1, int(round(enr[i] / 460)))
        elif rng.uniform() < 0.5:
            jobs += ["counselor"]
        if rng.uniform() < 0.45 + 0.08 * (4 - t):
            jobs += ["social_worker"]
        jobs += ["psychologist"]
        jobs += ["nurse"]
        if rng.uniform() < 0.3:
            jobs += ["psa_counselor"]
        jobs += ["other"] * max(1, teachers // 6)
        for job in jobs:
            pid += 1
            vac = rng.uniform() < VACANCY_BY_TIER[t] * (1.0 if job == "teacher" else 1.2)
            fte = 1.0
            part_time_teacher = job == "teacher" and rng.uniform() < 0.08
            shared_support = job == "nurse" or (
                job in ("psychologist", "social_worker") and level[i] == "elementary")
            if part_time_teacher or shared_support:
                fte = 0.5
            opened, filled = dates(vac)
            row = {"position_id": f"P{pid:07d}", "cds_code": cds[i], "job_class": job,
                   "subject": "", "fte": fte, "status": "vacant" if vac else "filled",
                   "date_opened": opened, "date_filled": filled,
                   "credential": "", "in_field": "", "years_experience": ""}
            if job == "teacher":
                row["subject"] = ("multiple subjects" if level[i] == "elementary" else
                                  str(rng.choice(["english", "mathematics", "science",
                                                  "social science", "special education",
                                                  "world languages", "arts", "physical "
                                                  "education"])))
                if not vac:
                    if rng.uniform() < CLEAR_BY_TIER[t]:
                        cred, inf = "clear", "yes"
                    else:
                        cred, inf = keys[int(rng.choice(len(keys), p=weights))]
                    row["credential"], row["in_field"] = cred, inf
                    novice = rng.uniform() < NOVICE_BY_TIER[t]
                    row["years_experience"] = (int(rng.integers(0, 3)) if novice
                                               else int(rng.integers(3, 31)))
            rows.append(row)
    pos = pd.DataFrame(rows)
    sp = out / "schools.csv"
    pp = out / "positions.csv"
    sch.to_csv(sp, index=False, lineterminator="\n")
    pos.to_csv(pp, index=False, lineterminator="\n")
    return SynthStaff(schools_path=sp, positions_path=pp, n_schools=n, n_positions=len(pos))
