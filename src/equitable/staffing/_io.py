"""File-level entry points of the staffing part: read, compute, protect, write (docs/staffing.md).

Every published table leaves through :mod:`equitable.privacy`: a figure about a group of
``threshold`` (10) or fewer teachers (a school's share of ineffective teachers, a quartile
group) is ``*``, since a count of teachers on emergency permits at a small school can point to a
person; a ratio about a school of ``threshold`` or fewer students is ``*`` (CDE's rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from equitable.checks import ReadNotes
from equitable.staffing._gaps import MEASURE_LABELS, MEASURES, EquityGaps, classify_teachers
from equitable.staffing._html import write_staffing_html
from equitable.staffing._layout import RATIOS
from equitable.staffing._plan import StaffingPlan
from equitable.staffing._report import SUPPORT_CLASSES, StaffingReport

__all__ = [
    "StaffingOutputs",
    "cde_fte_columns",
    "equity_table",
    "gaps_files",
    "plan_files",
    "public_gaps",
    "public_report",
    "report_files",
    "school_equity_rates",
]

LEVEL_LABELS = {"elementary": "Elementary", "middle": "Middle", "high": "High",
                "other": "Other spans", "all": "All schools"}


@dataclass
class StaffingOutputs:
    """What a staffing command wrote: ``files`` (name -> path), the computed object, notes."""

    out_dir: Path
    files: dict[str, Path]
    result: object
    notes: list[str] = field(default_factory=list)
    suppressed: int = 0


def _config(privacy_config):
    from equitable.privacy import load_config

    return privacy_config if privacy_config is not None and not isinstance(
        privacy_config, (str, Path)) else load_config(privacy_config)


def _suppress(df: pd.DataFrame, count_col: str, cols: list[str], cfg) -> tuple[pd.DataFrame, int]:
    from equitable.privacy import suppress_table

    out = suppress_table(df, count_col, cols, threshold=cfg.threshold)
    if cfg.marker != "*":
        for c in [*cols, count_col]:
            out[c] = out[c].map(lambda v: cfg.marker if v == "*" else v)
    n = int((pd.to_numeric(df[count_col], errors="coerce").fillna(0) <= cfg.threshold).sum())
    return out, n


def _margin_table(groups: pd.DataFrame, basis: str, value_cols: list[str]) -> pd.DataFrame:
    """The rows of one basis with their margins as ``Total`` rows: (level, group) cells,
    (level, Total) = the level's row of the ``all`` basis, (Total, Total) = all teachers; for
    tiers also (Total, tier) = the tier's row over all levels. Index: the rows of ``groups``."""
    sub = groups[groups["basis"] == basis]
    cells = sub[sub["level"] != "all"]
    levels = sorted(set(cells["level"]))
    tot = groups[groups["basis"] == "all"]
    parts = [cells.assign(level_=cells["level"], group_=cells["group"])]
    lv = tot[tot["level"].isin(levels)]
    parts.append(lv.assign(level_=lv["level"], group_="Total"))
    everything = tot[tot["level"] == "all"]
    parts.append(everything.assign(level_="Total", group_="Total"))
    if basis == "tier":
        over = sub[sub["level"] == "all"]
        parts.append(over.assign(level_="Total", group_=over["group"]))
    t = pd.concat(parts)
    return t[["level_", "group_", "teachers", *value_cols]]


def public_gaps(g: EquityGaps, cfg) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The groups and gaps tables as published.

    Groups of ``threshold`` or fewer teachers are suppressed (primary), and for each basis
    (poverty and minority quartiles, tiers) complementary suppression hides further groups so
    that no suppressed group can be worked out from its level's total
    (:func:`equitable.privacy.protect_long`); when a basis does not add up to the totals (schools
    without % FRPM or % minority) its groups get primary suppression only. A gap is suppressed
    when either of its groups is.

    Returns (groups, gaps, number of suppressed group rows).
    """
    from equitable.errors import InputError
    from equitable.privacy import protect_long

    value_cols = ["schools", "teacher_fte"] + [f"{m}_{k}" for m in MEASURES
                                              for k in ("n", "fte", "pct")]
    hide = (g.groups["teachers"] <= cfg.threshold).to_numpy().copy()
    for basis in ("poverty", "minority", "tier"):
        if not (g.groups["basis"] == basis).any():
            continue
        t = _margin_table(g.groups, basis, value_cols)
        try:
            p = protect_long(t.reset_index(drop=True), count_col="teachers",
                             group_cols=["level_", "group_"], value_cols=value_cols, config=cfg,
                             name=f"educator equity by {basis}")
        except InputError:
            continue  # not additive (schools without a value): primary suppression only
        rows = t.index.to_numpy()[p.suppressed.to_numpy()]
        hide[g.groups.index.get_indexer(rows)] = True
    groups = g.groups.copy()
    for c in ["teachers", *value_cols]:
        groups[c] = groups[c].astype(object)
        groups.loc[hide, c] = cfg.marker
    n = int(hide.sum())
    gaps = g.gaps.copy()
    hidden = set(zip(groups.loc[hide, "basis"], groups.loc[hide, "level"],
                     groups.loc[hide, "group"], strict=True))
    small = gaps.apply(lambda r: (r["basis"], r["level"], r["highest_group"]) in hidden
                       or (r["basis"], r["level"], r["lowest_group"]) in hidden, axis=1) \
        if len(gaps) else pd.Series(dtype=bool)
    for c in ["highest_pct", "highest_n", "highest_teachers", "lowest_pct", "lowest_n",
              "lowest_teachers", "gap_pp"]:
        gaps[c] = gaps[c].astype(object)
        if len(gaps):
            gaps.loc[small.to_numpy(), c] = cfg.marker
    return groups, gaps, n


def equity_table(gaps: pd.DataFrame) -> pd.DataFrame:
    """The gaps in the layout of CDE's Educator Equity Data Tables: one row per school level and
    teacher measure; highest and lowest poverty and minority quartiles side by side, each rate
    with its count (``n of N`` teachers), and the difference in percentage points."""
    rows = []
    for level in ("elementary", "middle", "high", "other"):
        for m in MEASURES:
            row = {"School level": LEVEL_LABELS[level], "Teacher measure": MEASURE_LABELS[m]}
            found = False
            for basis, word in (("poverty", "poverty"), ("minority", "minority")):
                sel = gaps[(gaps["basis"] == basis) & (gaps["level"] == level)
                           & (gaps["measure"] == m)]
                if sel.empty:
                    continue
                found = True
                r = sel.iloc[0]
                row[f"Highest {word} quartile %"] = r["highest_pct"]
                row[f"Highest {word} quartile n of N"] = (
                    f"{r['highest_n']} of {r['highest_teachers']}")
                row[f"Lowest {word} quartile %"] = r["lowest_pct"]
                row[f"Lowest {word} quartile n of N"] = f"{r['lowest_n']} of {r['lowest_teachers']}"
                row[f"Difference, {word} (percentage points)"] = r["gap_pp"]
            if found:
                rows.append(row)
    return pd.DataFrame(rows)


def _xlsx(path: Path, sheets: list[tuple[str, pd.DataFrame]], title: str) -> None:
    """A workbook with deterministic bytes (fixed document date), one sheet per table, written
    by the project's one XLSX writer (:class:`equitable._workbook.Book`)."""
    from equitable._workbook import Book

    book = Book(path, title=title)
    for name, df in sheets:
        book.frame_sheet(name, df)
    book.close()


def _csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def _definitions() -> pd.DataFrame:
    return pd.DataFrame([
        {"term": "Ineffective teacher", "definition": "Emergency or limited permit without a "
         "full credential (PIP, STSP, substitute/TSPL as teacher of record), Variable Term "
         "Waiver, no credential, or misassigned (no authorization for the assignment).",
         "source": "California State Board of Education, 6 November 2019"},
        {"term": "Out-of-field teacher", "definition": "Credentialed teacher who has not yet "
         "demonstrated subject-matter competence for the assignment (limited assignment permit "
         "GELAP/SELAP or local assignment option).",
         "source": "California State Board of Education, 6 November 2019"},
        {"term": "Inexperienced teacher", "definition": "Two or fewer years of teaching "
         "experience.", "source": "California State Board of Education, 6 November 2019"},
        {"term": "Intern", "definition": "Counted as effective.",
         "source": "California ESSA Consolidated State Plan"},
        {"term": "Rate", "definition": "Share of teacher FTE (filled teaching positions).",
         "source": "CDE Teaching Assignment Monitoring Outcomes report by FTE"},
        {"term": "Quartile", "definition": "Schools of one level ranked by % FRPM (poverty) or "
         "% minority students; Q4 = highest. Gap = Q4 rate minus Q1 rate.",
         "source": "CDE Educator Equity Data Tables; ESSA 1111(g)(1)(B)"},
        {"term": "Suppression", "definition": "* = a group of 10 or fewer teachers.",
         "source": "PRIVACY.md"},
    ])


def gaps_files(positions_path: str | Path, schools_path: str | Path, out_dir: str | Path, *,
               privacy_config=None) -> StaffingOutputs:
    """``equitable staffing gaps``: read, compute :func:`educator_equity_gaps`, write.

    Writes ``educator_equity.xlsx`` (sheets Educator Equity, Groups, Gaps, Definitions),
    ``educator_equity_groups.csv``, ``educator_equity_gaps.csv`` and ``gaps.run.json``.
    """
    from equitable.provenance import write_run_record
    from equitable.staffing._gaps import educator_equity_gaps
    from equitable.staffing._read import read_positions, read_staff_schools

    cfg = _config(privacy_config)
    positions = read_positions(positions_path)
    schools = read_staff_schools(schools_path)
    g = educator_equity_gaps(positions, schools)
    groups, gaps, n_sup = public_gaps(g, cfg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "educator_equity_groups.csv": _csv(groups, out / "educator_equity_groups.csv"),
        "educator_equity_gaps.csv": _csv(gaps, out / "educator_equity_gaps.csv"),
    }
    x = out / "educator_equity.xlsx"
    _xlsx(x, [("Educator Equity", equity_table(gaps)), ("Groups", groups), ("Gaps", gaps),
              ("Definitions", _definitions())], "Educator equity data tables")
    files["educator_equity.xlsx"] = x
    # what the readers changed (CDS codes that lost their leading zero: equitable.ids) first
    notes = [*ReadNotes.of(positions), *ReadNotes.of(schools), *g.notes]
    if n_sup:
        notes.append(f"{n_sup} group(s) of {cfg.threshold} or fewer teachers suppressed (*)")
    files["gaps.run.json"] = write_run_record(
        out, command="staffing gaps", spec={"privacy_threshold": cfg.threshold},
        inputs={"positions": positions_path, "schools": schools_path},
        outputs=list(files.values()),
        extra={"positions": len(positions), "teachers": len(g.teachers),
               "schools": len(schools), "suppressed_groups": n_sup, "notes": notes},
        filename="gaps.run.json")
    return StaffingOutputs(out, files, g, notes, n_sup)


def school_equity_rates(positions: pd.DataFrame) -> pd.DataFrame:
    """Per school: ``teachers`` (filled teaching positions) and ``<measure>_pct`` (FTE share)."""
    t = classify_teachers(positions)
    d = pd.DataFrame({"cds_code": t["cds_code"], "fte": t["fte"]})
    for m in MEASURES:
        d[m] = t["fte"] * t[m]
    g = d.groupby("cds_code", sort=False)
    out = pd.DataFrame({"teachers": g.size()})
    tf = g["fte"].sum()
    for m in MEASURES:
        out[f"{m}_pct"] = (100 * g[m].sum() / tf.where(tf > 0)).round(2)
    return out


def public_report(rep: StaffingReport, positions: pd.DataFrame, cfg) -> tuple[pd.DataFrame,
                                                                             pd.DataFrame, int]:
    """The per-school and per-tier staffing tables as published (see the module docstring)."""
    sch = rep.schools.join(school_equity_rates(positions), on="cds_code")
    sch["teachers"] = sch["teachers"].fillna(0).astype(int)
    rate_cols = [f"{m}_pct" for m in MEASURES]
    sch, n1 = _suppress(sch, "teachers", rate_cols, cfg)
    ratio_cols = [f"students_per_{c}" for c in SUPPORT_CLASSES]
    small = pd.to_numeric(rep.schools["enrollment"]).fillna(0) <= cfg.threshold
    for c in ratio_cols:
        sch[c] = sch[c].astype(object)
        sch.loc[small.to_numpy(), c] = cfg.marker
    return sch, rep.tiers.copy(), n1 + int(small.sum())


def cde_fte_columns(schools: pd.DataFrame, cde_fte: pd.DataFrame) -> pd.DataFrame:
    """Per school of ``schools``: CDE's ``cde_teacher_fte``, ``cde_pupil_services_fte`` and
    ``students_per_pupil_services_cde`` (enrollment / pupil services FTE) from
    :func:`~equitable.staffing.read_cde_staff_fte` (its latest academic year); NaN where CDE has
    no row for the school."""
    latest = cde_fte[cde_fte["academic_year"] == cde_fte["academic_year"].max()]
    wide = latest.pivot_table(index="cds_code", columns="staff_type", values="fte",
                              aggfunc="sum")
    out = pd.DataFrame({"cds_code": schools["cds_code"].to_numpy()})
    for col, st in (("cde_teacher_fte", "teacher"), ("cde_pupil_services_fte",
                                                     "pupil_services")):
        s = wide[st] if st in wide.columns else pd.Series(dtype=float)
        out[col] = out["cds_code"].map(s).astype(float).round(4)
    ps = out["cde_pupil_services_fte"]
    out["students_per_pupil_services_cde"] = (
        schools["enrollment"].to_numpy() / ps.where(ps > 0)).round(1)
    return out.drop(columns="cds_code")


def report_files(positions_path: str | Path, schools_path: str | Path, out_dir: str | Path, *,
                 as_of: dt.date | None = None, year_start: dt.date | None = None,
                 privacy_config=None, cde_fte: str | Path | None = None) -> StaffingOutputs:
    """``equitable staffing report``: vacancies, fill rates and support ratios by school and
    tier. Writes ``staffing_schools.csv``, ``staffing_tiers.csv``, ``staffing.xlsx`` (sheets
    Tiers, Schools, Ratios), the bilingual page ``staffing.html`` / ``staffing.es.html``
    (tiers and, when there are filled teaching positions, the educator equity gaps) and
    ``report.run.json``."""
    from equitable.provenance import write_run_record
    from equitable.staffing._read import read_positions, read_staff_schools
    from equitable.staffing._report import staffing_report

    cfg = _config(privacy_config)
    positions = read_positions(positions_path)
    schools = read_staff_schools(schools_path)
    rep = staffing_report(positions, schools, as_of=as_of, year_start=year_start)
    sch, tiers, n_sup = public_report(rep, positions, cfg)
    notes = [*ReadNotes.of(positions), *ReadNotes.of(schools), *rep.notes]
    inputs = {"positions": positions_path, "schools": schools_path}
    if cde_fte is not None:
        from equitable.staffing._read import read_cde_staff_fte

        cde = read_cde_staff_fte(cde_fte)
        notes += ReadNotes.of(cde)
        extra_cols = cde_fte_columns(rep.schools, cde)
        small = (rep.schools["enrollment"] <= cfg.threshold).to_numpy()
        extra_cols["students_per_pupil_services_cde"] = extra_cols[
            "students_per_pupil_services_cde"].astype(object).where(~small, cfg.marker)
        sch = pd.concat([sch.reset_index(drop=True), extra_cols], axis=1)
        missing = int(extra_cols["cde_teacher_fte"].isna().sum())
        notes.append(f"CDE Staff School FTE {cde['academic_year'].max()}: {missing} school(s) "
                     "without a row")
        inputs["cde_staff_fte"] = cde_fte
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"staffing_schools.csv": _csv(sch, out / "staffing_schools.csv"),
             "staffing_tiers.csv": _csv(tiers, out / "staffing_tiers.csv")}
    ratios = pd.DataFrame([{"job class": c, "students per 1.0 FTE": RATIOS[c][0],
                            "organisation": RATIOS[c][1], "source": RATIOS[c][2]}
                           for c in SUPPORT_CLASSES])
    x = out / "staffing.xlsx"
    _xlsx(x, [("Tiers", tiers), ("Schools", sch), ("Ratios", ratios)],
          "Vacancies and student supports by need")
    files["staffing.xlsx"] = x
    equity = None
    if (positions["job_class"].eq("teacher") & positions["status"].eq("filled")).any():
        from equitable.staffing._gaps import educator_equity_gaps

        g = educator_equity_gaps(positions, schools)
        equity = equity_table(public_gaps(g, cfg)[1])
    for lang, name in (("en", "staffing.html"), ("es", "staffing.es.html")):
        files[name] = write_staffing_html(out / name, tiers, equity, as_of=rep.as_of,
                                          year_start=rep.year_start, notes=notes, lang=lang)
    if n_sup:
        notes.append(f"{n_sup} school figure group(s) about {cfg.threshold} or fewer teachers or "
                     "students suppressed (*)")
    files["report.run.json"] = write_run_record(
        out, command="staffing report",
        spec={"as_of": rep.as_of.isoformat(), "year_start": rep.year_start.isoformat(),
              "privacy_threshold": cfg.threshold,
              "ratios": {c: RATIOS[c][0] for c in SUPPORT_CLASSES}},
        inputs=inputs, outputs=list(files.values()),
        extra={"positions": len(positions), "schools": len(schools), "notes": notes},
        filename="report.run.json")
    return StaffingOutputs(out, files, rep, notes, n_sup)


def plan_files(positions_path: str | Path, schools_path: str | Path, out_dir: str | Path, *,
               job_class: str | None = None, fte: float | None = None, unit: float = 0.5,
               target: float | None = None, budget: str | None = None,
               vacancies: str = "teacher_vacancies", tier_order: list[str] | None = None,
               as_of: dt.date | None = None) -> StaffingOutputs:
    """``equitable staffing plan``: positions (``job_class`` + ``fte``) or incentives
    (``budget``). Writes ``plan_schools.csv``, ``plan_tiers.csv``, ``plan.xlsx`` and
    ``plan.run.json``."""
    from equitable.errors import SpecError
    from equitable.provenance import write_run_record
    from equitable.staffing._plan import plan_incentives, plan_positions
    from equitable.staffing._read import read_positions, read_staff_schools
    from equitable.staffing._report import staffing_report

    if (budget is None) == (fte is None):
        raise SpecError("give either --fte (with --job-class) for a positions plan or --budget "
                        "for an incentives plan")
    if fte is not None and job_class is None:
        raise SpecError("a positions plan needs --job-class (counselor, social_worker, "
                        "psychologist or nurse)")
    positions = read_positions(positions_path)
    schools = read_staff_schools(schools_path)
    rep = staffing_report(positions, schools, as_of=as_of)
    if fte is not None:
        assert job_class is not None  # refused above
        plan: StaffingPlan = plan_positions(rep.schools, job_class, fte, unit=unit,
                                            target=target, tier_order=tier_order)
        spec = {"kind": "positions", "job_class": job_class, "fte": fte, "unit": unit,
                "target": plan.target, "tier_order": tier_order}
    else:
        assert budget is not None  # either --fte or --budget (checked above)
        plan = plan_incentives(rep.schools, budget, vacancies=vacancies, tier_order=tier_order)
        spec = {"kind": "incentives", "budget": str(budget), "vacancies": vacancies,
                "tier_order": tier_order}
    notes = [*ReadNotes.of(positions), *ReadNotes.of(schools), *plan.notes]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sch = plan.schools.copy()
    tiers = plan.tiers.copy()
    for df in (sch, tiers):
        if "amount_cents" in df:
            df["amount_dollars"] = df["amount_cents"] / 100.0
    files = {"plan_schools.csv": _csv(sch, out / "plan_schools.csv"),
             "plan_tiers.csv": _csv(tiers, out / "plan_tiers.csv")}
    x = out / "plan.xlsx"
    _xlsx(x, [("Tiers before and after" if plan.kind == "positions" else "Tiers", tiers),
              ("Schools", sch)], "Recruitment and supports plan")
    files["plan.xlsx"] = x
    files["plan.run.json"] = write_run_record(
        out, command="staffing plan", spec=spec,
        inputs={"positions": positions_path, "schools": schools_path},
        outputs=list(files.values()),
        extra={"placed_fte": plan.placed_fte, "budget_cents": plan.budget_cents,
               "notes": notes}, filename="plan.run.json")
    return StaffingOutputs(out, files, plan, notes)
