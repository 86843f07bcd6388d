"""LAUSD's own published SENI files: read the district's layout and audit it in one step.

LAUSD publishes its Student Equity Need Index (SENI) as one row per school: a 7-digit ``CDS Code``
(the school part of the 14-digit CDS code; LAUSD's county and district prefix is ``1964733``),
``SENI Score <year>``, ``SENI Rank for <year> Allocation``, a quintile written like
``1 - HIGHEST``, ``SENI Total Allocation Dollars``, ``Total Enrollment <year>`` and every indicator
with its vintage in the header (``Chronic Absenteeism 2017-18``). Cells ``NA``, ``N/A``, ``*``,
``--`` or blank are missing; some files start with a UTF-8 byte-order mark.

:func:`audit_seni_file` answers the three questions a coalition analyst asks of that file:
how many schools are in each quintile, whether the dollars per pupil are one rate within each
quintile or follow the score, and which weights on the indicators reproduce the score.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equitable.errors import InputError, location

__all__ = ["SeniAudit", "audit_seni_file", "is_lausd_seni_file", "read_lausd_seni"]

#: County + district part of every LAUSD CDS code (county 19, district 64733).
LAUSD_PREFIX = "1964733"
QUINTILE_LABELS = ("HIGHEST", "HIGH", "MODERATE", "LOW", "LOWEST")

_SCORE = re.compile(r"^SENI Score\s+(?P<year>.+)$", re.IGNORECASE)
_RANK = re.compile(r"^SENI Rank for\s+(?P<year>.+?)\s+Allocation$", re.IGNORECASE)
_ENROLL = re.compile(r"^Total Enrollment\s+(?P<year>.+)$", re.IGNORECASE)
_ALLOC = re.compile(r"^SENI Total Allocation Dollars$", re.IGNORECASE)
_QUINTILE = re.compile(r"quintile", re.IGNORECASE)
_VINTAGE = re.compile(r"(?:19|20)\d{2}")
_QVALUE = re.compile(r"^([1-5])(?:\s*-\s*([A-Za-z]+))?$")


@dataclass
class SeniFile:
    """A LAUSD SENI file read into standard columns.

    Attributes
    ----------
    table : one row per school: ``cds_code`` (14 digits), ``score``, ``rank`` (Int64),
        ``quintile`` (Int64 1-5, 1 = highest need), ``allocation_dollars``, ``enrollment``
        (Int64), then one float column per indicator under its header as published.
    indicators : the indicator headers (those with a vintage year, in file order).
    columns : role -> the header as published (``cds``, ``score``, ``rank``, ``quintile``,
        ``allocation``, ``enrollment``).
    ignored : headers that are neither a role nor an indicator (names, local district...).
    source : the file; ``first_line`` the line of the first school (header = line 1).
    notes : what the reader changed (school codes that lost their leading zeros and were
        padded), printed and kept in run.json.
    """

    table: pd.DataFrame
    indicators: list[str]
    columns: dict[str, str]
    ignored: list[str]
    source: str
    first_line: int = 2
    notes: list[str] = field(default_factory=list)


def is_lausd_seni_file(path: str | Path) -> bool:
    """True when the file's header has a ``SENI Score <year>`` column (LAUSD's layout)."""
    try:
        from equitable.data._common import read_delimited

        table = read_delimited(path)
    except InputError:
        return False
    return any(_SCORE.match(c) for c in table.frame.columns)


def _one(table, pattern: re.Pattern, what: str, required: bool = True) -> str | None:
    found = [c for c in table.frame.columns if pattern.search(c)]
    if len(found) > 1:
        raise InputError(f"{table.label}: {len(found)} columns look like the {what} "
                         f"({', '.join(repr(c) for c in found)}); keep one")
    if not found:
        if required:
            raise InputError(f"{table.label}: no {what} column (LAUSD's SENI layout; "
                             "docs/sensitivity.md)")
        return None
    return found[0]


def read_lausd_seni(path: str | Path) -> SeniFile:
    """Read LAUSD's published SENI file (CSV, tab-delimited text or XLSX).

    Parameters
    ----------
    path : the file as downloaded (a UTF-8 byte-order mark is dropped).

    Returns
    -------
    SeniFile

    Raises
    ------
    InputError
        A missing ``CDS Code`` or ``SENI Score`` column, a CDS code that is not a 7-digit school
        code (or a 14-digit code starting ``1964733``), a duplicate school, a cell that is not a
        number, a negative enrollment or allocation, a rank below 1, a quintile that is not 1-5
        or whose word disagrees with its number (``2 - LOWEST``): the message names the file, the
        row (header = line 1) and the column.
    """
    from equitable.data._common import parse_number, read_delimited

    table = read_delimited(path)
    cols = {c.lower(): c for c in table.frame.columns}
    if "cds code" not in cols:
        from equitable.data._common import require_columns

        require_columns(table, ["CDS Code"])
    roles = {"cds": cols["cds code"]}
    roles["score"] = _one(table, _SCORE, "'SENI Score <year>'")
    for role, pat, what in (("rank", _RANK, "'SENI Rank for <year> Allocation'"),
                            ("quintile", _QUINTILE, "quintile"),
                            ("allocation", _ALLOC, "'SENI Total Allocation Dollars'"),
                            ("enrollment", _ENROLL, "'Total Enrollment <year>'")):
        c = _one(table, pat, what, required=False)
        if c is not None:
            roles[role] = c
    used = set(roles.values())
    # an indicator has its vintage in the header; other SENI outputs (``SENI Per Pupil ...``) are not
    indicators = [c for c in table.frame.columns if c not in used and _VINTAGE.search(c)
                  and not c.upper().startswith("SENI ")]
    ignored = [c for c in table.frame.columns if c not in used and c not in indicators]
    n = len(table.frame)
    out: dict[str, Any] = {"cds_code": _cds(table, roles["cds"])}
    notes = [n for n in table.notes if n]
    out["score"] = parse_number(table, roles["score"])
    if "rank" in roles:
        out["rank"] = parse_number(table, roles["rank"], integer=True)
        _at_least(table, roles["rank"], out["rank"], 1, "a rank starts at 1")
    else:
        out["rank"] = pd.Series(pd.NA, index=table.frame.index, dtype="Int64")
    out["quintile"] = (_quintiles(table, roles["quintile"]) if "quintile" in roles
                       else pd.Series(pd.NA, index=table.frame.index, dtype="Int64"))
    if "allocation" in roles:
        c = roles["allocation"]
        table.frame[c] = table.frame[c].astype(str).str.replace("$", "", regex=False).str.strip()
        out["allocation_dollars"] = parse_number(table, c)
        _at_least(table, c, out["allocation_dollars"], 0, "an allocation cannot be negative")
    else:
        out["allocation_dollars"] = pd.Series(np.nan, index=table.frame.index)
    if "enrollment" in roles:
        out["enrollment"] = parse_number(table, roles["enrollment"], integer=True)
        _at_least(table, roles["enrollment"], out["enrollment"], 0,
                  "an enrollment cannot be negative")
    else:
        out["enrollment"] = pd.Series(pd.NA, index=table.frame.index, dtype="Int64")
    for c in indicators:
        out[c] = parse_number(table, c)
    df = pd.DataFrame(out, index=range(n))
    dup = df["cds_code"].duplicated(keep="first")
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((df["cds_code"] == df["cds_code"].iloc[pos]).to_numpy())[0])
        raise InputError(f"{location(table.label, table.line(pos), roles['cds'])}: duplicate "
                         f"school '{df['cds_code'].iloc[pos]}' (same as row {table.line(first)})")
    return SeniFile(df, indicators, roles, ignored, table.label, table.first_line, notes)


def _cds(table, column: str) -> pd.Series:
    """The 14-digit CDS code of each school, by the one id rule of :mod:`equitable.ids`: a
    7-digit school code (LAUSD's prefix ``1964733`` added) or a 14-digit CDS code starting with
    it. A school code that lost its leading zeros is padded, noted in ``table.notes``; scientific
    notation and anything else are errors naming the row."""
    from equitable.ids import (
        CDS_CODE,
        SCHOOL_CODE,
        lost_zeros_mask,
        normalize,
        restore_note,
        scientific_mask,
        valid_mask,
    )

    raw = table.frame[column].astype(str).str.strip()
    if scientific_mask(raw).any():  # the one message for ids a spreadsheet saved as numbers
        normalize(raw, SCHOOL_CODE, label=table.label, column=column,
                  first_line=table.first_line)
    full = valid_mask(raw, CDS_CODE) & raw.str.startswith(LAUSD_PREFIX).to_numpy(dtype=bool)
    lost = lost_zeros_mask(raw, SCHOOL_CODE)
    bad = ~(full | valid_mask(raw, SCHOOL_CODE) | lost)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        more = int(bad.sum()) - 1
        extra = f" ({more} more in this column)" if more else ""
        raise InputError(
            f"{location(table.label, table.line(pos), column)}: '{raw.iloc[pos] or '(blank)'}' is "
            f"not a 7-digit LAUSD school code (or a 14-digit CDS code starting {LAUSD_PREFIX})"
            f"{extra}")
    table.notes.append(restore_note(table.path.name, column, int(lost.sum()), SCHOOL_CODE))
    return raw.where(full, LAUSD_PREFIX + raw.str.zfill(SCHOOL_CODE.width)).astype("string")


def _at_least(table, column: str, values: pd.Series, low: float, why: str) -> None:
    bad = (values.astype("float64") < low).fillna(False)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{location(table.label, table.line(pos), column)}: "
                         f"'{table.frame[column].iloc[pos]}': {why}")


def _quintiles(table, column: str) -> pd.Series:
    from equitable.data._common import MISSING_MARKS

    raw = table.frame[column].astype(str).str.strip()
    out = pd.Series(pd.NA, index=table.frame.index, dtype="Int64")
    for pos, v in enumerate(raw.tolist()):
        if v in MISSING_MARKS:
            continue
        m = _QVALUE.match(v)
        word = (m.group(2) or "").upper() if m else ""
        if not m or (word and word not in QUINTILE_LABELS):
            raise InputError(f"{location(table.label, table.line(pos), column)}: '{v}' is not a "
                             "quintile (1 - HIGHEST, 2 - HIGH, 3 - MODERATE, 4 - LOW, 5 - LOWEST)")
        k = int(m.group(1))
        if word and QUINTILE_LABELS[k - 1] != word:
            raise InputError(f"{location(table.label, table.line(pos), column)}: '{v}': quintile "
                             f"{k} is {QUINTILE_LABELS[k - 1]}, not {word}")
        out.iloc[pos] = k
    return out


# --------------------------------------------------------------------------------------------
# the audit
# --------------------------------------------------------------------------------------------


@dataclass
class SeniAudit:
    """The outcome of :func:`audit_seni_file`.

    Attributes
    ----------
    quintiles : one row per quintile (1 = highest need): ``quintile``, ``label``, ``schools``,
        ``enrollment``, ``allocation_dollars``, ``score_min``, ``score_max``,
        ``per_pupil_min``, ``per_pupil_median``, ``per_pupil_max`` (dollars), ``rate_per_pupil``
        (the one rate most schools of the quintile are paid at, within the rounding of the
        published dollars), ``schools_at_rate``, ``constant`` (every school with students is
        paid that rate).
    money : ``verdict`` (``constant within each quintile``, ``follows the score``, ``neither``,
        or ``not checked``), ``slope``, ``intercept``, ``r2`` of dollars per pupil = intercept +
        slope x score, ``rounding`` (the unit of the published dollars), ``schools``.
    weights : one row per indicator: ``indicator``, ``direction`` (``higher_is_more_need`` when
        it rises with the score), ``weight`` (on the best fit's normalisation), ``share``.
    fits : one row per normalisation: ``candidate``, ``r2``, ``max_abs_error``,
        ``schools_fitted``, best first.
    summary : counts and settings (for run.json).
    """

    source: str
    quintiles: pd.DataFrame
    money: dict[str, Any]
    weights: pd.DataFrame
    fits: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def to_text(self) -> str:
        """A plain-text report for the terminal."""
        s = self.summary
        lines = [(f"Audit of LAUSD's published SENI file {self.source}: {s['schools']:,} schools "
                 f"({s['indicators']} indicators; score column '{s['score_column']}')")]
        lines.append("Quintiles (1 = highest need): schools, students, dollars, dollars per pupil:")
        for _, r in self.quintiles.iterrows():
            pp = ("-" if not r["schools"] or pd.isna(r["per_pupil_min"]) else
                  f"${r['per_pupil_min']:,.2f} to ${r['per_pupil_max']:,.2f}"
                  + (" (constant)" if r["constant"] else ""))
            lines.append(f"  {int(r['quintile'])} - {r['label']:<9} {int(r['schools']):>5,} schools "
                         f"{int(r['enrollment']):>9,} students  ${r['allocation_dollars']:>15,.2f}  {pp}")
        if s["no_quintile"]:
            lines.append(f"  no quintile: {s['no_quintile']:,} schools")
        m = self.money
        if m["verdict"] == "constant within each quintile":
            lines.append("Dollars per pupil: constant within each quintile (every school within "
                         f"${m['rounding']:g} of rate x enrollment).")
        elif m["verdict"] == "not checked":
            lines.append("Dollars per pupil: not checked (no allocation, enrollment or quintile "
                         "column).")
        else:
            fit = (f"per pupil = {m['intercept']:,.2f} + {m['slope']:,.4f} x score, "
                   f"R^2 = {m['r2']:.4f} over {m['schools']:,} schools")
            varied = ", ".join(str(int(q)) for q in self.quintiles.loc[
                ~self.quintiles["constant"] & (self.quintiles["schools"] > 0), "quintile"])
            if m["verdict"] == "follows the score":
                lines.append(f"Dollars per pupil: vary within quintile(s) {varied} and follow the "
                             f"score ({fit}).")
            else:
                lines.append(f"Dollars per pupil: vary within quintile(s) {varied} and do not "
                             f"follow the score linearly ({fit}).")
        if m["verdict"] != "not checked" and s["not_in_per_pupil_check"]:
            lines.append(f"  {s['not_in_per_pupil_check']:,} school(s) with a quintile but no allocation "
                         "or no enrolled students are not in the per-pupil check"
                         + (f"; {s['paid_without_students']:,} of them are paid with 0 students"
                            if s["paid_without_students"] else "") + ".")
        if s["quintile_overlaps"]:
            lines.append(f"Quintiles and scores: {s['quintile_overlaps']} adjacent quintile(s) "
                         "overlap in score (a school's quintile does not follow its score).")
        elif s["quintiles_checked"]:
            lines.append("Quintiles and scores: every quintile's scores lie above the next one's.")
        if len(self.fits):
            b = self.fits.iloc[0]
            lines.append(f"Recovered weights (best fit: {b['candidate']}, R^2 = {b['r2']:.6f}, "
                         f"max abs error {b['max_abs_error']:.4g}, {int(b['schools_fitted']):,} "
                         "schools with every indicator):")
            for _, r in self.weights.iterrows():
                arrow = "+" if r["direction"] == "higher_is_more_need" else "-"
                lines.append(f"  {arrow} {r['indicator']:<40} {r['weight']:.6g}  ({r['share']:.1%})")
            lines.append("  (+ = higher value, more need; - = lower value, more need)")
        else:
            lines.append("Recovered weights: none (the file has no indicator columns with a "
                         "year in the header).")
        lines += [f"Note: {n}" for n in s.get("input_notes", [])]
        return "\n".join(lines) + "\n"

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``quintiles.csv``, ``weights.csv`` and ``fits.csv`` into ``out_dir``."""
        from equitable.files import write_table

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        return [write_table(self.quintiles, out / "quintiles.csv"),
                write_table(self.weights, out / "weights.csv"),
                write_table(self.fits, out / "fits.csv")]


def _normalise(x: np.ndarray, kind: str) -> np.ndarray:
    from equitable.index import _methods as M

    if kind == "percentile":
        return M.percentile_rank(x, form="svi", ties="min", scale=100.0)[0]
    ok = np.isfinite(x)
    out = np.full(x.shape, np.nan)
    if kind == "zscore":
        sd = float(np.std(x[ok], ddof=1)) if ok.sum() > 1 else 0.0
        out[ok] = (x[ok] - x[ok].mean()) / sd if sd > 0 else 0.0
    elif kind == "minmax":
        lo, hi = float(x[ok].min()), float(x[ok].max())
        out[ok] = (x[ok] - lo) / (hi - lo) if hi > lo else 0.0
    else:  # raw
        out = x.astype(np.float64)
    return out


def _fit_weights(table: pd.DataFrame, indicators: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """NNLS of the score on the oriented, normalised indicators plus a free intercept."""
    from scipy.optimize import nnls

    y = table["score"].to_numpy(dtype=np.float64)
    raw = {c: table[c].to_numpy(dtype=np.float64) for c in indicators}
    # orientation: an indicator enters as is when it rises with the score (Spearman), else reversed
    direction = {}
    for c in indicators:
        ok = np.isfinite(raw[c]) & np.isfinite(y)
        rho = pd.Series(raw[c][ok]).corr(pd.Series(y[ok]), method="spearman") if ok.sum() > 2 else 0.0
        direction[c] = "lower_is_more_need" if (rho is not None and rho < 0) else "higher_is_more_need"
    fits, weights = [], {}
    for kind in ("percentile", "zscore", "minmax", "raw"):
        cols = []
        for c in indicators:
            v = raw[c] if direction[c] == "higher_is_more_need" else -raw[c]
            cols.append(_normalise(v, kind))
        X = np.column_stack(cols) if cols else np.empty((len(y), 0))
        ok = np.isfinite(X).all(axis=1) & np.isfinite(y)
        if ok.sum() <= len(indicators) + 1:
            raise InputError(f"{table.attrs.get('source', '<file>')}: only {int(ok.sum())} schools "
                             f"have the score and every indicator; the fit needs more than "
                             f"{len(indicators) + 1}")
        A = np.column_stack([X[ok], np.ones(ok.sum()), -np.ones(ok.sum())])
        w, _ = nnls(A, y[ok], maxiter=50 * A.shape[1])
        resid = y[ok] - A @ w
        sst = float(((y[ok] - y[ok].mean()) ** 2).sum())
        r2 = 1.0 - float((resid ** 2).sum()) / sst if sst > 0 else 1.0
        fits.append({"candidate": kind, "r2": r2, "max_abs_error": float(np.abs(resid).max()),
                     "intercept": float(w[-2] - w[-1]), "schools_fitted": int(ok.sum())})
        weights[kind] = w[: len(indicators)]
    fit_df = pd.DataFrame(fits)
    fit_df["_o"] = range(len(fit_df))
    fit_df = fit_df.sort_values(["r2", "_o"], ascending=[False, True], kind="mergesort")
    fit_df = fit_df.drop(columns="_o").reset_index(drop=True)
    wb = weights[str(fit_df.iloc[0]["candidate"])]
    tot = float(wb.sum())
    wdf = pd.DataFrame({"indicator": indicators, "direction": [direction[c] for c in indicators],
                        "weight": wb, "share": wb / tot if tot > 0 else np.zeros_like(wb)})
    return fit_df, wdf


def _max_coverage(lo: np.ndarray, hi: np.ndarray) -> tuple[float, int]:
    from equitable.index._audit import _max_coverage_rate

    return _max_coverage_rate(lo, hi)


def audit_seni_file(path: str | Path, *, follow_r2: float = 0.99) -> SeniAudit:
    """Audit LAUSD's published SENI file: quintile counts, the per-pupil rule, the weights.

    Parameters
    ----------
    path : the file as LAUSD publishes it (see :func:`read_lausd_seni`).
    follow_r2 : when the dollars per pupil vary within a quintile, they "follow the score" when
        the straight line per pupil = a + b x score explains at least this share of their
        variance (R^2; default 0.99).

    Returns
    -------
    SeniAudit

    Raises
    ------
    InputError
        The file is malformed (see :func:`read_lausd_seni`), or fewer schools have the score and
        every indicator than the fit needs.

    Notes
    -----
    Per-pupil rule: a quintile pays one rate when every school's allocation is within one unit
    of the published rounding (a cent, or a dollar when every amount is whole dollars) of
    rate x enrollment; the rate is the value consistent with the most schools, as in
    :func:`equitable.index.audit_published`. Weights: the indicators are oriented by the sign of
    their Spearman correlation with the score, normalised (percentile rank (rank - 1) / (N - 1)
    x 100 with ties at the lowest rank, z-score, min-max, raw) and fitted by non-negative least
    squares with a free intercept (Lawson & Hanson 1974, *Solving Least Squares Problems*,
    ch. 23; ``scipy.optimize.nnls``); the fit with the highest R^2 is reported.
    """
    f = read_lausd_seni(path)
    t = f.table
    t.attrs["source"] = f.source
    score = t["score"].to_numpy(dtype=np.float64)
    q = t["quintile"].astype("float64").to_numpy()
    alloc = t["allocation_dollars"].to_numpy(dtype=np.float64)
    enr = t["enrollment"].astype("float64").to_numpy()
    whole = np.isfinite(alloc).any() and bool(np.all(alloc[np.isfinite(alloc)] == np.round(alloc[np.isfinite(alloc)])))
    unit = 1.0 if whole else 0.01
    tol = unit * (1 + 1e-9)
    rows = []
    money_ok = np.isfinite(alloc).any() and np.isfinite(enr).any() and np.isfinite(q).any()
    for k in range(1, 6):
        sel = q == k
        paid = sel & np.isfinite(alloc) & np.isfinite(enr) & (enr > 0)
        pp = alloc[paid] / enr[paid]
        rate, cover = (_max_coverage((alloc[paid] - tol) / enr[paid], (alloc[paid] + tol) / enr[paid])
                       if paid.any() else (math.nan, 0))
        rows.append({
            "quintile": k, "label": QUINTILE_LABELS[k - 1], "schools": int(sel.sum()),
            "enrollment": int(np.nansum(enr[sel])), "allocation_dollars": round(float(np.nansum(alloc[sel])), 2),
            "score_min": float(np.nanmin(score[sel])) if np.isfinite(score[sel]).any() else math.nan,
            "score_max": float(np.nanmax(score[sel])) if np.isfinite(score[sel]).any() else math.nan,
            "per_pupil_min": round(float(pp.min()), 2) if pp.size else math.nan,
            "per_pupil_median": round(float(np.median(pp)), 2) if pp.size else math.nan,
            "per_pupil_max": round(float(pp.max()), 2) if pp.size else math.nan,
            "rate_per_pupil": round(rate, 6) if math.isfinite(rate) else math.nan,
            "schools_at_rate": cover,
            "constant": bool(paid.any() and cover == int(paid.sum())),
        })
    quint = pd.DataFrame(rows)
    money: dict[str, Any] = {"verdict": "not checked", "rounding": unit}
    if money_ok:
        paid = np.isfinite(alloc) & np.isfinite(enr) & (enr > 0) & np.isfinite(score) & np.isfinite(q)
        pp = alloc[paid] / enr[paid]
        x = score[paid]
        if paid.sum() >= 2 and float(np.ptp(x)) > 0:
            slope, intercept = np.polyfit(x, pp, 1)
            resid = pp - (intercept + slope * x)
            sst = float(((pp - pp.mean()) ** 2).sum())
            r2 = 1.0 - float((resid ** 2).sum()) / sst if sst > 0 else 1.0
        else:
            slope, intercept, r2 = 0.0, float(pp.mean()) if pp.size else math.nan, math.nan
        used = quint[quint["schools"] > 0]
        if len(used) and bool(used["constant"].all()):
            verdict = "constant within each quintile"
        elif math.isfinite(r2) and r2 >= follow_r2:
            verdict = "follows the score"
        else:
            verdict = "neither"
        money.update({"verdict": verdict, "slope": float(slope), "intercept": float(intercept),
                      "r2": float(r2), "schools": int(paid.sum())})
    # do the quintiles follow the score? (higher score = higher need when quintile 1's median
    # score is above quintile 5's)
    present = quint[(quint["schools"] > 0) & quint["score_min"].notna()]
    overlaps = 0
    checked = len(present) >= 2
    if checked:
        med = {k: float(np.nanmedian(score[q == k])) for k in present["quintile"]}
        high_is_need = med[min(med)] >= med[max(med)]
        ks = sorted(med)
        for a, b in itertools.pairwise(ks):
            ra, rb = present.set_index("quintile").loc[a], present.set_index("quintile").loc[b]
            if high_is_need and ra["score_min"] < rb["score_max"]:
                overlaps += 1
            if not high_is_need and ra["score_max"] > rb["score_min"]:
                overlaps += 1
    in_q = np.isfinite(q)
    no_money = int((in_q & ~(np.isfinite(alloc) & np.isfinite(enr) & (enr > 0))).sum())
    paid_no_students = int((in_q & np.isfinite(alloc) & (alloc > 0) & (enr == 0)).sum())
    if f.indicators:
        fits, weights = _fit_weights(t, f.indicators)
    else:
        fits = pd.DataFrame(columns=["candidate", "r2", "max_abs_error", "intercept", "schools_fitted"])
        weights = pd.DataFrame(columns=["indicator", "direction", "weight", "share"])
    summary = {"schools": len(t), "indicators": len(f.indicators),
               "score_column": f.columns["score"], "columns": f.columns, "ignored_columns": f.ignored,
               "no_quintile": int((~np.isfinite(q)).sum()), "quintile_counts":
               {int(r.quintile): int(r.schools) for r in quint.itertuples()},
               "money_verdict": money["verdict"], "quintile_overlaps": overlaps,
               "quintiles_checked": checked,
               "not_in_per_pupil_check": no_money if money_ok else None,
               "paid_without_students": paid_no_students,
               "best_fit": str(fits.iloc[0]["candidate"]) if len(fits) else None}
    if f.notes:  # school codes that lost their leading zeros (equitable.ids)
        summary["input_notes"] = list(f.notes)
    return SeniAudit(f.source, quint, money, weights, fits, summary)
