"""Percent favorable per item and construct, overall and by group, with intervals for small groups.

Definitions
-----------
* An item's **percent favorable** is the (weighted) share of the respondents who answered it
  whose answer is in the scale's ``favorable`` set, times 100.
* A construct's percent favorable is the (weighted) mean, over the respondents who answered at
  least one of its items, of each respondent's share of favorable answers among the construct's
  items they answered (with complete answers this equals the share of favorable responses).
* The **effective sample size** of a cell is Kish's ``(sum w)^2 / sum w^2`` (Kish 1965, *Survey
  Sampling*, 11.7.6); unweighted, it is the number of respondents.
* **Wilson** score interval (Wilson 1927, JASA 22:209-212; Brown, Cai & DasGupta 2001, Stat.
  Sci. 16(2), eq. 4) with ``n`` = the effective sample size.
* **Korn-Graubard** interval (Korn & Graubard 1998, "Confidence intervals for proportions with
  small expected number of positive counts estimated from survey data", Survey Methodology
  24(2):193-201): the Clopper-Pearson interval at ``x = p n_eff`` out of ``n_eff`` (beta
  quantiles), the interval of the NCHS Data Presentation Standards for Proportions (Parker et
  al. 2017, Vital Health Stat 2(175), p. 4). With one stratum and no clusters the degrees-of-
  freedom factor is 1. For constructs (respondent shares in [0, 1], not 0/1 answers) both
  intervals are conservative, since the variance of a share never exceeds ``p (1 - p)``.

Every table leaves through :func:`equitable.privacy.suppress_table`: a cell describing 10 or
fewer respondents shows ``*``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from equitable.errors import InputError
from equitable.privacy import DEFAULT_THRESHOLD, PrivacyConfig, protect_long, suppress_table
from equitable.voice._instrument import Instrument
from equitable.voice._readers import SurveyData

__all__ = [
    "estimate",
    "favorable_matrix",
    "korn_graubard_interval",
    "published_tables",
    "representation",
    "response_rates",
    "wilson_interval",
]

_OVERALL = "all"
_NOT_REPORTED = "not reported"


def wilson_interval(p, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``p`` (0-1) on ``n`` (effective) observations.

    Vectorized over arrays. Returns ``(low, high)`` as proportions (0-1); NaN where ``n == 0``.

    Examples
    --------
    >>> lo, hi = wilson_interval(0.5, 20)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.2993, 0.7007)
    """
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + z**2 / n
        center = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        lo, hi = np.clip(center - half, 0, 1), np.clip(center + half, 0, 1)
    return np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)


def korn_graubard_interval(p, n_eff, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Korn-Graubard (Clopper-Pearson at the effective sample size) interval, as proportions.

    Examples
    --------
    >>> lo, hi = korn_graubard_interval(0.0, 10)     # 1 - 0.025 ** (1 / 10) = 0.3085
    >>> float(lo), round(float(hi), 4)
    (0.0, 0.3085)
    """
    p = np.asarray(p, dtype=float)
    n = np.asarray(n_eff, dtype=float)
    a = 1 - level
    x = p * n
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(x > 0, stats.beta.ppf(a / 2, np.maximum(x, 1e-12), n - x + 1), 0.0)
        hi = np.where(n - x > 0, stats.beta.ppf(1 - a / 2, x + 1, np.maximum(n - x, 1e-12)), 1.0)
    return np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)


def favorable_matrix(data: SurveyData, instrument: Instrument) -> pd.DataFrame:
    """Respondents x measures: 1/0 per scored item, a share in [0, 1] per construct, NaN if
    unanswered. Index: ``respondent_id`` in respondent-table order; columns ``item:<id>`` and
    ``construct:<id>``."""
    rid = data.respondents["respondent_id"].to_numpy()
    items = instrument.scored_items()
    r_index = pd.Index(rid)
    i_index = pd.Index(items)
    resp = data.responses
    # factorize first (one hash pass over the long table), then look up the few distinct keys
    rcodes, runiq = pd.factorize(resp["respondent_id"])
    r = r_index.get_indexer(runiq)[rcodes] if len(runiq) else np.zeros(0, dtype=np.int64)
    icodes, iuniq = pd.factorize(resp["item"])
    c = i_index.get_indexer(iuniq)[icodes] if len(iuniq) else np.zeros(0, dtype=np.int64)
    keep = (r >= 0) & (c >= 0)
    mat = np.full((len(rid), len(items)), np.nan)
    if keep.any():
        fav_sets = {i: set(instrument.scale_of(instrument.item_map[i]).favorable)
                    for i in items}
        # favorable flag per (item, answer code): a small item x distinct-answer table
        rc, ur = pd.factorize(resp["response"].to_numpy()[keep])
        table = np.array([[u in fav_sets[i] for u in ur] for i in items], dtype=float)
        mat[r[keep], c[keep]] = table[c[keep], rc]
    cols = {f"item:{i}": mat[:, k] for k, i in enumerate(items)}
    for cid, its in instrument.construct_items().items():
        if not its:
            continue
        sub = mat[:, [items.index(i) for i in its]]
        answered = (~np.isnan(sub)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            share = np.nansum(sub, axis=1) / np.where(answered > 0, answered, 1)
        cols[f"construct:{cid}"] = np.where(answered > 0, share, np.nan)
    return pd.DataFrame(cols, index=pd.Index(rid, name="respondent_id"))


def _group_codes(respondents: pd.DataFrame, var: str,
                 listed: Iterable[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    if var not in respondents.columns:
        raise InputError(f"cannot break results down by '{var}': the respondent table has no "
                         f"such column (has: {', '.join(respondents.columns)})")
    vals = respondents[var].fillna("").astype(str).replace("", _NOT_REPORTED)
    cats = sorted(set(vals) | {str(g) for g in listed})
    codes = pd.Categorical(vals, categories=cats).codes.astype(np.int64)
    return codes, np.asarray(cats, dtype=object)


def estimate(
    data: SurveyData,
    instrument: Instrument,
    *,
    by: Sequence[str] = (),
    weights: np.ndarray | pd.Series | str | None = None,
    level: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    complementary: bool = True,
    matrix: pd.DataFrame | None = None,
    groups: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Percent favorable per item and construct, overall and by each variable in ``by``.

    Parameters
    ----------
    data : the survey (responses + respondents).
    instrument : its instrument.
    by : respondent-table columns to break results down by (e.g. ``school``,
        ``student_group``, ``language``); each gives its own block of rows.
    weights : respondent weights (array aligned with ``data.respondents``, or the name of a
        respondent-table column). When given, every cell is estimated both unweighted and
        weighted (column ``weighted``).
    level : confidence level of the intervals.
    threshold : cells of ``threshold`` or fewer respondents are suppressed (privacy).
    complementary : also suppress the other groups needed so that a hidden group's count
        cannot be recovered from the overall row by subtraction (default; through
        :func:`equitable.privacy.protect_long`). ``False`` gives primary suppression only.
    matrix : the :func:`favorable_matrix` of ``data``, when already computed.
    groups : for a breakdown in ``by``, every group to list even without respondents (e.g.
        ``{"school": enrolled CDS codes}``, as :func:`response_rates` lists them). A group with
        0 respondents for a measure is a row with count 0, suppressed like any group of 10 or
        fewer (CDE suppresses zeros), so it is never "the overall row minus the groups shown".

    Returns
    -------
    DataFrame, one row per (breakdown, group, measure, weighted), sorted, with columns
    ``breakdown, group, measure_type, measure, weighted, respondents, effective_n,
    pct_favorable, wilson_low_pct, wilson_high_pct, kg_low_pct, kg_high_pct`` (percent 0-100).
    Suppressed cells hold ``*`` (object columns).
    """
    out, values = _estimate_raw(data, instrument, by=by, weights=weights, level=level,
                                matrix=matrix, groups=groups)
    if not complementary:
        return suppress_table(out, "respondents", values, threshold=threshold)
    return _protect(out, values, threshold)


def _estimate_raw(data: SurveyData, instrument: Instrument, *, by: Sequence[str], weights,
                  level: float, matrix: pd.DataFrame | None,
                  groups: Mapping[str, Iterable[str]] | None) -> tuple[pd.DataFrame, list[str]]:
    """The rows of :func:`estimate` before suppression, and the columns to withhold."""
    resp = data.respondents
    n = len(resp)
    mat = favorable_matrix(data, instrument) if matrix is None else matrix
    if isinstance(weights, str):
        w = pd.to_numeric(resp[weights], errors="coerce").to_numpy(float)
    elif weights is not None:
        w = np.asarray(weights, dtype=float)
    else:
        w = None
    if w is not None and (len(w) != n or not np.all(np.isfinite(w)) or (w <= 0).any()):
        raise InputError("weights must be positive numbers, one per respondent")
    variants = [(False, np.ones(n))] + ([(True, w)] if w is not None else [])
    Y = mat.to_numpy(float)
    measures = list(mat.columns)
    blocks = []
    breakdowns = [(_OVERALL, np.zeros(n, dtype=np.int64), np.array([_OVERALL], dtype=object))]
    groups = dict(groups or {})
    extra = sorted(set(groups) - set(by))
    if extra:
        raise InputError(f"groups given for '{extra[0]}', which is not a breakdown in by")
    for v in by:
        codes, uniq = _group_codes(resp, v, groups.get(v, ()))
        breakdowns.append((v, codes, uniq))
    for name, codes, uniq in breakdowns:
        G = len(uniq)
        for weighted, wv in variants:
            for j, m in enumerate(measures):
                y = Y[:, j]
                a = ~np.isnan(y)
                g = codes[a]
                wa = wv[a]
                cnt = np.bincount(g, minlength=G)
                sw = np.bincount(g, weights=wa, minlength=G)
                sw2 = np.bincount(g, weights=wa * wa, minlength=G)
                swy = np.bincount(g, weights=wa * y[a], minlength=G)
                with np.errstate(invalid="ignore", divide="ignore"):
                    p = swy / sw
                    neff = sw * sw / sw2
                kind, mid = m.split(":", 1)
                blocks.append(pd.DataFrame({
                    "breakdown": name, "group": uniq, "measure_type": kind, "measure": mid,
                    "weighted": weighted, "respondents": cnt, "effective_n": neff, "p": p,
                }))
    # every group of a breakdown has a row for every measure, 0 respondents included (it is
    # suppressed below): dropping it would publish the 0 as overall minus the groups shown.
    # Only a measure nobody answered is left out altogether.
    out = pd.concat(blocks, ignore_index=True)
    answered_by = Y.shape[0] - np.isnan(Y).sum(axis=0)
    none = {m for m, k in zip(measures, answered_by) if k == 0}
    if none:
        out = out[~(out["measure_type"] + ":" + out["measure"]).isin(none)]
    out = out.reset_index(drop=True)
    p = out["p"].to_numpy(float)
    ne = out["effective_n"].to_numpy(float)
    wl, wh = wilson_interval(p, ne, level)
    kl, kh = korn_graubard_interval(p, ne, level)
    out["pct_favorable"] = 100 * p
    out["wilson_low_pct"], out["wilson_high_pct"] = 100 * wl, 100 * wh
    out["kg_low_pct"], out["kg_high_pct"] = 100 * kl, 100 * kh
    out = out.drop(columns="p")
    # fixed precision so that the same inputs give the same bytes on every machine
    out["effective_n"] = out["effective_n"].round(3)
    for c in ("pct_favorable", "wilson_low_pct", "wilson_high_pct", "kg_low_pct", "kg_high_pct"):
        out[c] = out[c].round(4)
    order = {b[0]: k for k, b in enumerate(breakdowns)}
    mord = {m.split(":", 1)[1] + m.split(":", 1)[0]: k for k, m in enumerate(measures)}
    out = out.assign(_b=out["breakdown"].map(order),
                     _m=(out["measure"] + out["measure_type"]).map(mord))
    out = out.sort_values(["_b", "group", "_m", "weighted"], kind="stable").drop(
        columns=["_b", "_m"]).reset_index(drop=True)
    values = ["respondents", "effective_n", "pct_favorable", "wilson_low_pct",
              "wilson_high_pct", "kg_low_pct", "kg_high_pct"]
    return out, values


def _protect(out: pd.DataFrame, values: list[str], threshold: int) -> pd.DataFrame:
    """Primary and complementary suppression, one breakdown at a time.

    Within a breakdown the groups partition the respondents who answered a measure, so their
    counts add up to the overall row: :func:`equitable.privacy.protect_long` suppresses enough
    other groups that a hidden count cannot be recovered by subtraction. The weighted row of a
    group is withheld with its unweighted row (same respondents).
    """
    cfg = PrivacyConfig(threshold=threshold)
    hide = _hidden_rows(out, threshold)
    res = out.copy()
    for c in values:
        res[c] = res[c].astype(object)
        res.loc[hide, c] = cfg.marker
    return res


def _hidden_rows(out: pd.DataFrame, threshold: int,
                 extra: Mapping[str, set[str]] | None = None) -> np.ndarray:
    """The rows :func:`_protect` withholds; ``extra``: per breakdown, groups to withhold for
    every measure whatever their count (protected like the small groups)."""
    cfg = PrivacyConfig(threshold=threshold)
    hide = np.zeros(len(out), dtype=bool)
    key = out["measure_type"] + ":" + out["measure"]
    unw = ~out["weighted"].to_numpy(bool)
    overall = (out["breakdown"] == _OVERALL).to_numpy()
    hide |= overall & (out["respondents"].to_numpy() <= threshold)
    for b in out.loc[~overall, "breakdown"].unique():
        in_b = (out["breakdown"] == b).to_numpy()
        sel = (in_b | overall) & unw
        part = pd.DataFrame({"measure": key[sel].to_numpy(),
                             "group": out.loc[sel, "group"].to_numpy(),
                             "respondents": out.loc[sel, "respondents"].to_numpy()})
        part.loc[overall[sel], "group"] = "__total__"
        more = None
        if extra and extra.get(b):
            more = (part["group"].astype(str).isin(extra[b]).to_numpy() & ~overall[sel])
        prot = protect_long(part, count_col="respondents", value_cols=["respondents"],
                            group_cols=["measure", "group"], additive=["group"],
                            total_label="__total__", config=cfg, name=f"breakdown {b}",
                            also_suppress=more)
        gone = set(zip(part.loc[prot.suppressed.to_numpy() & ~overall[sel], "measure"],
                       part.loc[prot.suppressed.to_numpy() & ~overall[sel], "group"]))
        if gone:
            pairs = pd.Series(list(zip(key, out["group"])))
            hide |= in_b & pairs.isin(gone).to_numpy()
    return hide


def response_rates(
    respondents: pd.DataFrame,
    enrollment: pd.DataFrame,
    *,
    by: str = "school",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Respondents per group against enrollment (e.g. per school), plus a total row.

    Parameters
    ----------
    respondents : the respondent table (needs column ``by``).
    enrollment : ``category, population`` (a margins table filtered to ``variable == by`` is
        fine) with the number enrolled per group.

    Returns
    -------
    DataFrame ``group, enrolled, respondents, response_rate_pct`` (0-100), groups of
    ``threshold`` or fewer respondents suppressed (primary and complementary, through
    :func:`equitable.privacy.protect_long`); the total row's group is ``all``.

    Raises
    ------
    InputError
        A respondent's group is not in the enrollment table.
    """
    df = _rates_raw(respondents, enrollment, by=by)
    prot = protect_long(df, count_col="respondents", value_cols=["respondents",
                        "response_rate_pct"], group_cols=["group"], total_label=_OVERALL,
                        config=PrivacyConfig(threshold=threshold), name="response rates")
    return prot.table


def _rates_raw(respondents: pd.DataFrame, enrollment: pd.DataFrame, *, by: str
               ) -> pd.DataFrame:
    """The rows of :func:`response_rates` before suppression."""
    if "variable" in enrollment.columns:
        enrollment = enrollment[enrollment["variable"] == by]
    enr = enrollment.set_index(enrollment["category"].astype(str))["population"].astype(float)
    if by not in respondents.columns:
        raise InputError(f"the respondent table has no column '{by}'")
    counts = respondents[by].fillna("").astype(str).value_counts()
    unknown = sorted(set(counts.index) - set(enr.index))
    if unknown:
        raise InputError(f"{int(counts[unknown].sum())} respondents name a {by} that is not in "
                         f"the enrollment table (first: '{unknown[0]}')")
    df = pd.DataFrame({"group": enr.index, "enrolled": enr.to_numpy()})
    df["respondents"] = df["group"].map(counts).fillna(0).astype(int)
    df = df.sort_values("group").reset_index(drop=True)
    total = pd.DataFrame({"group": [_OVERALL], "enrolled": [df["enrolled"].sum()],
                          "respondents": [int(df["respondents"].sum())]})
    df = pd.concat([total, df], ignore_index=True)
    df["response_rate_pct"] = (100 * df["respondents"]
                               / df["enrolled"].where(df["enrolled"] > 0)).round(4)
    return df


def representation(
    respondents: pd.DataFrame,
    margins: pd.DataFrame,
    variables: Sequence[str],
    *,
    weights: np.ndarray | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Who answered vs who is enrolled: shares of respondents and of the population per category.

    Returns
    -------
    DataFrame ``variable, category, population, population_pct, respondents, respondents_pct,
    weighted_pct`` (percent 0-100; ``weighted_pct`` only when ``weights`` is given), with a
    row ``category = "all"`` per variable (every respondent) and, when some respondents have no
    category in the margins (blank answers), a row ``category = "not reported"`` (population
    blank) inside that total -- the group :func:`estimate` calls the same, suppressed by the same
    rule, so that it is never ``all`` minus the shown categories; categories of ``threshold`` or
    fewer respondents suppressed, with complementary suppression.
    """
    df, vals = _representation_raw(respondents, margins, variables, weights=weights)
    prot = protect_long(df, count_col="respondents", value_cols=vals,
                        group_cols=["variable", "category"], additive=["category"],
                        total_label=_OVERALL, config=PrivacyConfig(threshold=threshold),
                        name="representation")
    return prot.table


def _representation_raw(respondents: pd.DataFrame, margins: pd.DataFrame,
                        variables: Sequence[str], *, weights: np.ndarray | None
                        ) -> tuple[pd.DataFrame, list[str]]:
    """The rows of :func:`representation` before suppression, and the columns to withhold."""
    rows = []
    for v in variables:
        m = margins[margins["variable"] == v]
        if m.empty:
            raise InputError(f"no population margin for '{v}'")
        vals = respondents[v].fillna("").astype(str)
        pop_total = float(m["population"].sum())
        for cat, pop in zip(m["category"].astype(str), m["population"].astype(float)):
            sel = (vals == cat).to_numpy()
            row = {"variable": v, "category": cat, "population": pop,
                   "population_pct": round(100 * pop / pop_total, 4),
                   "respondents": int(sel.sum()),
                   "respondents_pct": round(100 * sel.mean(), 4) if len(sel) else np.nan}
            if weights is not None:
                row["weighted_pct"] = round(100 * float(weights[sel].sum() / weights.sum()), 4)
            rows.append(row)
        # respondents without a category in the margins (blank answers, as estimate() groups
        # them): their own row inside the total, so that the all row is every respondent and
        # "not reported" is protected like any group instead of being total - all
        rest = ~vals.isin(set(m["category"].astype(str))).to_numpy()
        if rest.any():
            row = {"variable": v, "category": _NOT_REPORTED, "population": np.nan,
                   "population_pct": np.nan, "respondents": int(rest.sum()),
                   "respondents_pct": round(100 * rest.mean(), 4)}
            if weights is not None:
                row["weighted_pct"] = round(100 * float(weights[rest].sum() / weights.sum()), 4)
            rows.append(row)
        total = {"variable": v, "category": _OVERALL, "population": float(pop_total),
                 "population_pct": 100.0, "respondents": len(respondents),
                 "respondents_pct": 100.0 if len(respondents) else np.nan}
        if weights is not None:
            total["weighted_pct"] = 100.0
        rows.append(total)
    df = pd.DataFrame(rows)
    vals = ["respondents", "respondents_pct"] + (["weighted_pct"] if weights is not None else [])
    return df, vals


def published_tables(
    data: SurveyData,
    instrument: Instrument,
    *,
    by: Sequence[str] = (),
    weights: np.ndarray | None = None,
    level: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    enrollment: pd.DataFrame | None = None,
    rates_by: str = "school",
    margins: pd.DataFrame | None = None,
    represent: Sequence[str] = (),
    matrix: pd.DataFrame | None = None,
    groups: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, pd.DataFrame | None]:
    """The tables one survey run publishes, protected together as one linked set.

    ``estimates`` is :func:`estimate`; ``rates`` :func:`response_rates` by ``rates_by`` (when
    ``enrollment`` is given); ``representation`` :func:`representation` of ``represent`` (when
    ``margins`` is given). Each alone passes the audit; published together they are linked:
    the respondents of a group who answered a measure are part of the group's respondents, so
    ``estimate(measure, g) <= who answered(g)``, and the overall row of a measure is at most
    every respondent. Protected one by one, two tables can hide different complements, and
    subtracting one table's shown cells from the other's margin gives a small group away (9 =
    275 - 110 - 70 - 45 - 26 - at least 15 answered the item).

    Method: the groups withheld are made the same in every linked table (a group hidden in the
    who-answered table, or for one measure, is hidden for every measure and in the who-answered
    table, each table re-protected until nothing changes); then each measure is audited with
    the who-answered table, linked (:func:`equitable.privacy.audit_linked` with the true
    counts). Should an audit fail, the whole set is protected as one system instead
    (:func:`equitable.privacy.protect_linked`, slower on surveys with many small groups).

    Returns
    -------
    dict with ``estimates``, ``rates`` and ``representation`` (None when not asked for).
    """
    est, est_vals = _estimate_raw(data, instrument, by=by, weights=weights, level=level,
                                  matrix=matrix, groups=groups)
    rr = rep = None
    rep_vals: list[str] = []
    if enrollment is not None:
        rr = _rates_raw(data.respondents, enrollment, by=rates_by)
    if margins is not None and len(represent):
        rep, rep_vals = _representation_raw(data.respondents, margins, list(represent),
                                            weights=weights)
    cfg = PrivacyConfig(threshold=threshold)
    hide = _harmonized(est, rr, rates_by, rep, threshold)
    if not _linked_ok(est, rr, rates_by, rep, hide, cfg):
        hide = _linked_hide(est, rr, rates_by, rep, represent, cfg)
    out: dict[str, pd.DataFrame | None] = {"estimates": None, "rates": None,
                                           "representation": None}
    for name, frame, vals in (("estimates", est, est_vals),
                              ("rates", rr, ["respondents", "response_rate_pct"]),
                              ("representation", rep, rep_vals)):
        if frame is None:
            continue
        res = frame.copy()
        for c in vals:
            res[c] = res[c].astype(object)
            res.loc[hide[name], c] = cfg.marker
        out[name] = res
    return out


def _who_tables(rr: pd.DataFrame | None, rates_by: str, rep: pd.DataFrame | None
                ) -> list[tuple[str, str, pd.DataFrame, np.ndarray]]:
    """(variable, source name, its frame, rows) of each who-answered table: one per variable."""
    who: list[tuple[str, str, pd.DataFrame, np.ndarray]] = []
    if rr is not None:
        who.append((rates_by, "rates", rr, np.arange(len(rr))))
    if rep is not None:
        for v in dict.fromkeys(rep["variable"]):
            who.append((v, "representation", rep,
                        np.flatnonzero((rep["variable"] == v).to_numpy())))
    return who


def _harmonized(est: pd.DataFrame, rr: pd.DataFrame | None, rates_by: str,
                rep: pd.DataFrame | None, threshold: int) -> dict[str, np.ndarray]:
    """Withhold the same groups in the estimate and the who-answered tables (fixed point)."""
    cfg = PrivacyConfig(threshold=threshold)
    frames = {"rates": rr, "representation": rep}
    who = _who_tables(rr, rates_by, rep)
    linked_vars = {v for v, _, _, _ in who}
    want: dict[str, set[str]] = {v: set() for v in linked_vars}
    while True:
        hide = {k: np.zeros(len(f), bool) for k, f in frames.items() if f is not None}
        for src, frame in frames.items():
            if frame is None:
                continue
            if src == "rates":
                cats = frame["group"].astype(str)
                more = cats.isin(want.get(rates_by, set())) & (cats != _OVERALL)
                p = protect_long(frame, count_col="respondents", value_cols=["respondents"],
                                 group_cols=["group"], total_label=_OVERALL, config=cfg,
                                 name="response rates", also_suppress=more.to_numpy())
            else:
                cats = frame["category"].astype(str)
                more = np.array([c in want.get(v, set()) and c != _OVERALL
                                 for v, c in zip(frame["variable"], cats)], dtype=bool)
                p = protect_long(frame, count_col="respondents", value_cols=["respondents"],
                                 group_cols=["variable", "category"], additive=["category"],
                                 total_label=_OVERALL, config=cfg, name="representation",
                                 also_suppress=more)
            hide[src] = p.suppressed.to_numpy()
        new = {v: set(g) for v, g in want.items()}
        for v, src, f, rows in who:
            cats = f["group" if src == "rates" else "category"].astype(str).to_numpy()[rows]
            new[v] |= {c for c, h in zip(cats, hide[src][rows]) if h and c != _OVERALL}
        est_hide = _hidden_rows(est, threshold, new)
        for v in linked_vars:
            sel = est_hide & (est["breakdown"] == v).to_numpy()
            new[v] |= set(est.loc[sel, "group"].astype(str))
        if new == want:
            hide["estimates"] = est_hide
            # the weighted row of a group is withheld with its unweighted row
            return hide
        want = new


def _linked_ok(est: pd.DataFrame, rr: pd.DataFrame | None, rates_by: str,
               rep: pd.DataFrame | None, hide: dict[str, np.ndarray], cfg: PrivacyConfig
               ) -> bool:
    """Audit each measure's groups with each who-answered table, linked, knowing the true
    counts (the overall rows link to every respondent)."""
    from equitable.privacy import LongTable, audit_linked

    unw = ~est["weighted"].to_numpy(bool)
    key = (est["measure_type"] + ":" + est["measure"]).to_numpy()
    b_of = est["breakdown"].to_numpy()
    grp = est["group"].astype(str).to_numpy()
    counts = est["respondents"].to_numpy()
    for v, src, f, rows in _who_tables(rr, rates_by, rep):
        cats = f["group" if src == "rates" else "category"].astype(str).to_numpy()[rows]
        w_true = pd.DataFrame({"g": np.where(cats == _OVERALL, "Total", cats),
                               "n": f["respondents"].to_numpy()[rows]})
        w_pub = w_true.assign(n=np.where(hide[src][rows], cfg.marker, w_true["n"]))
        for m in dict.fromkeys(key[unw]):
            sel = unw & (key == m) & ((b_of == v) | (b_of == _OVERALL))
            if not (b_of[sel] == v).any():
                continue
            e_true = pd.DataFrame({"m": m, "g": np.where(b_of[sel] == _OVERALL, "Total",
                                                         grp[sel]), "n": counts[sel]})
            e_pub = e_true.assign(n=np.where(hide["estimates"][sel], cfg.marker, e_true["n"]))
            tables = [LongTable(e_pub, "n", ["m", "g"], additive=["g"], name="estimates"),
                      LongTable(w_pub, "n", ["g"], name="who answered")]
            if not audit_linked(tables, [(0, 1)], config=cfg, true=[e_true, w_true]).ok:
                return False
    return True


def _linked_hide(est: pd.DataFrame, rr: pd.DataFrame | None, rates_by: str,
                 rep: pd.DataFrame | None, represent: Sequence[str], cfg: PrivacyConfig
                 ) -> dict[str, np.ndarray]:
    """Every group count of the three tables, with the links, as one system for
    :func:`equitable.privacy.protect_linked` (the fallback of :func:`published_tables`)."""
    from equitable.privacy import LongTable, Subset, protect_linked

    who: list[tuple[str, pd.DataFrame, np.ndarray]] = []  # variable, table, its rows
    if rr is not None:
        who.append((rates_by, rr, np.arange(len(rr))))
    if rep is not None:
        for v in represent:
            who.append((v, rep, np.flatnonzero((rep["variable"] == v).to_numpy())))
    unw = ~est["weighted"].to_numpy(bool)
    e = est[unw]
    e_rows = np.flatnonzero(unw)
    key = (e["measure_type"] + ":" + e["measure"]).to_numpy()
    tables: list[LongTable] = []
    parts_rows: list[np.ndarray] = []  # per table: rows of its source frame
    sources: list[str] = []
    # one table per breakdown of the estimate: (measure, <breakdown>), the overall rows as
    # margins (the same cells in every breakdown: their keys are the same)
    b_of = e["breakdown"].to_numpy()
    group_of = e["group"].astype(str).to_numpy()
    overall = b_of == _OVERALL
    breakdowns = [b for b in dict.fromkeys(b_of) if b != _OVERALL] or [None]
    where: dict[tuple[str, str, str], tuple[int, int]] = {}
    for b in breakdowns:
        sel = overall | (b_of == b)
        dim = f"by {b}" if b is not None else "by"
        t = pd.DataFrame({"measure": key[sel],
                          dim: np.where(overall[sel], _TOTAL_KEY, group_of[sel]),
                          "respondents": e["respondents"].to_numpy()[sel]})
        k = len(tables)
        for i, (m, g, ov) in enumerate(zip(key[sel], group_of[sel], overall[sel])):
            where.setdefault((m, _OVERALL if ov else b, g), (k, i))
        tables.append(LongTable(t, "respondents", ["measure", dim], value_cols=[],
                                additive=[dim], total_label=_TOTAL_KEY,
                                name="estimates"))
        parts_rows.append(e_rows[sel])
        sources.append("estimates")
    links = []
    for var, frame, rows in who:
        cats = frame["category" if "category" in frame.columns else "group"].astype(str)
        cats = cats.to_numpy()[rows]
        t = pd.DataFrame({f"by {var}": np.where(cats == _OVERALL, _TOTAL_KEY, cats),
                          "respondents": frame["respondents"].to_numpy()[rows]})
        k = len(tables)
        tables.append(LongTable(t, "respondents", [f"by {var}"], value_cols=[],
                                total_label=_TOTAL_KEY,
                                name="response rates" if frame is rr else "who answered"))
        parts_rows.append(rows)
        sources.append("rates" if frame is rr else "representation")
        pos = {c: i for i, c in enumerate(cats)}
        for (_m, b, g), (kk, i) in where.items():
            if b == _OVERALL:
                links.append(Subset(sub=(kk, i), sup=(k, pos[_OVERALL])))
            elif b == var and g in pos:
                links.append(Subset(sub=(kk, i), sup=(k, pos[g])))
    done = protect_linked(tables, links, config=cfg)
    hide = {"estimates": np.zeros(len(est), bool)}
    if rr is not None:
        hide["rates"] = np.zeros(len(rr), bool)
    if rep is not None:
        hide["representation"] = np.zeros(len(rep), bool)
    for src, rows, res in zip(sources, parts_rows, done):
        hide[src][rows[res.suppressed.to_numpy()]] = True
    # the weighted row of a group is withheld with its unweighted row (same respondents)
    pairs = pd.Series(list(zip(est["breakdown"], est["group"].astype(str),
                               est["measure_type"], est["measure"])))
    hidden_pairs = set(pairs[hide["estimates"]])
    hide["estimates"] |= pairs.isin(hidden_pairs).to_numpy()
    return hide


#: The margin label of the linked-set model (never published).
_TOTAL_KEY = "__total__"
