"""The index engine: spec + table -> normalised indicators, theme scores, overall score, ranks,
percentiles, flags and tiers, with a table for each stage and a log of every step (as COINr).

Stages (each a DataFrame indexed like the input, with the id column first):

``raw``         the indicator values as read (missing codes still in place);
``treated``     missing codes and missing texts -> NaN, transforms (log, winsorise) applied;
``normalised``  each indicator's normalised value (after imputation), named by its output column;
``aggregated``  each node's score (rounded as declared), rescaled value, percentile, rank, flag
                count, tier.

``table`` gathers the id column, the spec's ``keep_columns`` and every output column, with the
spec's ``output_missing`` code (e.g. SVI's -999) in cells that cannot be computed.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from equitable.checks import check_scientific_ids, pad_note
from equitable.errors import EquitableError, InputError, SpecError, location
from equitable.index import _methods as M
from equitable.index._io import check_columns, numeric_column
from equitable.index._spec import IndexSpec, Indicator, Node

__all__ = ["IndexResult", "compute_index"]

_ROW_OFFSET = 2


class IndexResult:
    """One build of an index (see module docstring for the stage tables).

    Attributes
    ----------
    spec : the validated spec used.
    table : (n units, id + output columns) the result, published column names for presets.
    raw, treated, normalised, aggregated : the stage tables (built on first access).
    log : list of dicts, one per step, with the step's settings and counts (no unit values).
    fitted : what was learned from the reference population: per indicator the reference size
        ``N`` (and mean/sd or min/max, winsorising bounds, imputed value), per node the rescaling
        maximum and the number of units scored.
    source : the input's name (file path) used in messages.
    """

    def __init__(self, spec: IndexSpec, table: pd.DataFrame, stages: dict[str, dict[str, np.ndarray]],
                 ids: np.ndarray, index: pd.Index, log: list[dict[str, Any]],
                 fitted: dict[str, Any], source: str | None) -> None:
        self.spec = spec
        self.table = table
        self.log = log
        self.fitted = fitted
        self.source = source
        self._stages = stages
        self._ids = ids
        self._index = index
        self._cache: dict[str, pd.DataFrame] = {}

    def _stage(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            cols = {self.spec.id_column: self._ids}
            cols.update(self._stages[name])
            self._cache[name] = pd.DataFrame(cols, index=self._index)
        return self._cache[name]

    @property
    def raw(self) -> pd.DataFrame:
        """Indicator values as read (missing codes in place), one column per indicator code."""
        return self._stage("raw")

    @property
    def treated(self) -> pd.DataFrame:
        """Missing codes -> NaN, transforms and winsorising applied, one column per code."""
        return self._stage("treated")

    @property
    def normalised(self) -> pd.DataFrame:
        """Normalised (and imputed) indicator values, named by their output columns."""
        return self._stage("normalised")

    @property
    def aggregated(self) -> pd.DataFrame:
        """Node scores (unrounded for output, rounded as ``decimals`` declares), rescaled scores,
        percentiles and flag counts, named by their output columns."""
        return self._stage("aggregated")

    @property
    def id_column(self) -> str:
        return self.spec.id_column

    def tier_summary(self) -> dict[str, Any] | None:
        """The tiers of the overall index, or None when the spec has none: ``method``, ``basis``,
        ``labels``, ``counts`` (units per tier, highest need first), ``tiers`` (per tier:
        ``tier``, ``units``, ``min_score``, ``max_score`` of the ``basis``), ``cut_scores``
        (quantile: the lowest score of each tier but the last; cuts: the cuts), ``n_ranked`` and
        ``warnings`` (an empty tier; quantile tiers made unequal by ties), one line each."""
        for step in self.log:
            if step.get("step") == "tiers":
                return step
        return None
    @property
    def notes(self) -> list[str]:
        """What was changed while reading the input (e.g. ids padded with zeros), one line each,
        for the terminal and run.json."""
        return [e["note"] for e in self.log if e.get("note")]

    def missing_summary(self) -> dict[str, int]:
        """Units per missing-data handling ("complete", "reweighted", "imputed", "excluded",
        "not scored")."""
        col = self.table[self.spec.missing_column].fillna("")
        out = {"complete": int((col == "").sum())}
        for key in ("reweighted", "imputed", "excluded", "not scored"):
            out[key] = int(col.str.contains(key, regex=False).sum())
        return out


# --------------------------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------------------------

_SCI_ID = r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$"


def _padded(spec: IndexSpec, df: pd.DataFrame) -> int:
    """How many ids are all digits and shorter than ``id_width`` (padded with zeros)."""
    if not spec.id_width:
        return 0
    col = df[spec.id_column]
    if pd.api.types.is_float_dtype(col) or pd.api.types.is_integer_dtype(col):
        txt = col.dropna().map(lambda v: str(int(v)) if float(v).is_integer() else str(v))
    else:
        txt = col.dropna().astype(str).str.strip()
    return int((txt.str.fullmatch(r"\d+") & (txt.str.len() < spec.id_width)).sum())


_IDENT = re.compile(r"`([^`]+)`|\b([A-Za-z_][A-Za-z0-9_]*)\b")


def _ids(spec: IndexSpec, df: pd.DataFrame, source: str) -> np.ndarray:
    check_columns(df, [spec.id_column], source)
    col = df[spec.id_column]
    if pd.api.types.is_float_dtype(col):
        ids = col.map(lambda v: np.nan if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
    elif pd.api.types.is_integer_dtype(col):
        ids = col.astype(str)
    else:
        ids = col.astype(object)
        if pd.api.types.infer_dtype(ids, skipna=True) != "string":
            ids = ids.map(lambda v: v if isinstance(v, str) or pd.isna(v) else str(v))
        arr = pa.array(ids.to_numpy(), type=pa.string(), from_pandas=True)
        trimmed = pc.utf8_trim_whitespace(arr)
        if pc.any(pc.match_substring_regex(trimmed, _SCI_ID)).as_py():
            # 6.03702E+10: digits lost by a spreadsheet; one error, never "duplicate id"
            check_scientific_ids(pd.Series(trimmed.to_numpy(zero_copy_only=False)), source,
                                 spec.id_column, first_line=_ROW_OFFSET, what="id")
        if not pc.all(pc.equal(trimmed, arr)).as_py() is True or arr.null_count:
            ids = pd.Series(trimmed.to_numpy(zero_copy_only=False), index=col.index, dtype=object)
        if arr.null_count == 0 and not spec.id_width and len(pc.unique(trimmed)) == len(trimmed) \
                and not pc.any(pc.equal(trimmed, "")).as_py():
            return ids.to_numpy(dtype=object)  # the common case, checked in C
    blank = ids.isna() | (ids == "")
    if blank.any():
        i = int(np.flatnonzero(blank.to_numpy())[0])
        raise InputError(f"{location(source, i + _ROW_OFFSET, spec.id_column)}: empty id")
    if spec.id_width:
        w = spec.id_width
        short = (ids.str.len() < w) & ids.str.isdigit()
        if short.any():
            ids = ids.where(~short, ids.str.zfill(w))
    dup = ids.duplicated(keep=False)
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        first = rows[0]
        second = next(r for r in rows[1:] if ids.iloc[r] == ids.iloc[first])
        raise InputError(
            f"{location(source, int(second) + _ROW_OFFSET, spec.id_column)}: duplicate id "
            f"(same as row {int(first) + _ROW_OFFSET})"
        )
    return ids.to_numpy(dtype=object)


def _expression_values(spec: IndexSpec, ind: Indicator, df: pd.DataFrame, source: str) -> np.ndarray:
    expr = ind.expression or ""
    names = []
    for m in _IDENT.finditer(expr):
        name = m.group(1) or m.group(2)
        if name in df.columns:
            names.append(name)
        elif m.group(1):
            check_columns(df, [name], source)
    if not names:
        raise SpecError(
            f"indicator '{ind.code}': expression '{expr}' names no column of {source}"
        )
    frame = pd.DataFrame(
        {n: numeric_column(df, n, source, missing_text=spec.missing_text) for n in dict.fromkeys(names)}
    )
    codes = spec.missing_codes_of(ind)
    if codes:
        frame = frame.mask(frame.isin(codes))
    try:
        with np.errstate(all="ignore"):
            out = frame.eval(expr, engine="python")
    except Exception as exc:  # pandas raises many kinds here
        raise SpecError(f"indicator '{ind.code}': expression '{expr}' cannot be computed: {exc}") from None
    arr = np.asarray(out, dtype=np.float64)
    if arr.shape != (len(df),):
        raise SpecError(f"indicator '{ind.code}': expression '{expr}' does not give one value per row")
    return np.where(np.isfinite(arr), arr, np.nan)


def _check_valid_range(spec: IndexSpec, column: str | None, v: np.ndarray, codes: list[float],
                       source: str) -> None:
    """An input value outside the spec's ``valid_ranges`` for its column is impossible."""
    if not column or not spec.valid_ranges:
        return
    from fnmatch import fnmatchcase

    from equitable.checks import check_range

    for pattern, (lo, hi) in spec.valid_ranges.items():
        if fnmatchcase(column, pattern):
            check_range(v, lambda i: location(source, i + _ROW_OFFSET, column), lo=lo, hi=hi,
                        what=f"value of '{pattern}'", allowed=codes)
            return


#: What each column of a published file means, whether or not a spec uses it (docs/data.md,
#: "Impossible values"): ``(fnmatch pattern, low, high)``, the first matching pattern wins;
#: None is no bound. Sources: CDC/ATSDR SVI documentation 2018-2022 ("Data dictionary": E_
#: estimates, M_ margins, EP_ percents, EPL_/RPL_ percentile ranks 0-1, SPL_ sums, F_ flags;
#: -999 missing; margins may hold the ACS annotation codes); OEHHA CalEnviroScreen 4.0 data
#: dictionary (indicator values, percents, "Pctl" percentiles 0-100, tract centroids in
#: California: the bounds of read_calenviroscreen).
_KNOWN_COLUMNS: dict[str, list[tuple[str, float | None, float | None]]] = {
    "svi-": [("EP_PCI", 0, None), ("EP_*", 0, 100), ("EPL_*", 0, 1), ("RPL_*", 0, 1),
             ("E_*", 0, None), ("SPL_*", 0, None), ("F_*", 0, None), ("M_*", 0, None),
             ("MP_*", 0, None), ("AREA_SQMI", 0, None)],
    "calenviroscreen-": [
        ("Latitude", 32, 43), ("Longitude", -125, -114), ("Total Population", 0, None),
        ("* Pctl", 0, 100), ("CES 4.0 Percentile", 0, 100),
        ("Low_Birth_Weight", 0, 100), ("Education", 0, 100), ("Linguistic Isolation", 0, 100),
        ("Poverty", 0, 100), ("Unemployment", 0, 100), ("Housing Burden", 0, 100),
        *[(c, 0, None) for c in (
            "CES 4.0 Score", "Pollution Burden", "Pollution Burden Score", "Pop. Char. ",
            "Pop. Char. Score", "Ozone", "PM2.5", "Diesel PM", "Drinking Water", "Lead",
            "Pesticides", "Tox_Release", "Traffic", "Cleanup Sites", "Groundwater Threats",
            "Haz. Waste", "Imp. Water Bodies", "Solid Waste", "Asthma",
            "Cardiovascular_Disease")],
    ],
}


def _check_known_columns(spec: IndexSpec, df: pd.DataFrame, source: str) -> None:
    """Every column of a published file whose meaning is known is checked, used or not: an
    ``E_TOTPOP`` of -5 or a CalEnviroScreen ``Latitude`` of 200 means a damaged file, even when
    the spec ranks other columns (:data:`_KNOWN_COLUMNS`; the file's missing codes pass)."""
    if not spec.published:
        return
    rules = next((r for key, r in _KNOWN_COLUMNS.items() if spec.published.startswith(key)), None)
    if rules is None:
        return
    from fnmatch import fnmatchcase

    from equitable.checks import check_range

    allowed = list(spec.missing_codes)
    if spec.published.startswith("svi-"):
        from equitable.data._community import ACS_ANNOTATION_CODES

        annotations = list(ACS_ANNOTATION_CODES)
    for col in df.columns:
        name = str(col)
        rule = next((r for r in rules if fnmatchcase(name, r[0])), None)
        if rule is None:
            continue
        pattern, lo, hi = rule
        codes = allowed + (annotations if pattern in ("M_*", "MP_*") else [])
        v = numeric_column(df, name, source, missing_text=spec.missing_text)
        check_range(v, lambda i, name=name: location(source, i + _ROW_OFFSET, name), lo=lo,
                    hi=hi, what=f"value of '{pattern}'", allowed=codes)


def _read_indicators(spec: IndexSpec, df: pd.DataFrame, source: str) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Raw values (as read, for the raw table) and treated-before-transform values per code."""
    needed = []
    for ind in spec.indicators:
        if ind.column:
            needed.append(ind.column)
        if ind.rank_by:
            needed.append(ind.rank_by)
    needed += list(spec.keep_columns)
    check_columns(df, needed, source)
    _check_known_columns(spec, df, source)
    raw: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    for ind in spec.indicators:
        if ind.expression:
            v = _expression_values(spec, ind, df, source)
            raw[ind.code] = v
        else:
            v = numeric_column(df, ind.column, source, missing_text=spec.missing_text)
            raw[ind.code] = v
        if ind.rank_by:
            v = numeric_column(df, ind.rank_by, source, missing_text=spec.missing_text)
        codes = spec.missing_codes_of(ind)
        _check_valid_range(spec, ind.rank_by or ind.column, v, codes, source)
        if codes:
            coded = np.isin(v, codes)
            if coded.any():
                v = np.where(coded, np.nan, v)
        if ind.transform == "log":
            bad = np.isfinite(v) & (v <= 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"{location(source, i + _ROW_OFFSET, ind.rank_by or ind.column or ind.code)}: "
                    "log transform needs values > 0"
                )
            v = np.log(v)
        elif ind.transform == "log1p":
            bad = np.isfinite(v) & (v <= -1)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"{location(source, i + _ROW_OFFSET, ind.rank_by or ind.column or ind.code)}: "
                    "log1p transform needs values > -1"
                )
            v = np.log1p(v)
        values[ind.code] = v
    return raw, values


# --------------------------------------------------------------------------------------------
# the build
# --------------------------------------------------------------------------------------------


def _evaluate(
    spec: IndexSpec,
    X: dict[str, np.ndarray],
    n: int,
    source: str,
    fit: dict[str, Any] | None,
    log: list[dict[str, Any]] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the build on treated values ``X`` (code -> (n,) array).

    With ``fit=None`` the data is its own reference and the learned reference values are
    returned in the new ``fit``; with a ``fit``, values are placed against that reference.
    """
    learning = fit is None
    fit_out: dict[str, Any] = {} if learning else fit
    out: dict[str, Any] = {"treated": {}, "norm": {}, "present": {}, "imputed": {}, "flag": {}}

    def ref(key: str) -> Any:
        return None if learning else fit_out[key]

    # winsorise (bounds from the reference) ------------------------------------------------------
    for ind in spec.indicators:
        v = X[ind.code]
        if ind.winsorise is not None:
            if learning:
                fv = v[np.isfinite(v)]
                lo, hi = (np.quantile(fv, ind.winsorise) if fv.size else (np.nan, np.nan))
                fit_out[f"winsorise:{ind.code}"] = (float(lo), float(hi))
            lo, hi = fit_out[f"winsorise:{ind.code}"]
            v = np.where(np.isfinite(v), np.clip(v, lo, hi), np.nan)
            if log is not None:
                log.append({"step": "winsorise", "indicator": ind.code, "quantiles": list(ind.winsorise),
                            "bounds": [lo, hi]})
        out["treated"][ind.code] = v
        out["present"][ind.code] = np.isfinite(v)

    # normalise: percentile columns together on a thread pool ---------------------------------
    pct_inds = [i for i in spec.indicators if spec.normalise_of(i).method == "percentile"]
    cols, refs, sets = [], [], []
    for ind in pct_inds:
        nm = spec.normalise_of(ind)
        cols.append(out["treated"][ind.code])
        refs.append(ref(f"values:{ind.code}"))
        sets.append({"form": nm.form, "ties": nm.ties, "scale": nm.effective_scale,
                     "decimals": nm.decimals, "reverse": ind.direction == "lower_is_more_need",
                     "inverse": nm.inverse})
    ranked = M.percentile_rank_columns(cols, refs, sets)
    for ind, (vals, N) in zip(pct_inds, ranked):
        nm = spec.normalise_of(ind)
        need = 2 if nm.form == "svi" else 1
        if N < need:
            col = ind.rank_by or ind.column or ind.code
            raise InputError(
                f"{location(source, None, col)}: fewer than two units have a value to rank "
                f"({N} of {n})" if need == 2 else
                f"{location(source, None, col)}: no unit has a nonzero value to rank"
            )
        out["norm"][ind.code] = vals
        if learning:
            fit_out[f"values:{ind.code}"] = out["treated"][ind.code]
            fit_out[f"N:{ind.code}"] = N
    for ind in spec.indicators:
        nm = spec.normalise_of(ind)
        v = out["treated"][ind.code]
        rev = ind.direction == "lower_is_more_need"
        if nm.method == "zscore":
            if int(np.isfinite(v).sum() if learning else np.isfinite(ref(f"values:{ind.code}")).sum()) < 2:
                raise InputError(f"{location(source, None, ind.rank_by or ind.column or ind.code)}: "
                                 f"fewer than two units have a value to rank ({int(np.isfinite(v).sum())} of {n})")
            vals, learned = M.zscore(v, ref(f"values:{ind.code}"), cap=nm.cap, reverse=rev,
                                     scale=nm.effective_scale, decimals=nm.decimals)
        elif nm.method == "minmax":
            if int(np.isfinite(v).sum() if learning else np.isfinite(ref(f"values:{ind.code}")).sum()) < 2:
                raise InputError(f"{location(source, None, ind.rank_by or ind.column or ind.code)}: "
                                 f"fewer than two units have a value to rank ({int(np.isfinite(v).sum())} of {n})")
            vals, learned = M.minmax(v, ref(f"values:{ind.code}"), reverse=rev,
                                     scale=nm.effective_scale, decimals=nm.decimals,
                                     to_range=nm.range)
        elif nm.method == "identity":
            vals, learned = M.round_to(v * nm.effective_scale, nm.decimals), {}
        else:
            vals, learned = out["norm"][ind.code], {"N": fit_out[f"N:{ind.code}"]}
        if nm.method != "percentile":
            out["norm"][ind.code] = vals
            if learning:
                fit_out[f"values:{ind.code}"] = v
                fit_out[f"N:{ind.code}"] = int(np.isfinite(v).sum())
        # missing: imputation happens on the normalised scale, so imputed units move no one else
        rule = spec.missing_of(ind)
        miss = ~np.isfinite(out["norm"][ind.code])
        imputed = np.zeros(n, dtype=bool)
        if rule.startswith("impute") and miss.any():
            if learning:
                rv = out["norm"][ind.code]
                rv = rv[np.isfinite(rv)]
                fill = {"impute_mean": float(rv.mean()) if rv.size else np.nan,
                        "impute_median": float(np.median(rv)) if rv.size else np.nan,
                        "impute_zero": 0.0}[rule]
                fit_out[f"impute:{ind.code}"] = fill
            fill = fit_out.get(f"impute:{ind.code}", 0.0 if rule == "impute_zero" else np.nan)
            vals = out["norm"][ind.code].copy()
            vals[miss] = fill
            out["norm"][ind.code] = vals
            imputed = miss
        elif rule.startswith("impute") and learning:
            rv = out["norm"][ind.code]
            rv = rv[np.isfinite(rv)]
            fit_out[f"impute:{ind.code}"] = {"impute_mean": float(rv.mean()) if rv.size else np.nan,
                                             "impute_median": float(np.median(rv)) if rv.size else np.nan,
                                             "impute_zero": 0.0}[rule]
        out["imputed"][ind.code] = imputed
        # flags
        fl = spec.flag_of(ind)
        if fl is not None:
            x = out["norm"][ind.code]
            ops = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}
            f = np.empty(n, dtype=np.float32)  # 1, 0 or NaN (missing)
            with np.errstate(invalid="ignore"):
                ops[fl.op](x, fl.threshold, out=f, casting="unsafe")
            f[~np.isfinite(x)] = np.nan
            out["flag"][ind.code] = f
        if log is not None:
            entry = {"step": "normalise", "indicator": ind.code,
                     "column": ind.rank_by or ind.column, "expression": ind.expression,
                     "direction": ind.direction, "method": nm.method,
                     "missing_codes": spec.missing_codes_of(ind), "missing_rule": rule,
                     "n_missing": int(miss.sum()), "n_imputed": int(imputed.sum()),
                     "reference_n": int(fit_out.get(f"N:{ind.code}", 0))}
            if nm.method == "percentile":
                entry.update(form=nm.form, ties=nm.ties, scale=nm.effective_scale, decimals=nm.decimals)
                if ind.direction == "lower_is_more_need":
                    entry.update(inverse=nm.inverse)
            elif nm.method in ("zscore", "minmax"):
                entry.update({k: v for k, v in learned.items()}, decimals=nm.decimals, cap=nm.cap)
            log.append({k: v for k, v in entry.items() if v is not None})

    # aggregate, node by node -------------------------------------------------------------------
    node_val: dict[str, np.ndarray] = {}  # value passed to the parent (rescaled when declared)
    node_out: dict[str, dict[str, np.ndarray]] = {}
    node_flags: dict[str, np.ndarray] = {}
    pct_jobs: list[Node] = []
    for node in spec.build_order():
        members = spec.members_of(node)
        w = np.asarray(spec.member_weights(node), dtype=np.float64)
        mat = np.empty((len(members), n), dtype=np.float64)  # one contiguous row per member
        hard = np.zeros(n, dtype=bool)
        for j, m in enumerate(members):
            if spec.is_indicator(m):
                col = out["norm"][m]
                mat[j] = col
                if spec.missing_of(spec.indicator(m)) == "exclude":
                    hard |= ~np.isfinite(col)
            else:
                col = node_val[m]
                mat[j] = col
                hard |= ~np.isfinite(col)
        leaves = spec.leaves_of(node)
        not_scored = np.zeros(n, dtype=bool)
        if node.min_present is not None:
            n_present = np.zeros(n, dtype=np.int64)
            for c in leaves:
                n_present += out["present"][c]
            not_scored = n_present < node.min_present
            hard = hard | not_scored
        if node.min_present_share is not None:
            n_present = np.zeros(n, dtype=np.int64)
            for c in leaves:
                n_present += out["present"][c]
            not_scored = not_scored | (n_present < node.min_present_share * len(leaves))
            hard = hard | not_scored
        if node.aggregation in ("geometric_mean", "product"):
            neg = np.isfinite(mat) & (mat < 0)
            if neg.any():
                j = int(np.flatnonzero(neg.any(axis=1))[0])
                raise SpecError(
                    f"theme '{node.code}': {node.aggregation} needs values >= 0 but member "
                    f"'{members[j]}' has negative normalised values (use percentile or minmax)"
                )
        zero_units = None
        if node.aggregation in ("geometric_mean", "product"):
            zero_units = _zero_members(spec, node, members, w, mat, hard, source, log)
        score = M.aggregate(mat.T, w, node.aggregation, hard_missing=hard)
        if zero_units is not None:  # zeros = "zero": the documented result (log(0) is not used)
            score[zero_units & ~hard] = 0.0
        score = M.round_to(score, node.decimals)
        res: dict[str, np.ndarray] = {"score": score, "not_scored": not_scored}
        passed = score
        if node.rescale is not None:
            if learning:
                fv = score[np.isfinite(score)]
                fit_out[f"rescale:{node.code}"] = float(fv.max()) if fv.size else np.nan
            mx = fit_out[f"rescale:{node.code}"]
            passed = score / mx * node.rescale.to if mx and np.isfinite(mx) and mx > 0 else np.full(n, np.nan)
            res["rescaled"] = passed
        if node.percentile is not None and node.pass_percentile:
            # the parent aggregates this node's percentile (Catalyst California's domains)
            nm = node.percentile
            vals, N = M.percentile_rank(score, ref(f"score:{node.code}"), form=nm.form,
                                        ties=nm.ties, scale=nm.effective_scale,
                                        decimals=nm.decimals)
            if N < (2 if nm.form == "svi" else 1):
                raise InputError(
                    f"{location(source, None, spec.score_column_of(node))}: fewer than two "
                    f"units have a score to rank ({N} of {n})"
                )
            res["percentile"] = vals
            passed = vals
        elif node.percentile is not None:
            pct_jobs.append(node)
        if learning:
            fit_out[f"score:{node.code}"] = score
            fit_out[f"N_scored:{node.code}"] = int(np.isfinite(score).sum())
        # flag counts: indicator flags and member nodes' counts; missing if any is missing
        fc = np.zeros(n, dtype=np.float32)
        has_flags = False
        for m in members:
            if spec.is_indicator(m):
                if m in out["flag"]:
                    fc = fc + out["flag"][m]
                    has_flags = True
            elif m in node_flags:
                fc = fc + node_flags[m]
                has_flags = True
        if has_flags:
            node_flags[node.code] = fc
            res["flag_count"] = fc
        node_val[node.code] = passed
        node_out[node.code] = res
        if log is not None:
            log.append({k: v for k, v in {
                "step": "aggregate", "node": node.code, "members": members,
                "weights": w.tolist(), "method": node.aggregation, "decimals": node.decimals,
                "min_present": node.min_present,
                "min_present_share": node.min_present_share,
                "pass_percentile": node.pass_percentile or None,
                "rescale": None if node.rescale is None else {"to": node.rescale.to,
                                                             "max": fit_out.get(f"rescale:{node.code}")},
                "percentile": None if node.percentile is None else node.percentile.model_dump(exclude_none=True),
                "n_scored": int(np.isfinite(score).sum()),
            }.items() if v is not None})

    # node percentiles, all at once on the thread pool
    ranked = M.percentile_rank_columns(
        [node_out[nd.code]["score"] for nd in pct_jobs],
        [ref(f"score:{nd.code}") for nd in pct_jobs],
        [{"form": nd.percentile.form, "ties": nd.percentile.ties,
          "scale": nd.percentile.effective_scale, "decimals": nd.percentile.decimals}
         for nd in pct_jobs],
    )
    for nd, (vals, N) in zip(pct_jobs, ranked):
        if N < (2 if nd.percentile.form == "svi" else 1):
            raise InputError(
                f"{location(source, None, spec.score_column_of(nd))}: fewer than two units "
                f"have a score to rank ({N} of {n})"
            )
        node_out[nd.code]["percentile"] = vals

    # overall: rank and tiers ---------------------------------------------------------------------
    ov = spec.overall
    score = node_out[ov.code]["score"]
    if ov.rank_column or ov.tiers is not None:
        rank = M.need_rank(score, ref(f"score:{ov.code}"))
        node_out[ov.code]["rank"] = rank
        N = fit_out[f"N_scored:{ov.code}"]
        if ov.tiers is not None:
            t = ov.tiers
            if t.method == "quantile":
                if N < 2:
                    raise InputError(f"{location(source, None, spec.score_column_of(ov))}: fewer than "
                                     f"two units have a score to rank ({N} of {n})")
                tier = M.tiers_by_quantile(rank, N, t.n)
            else:
                basis = node_out[ov.code].get("percentile") if t.basis == "percentile" else score
                if basis is None:
                    raise SpecError("overall.tiers: basis \"percentile\" needs overall.percentile")
                tier = M.tiers_by_cuts(basis, t.cuts)
            node_out[ov.code]["tier"] = tier
            if log is not None:
                basis_vals = score
                if t.method == "cuts" and t.basis == "percentile":
                    basis_vals = node_out[ov.code]["percentile"]
                log.append(_tier_step(t, tier, basis_vals, N, learning))
    out["nodes"] = node_out
    return out, fit_out


def _tier_step(t: Any, tier: np.ndarray, basis: np.ndarray, n_ranked: int, own_reference: bool) -> dict[str, Any]:
    """The log entry of the tier step: units and score range per tier, cut scores, warnings.

    ``cut_scores``: for quantile tiers the lowest score in each tier but the last (a unit scoring
    at least ``cut_scores[k]`` is in tier ``k + 1`` or a higher-need one; None for an empty tier);
    for fixed cuts, the cuts on ``basis``. Warnings: a tier with no unit; quantile tiers whose
    sizes differ from the untied split ``floor((r - 1) n / N) + 1`` of ranks 1..N because tied
    units share a tier (only when the units are their own reference).
    """
    labels = t.tier_labels
    counts = [int((tier == k).sum()) for k in range(1, t.n + 1)]
    rows = []
    for k, lab in enumerate(labels, start=1):
        v = basis[tier == k]
        v = v[np.isfinite(v)]
        rows.append({"tier": lab, "units": counts[k - 1],
                     "min_score": float(v.min()) if v.size else None,
                     "max_score": float(v.max()) if v.size else None})
    if t.method == "quantile":
        cuts = [r["min_score"] for r in rows[:-1]]
    else:
        cuts = [float(c) for c in t.cuts]
    warnings: list[str] = []
    untied_counts = None
    if t.method == "quantile" and own_reference and n_ranked > 0:
        r = np.arange(1, n_ranked + 1)
        untied = np.bincount(np.floor((r - 1) * t.n / n_ranked).astype(np.int64), minlength=t.n)[: t.n]
        untied_counts = [int(c) for c in untied]
        if counts != untied_counts:
            warnings.append(
                "tied scores make the quantile tiers unequal: "
                + ", ".join(f"'{lab}' {c}" for lab, c in zip(labels, counts))
                + " units (without ties: " + ", ".join(str(int(c)) for c in untied)
                + "); tied units share the higher-need tier"
            )
    for k, (lab, c) in enumerate(zip(labels, counts)):
        if c == 0:
            if t.method == "cuts":
                why = f"no unit's {t.basis} falls between its cuts"
            elif not own_reference:
                why = "no unit of the input falls in it (tiers come from the reference population)"
            elif untied_counts is not None and untied_counts[k] == 0:
                why = f"fewer units are ranked ({n_ranked}) than there are tiers ({t.n})"
            else:
                why = "every unit tied at its boundary went to a higher-need tier"
            warnings.append(f"tier '{lab}' is empty: {why}")
    return {"step": "tiers", "method": t.method, "n": t.n, "cuts": t.cuts, "basis": t.basis,
            "labels": labels, "n_ranked": n_ranked, "counts": counts, "untied_counts": untied_counts,
            "tiers": rows, "cut_scores": cuts, "warnings": warnings}


def _describe_normalisation(spec: IndexSpec, code: str) -> str:
    """A member's scale in words for messages, e.g. "min-max to [0, 100]"."""
    if not spec.is_indicator(code):
        return f"the score of '{code}'"
    nm = spec.normalise_of(spec.indicator(code))
    if nm.method == "minmax":
        lo, hi = nm.range if nm.range is not None else (0.0, nm.effective_scale)
        return f"min-max to [{lo:g}, {hi:g}]"
    if nm.method == "percentile":
        return f"percentile ({nm.form} form) on [0, {nm.effective_scale:g}]"
    return {"zscore": "z-scores", "identity": "the values as given"}[nm.method]


def _zero_members(spec: IndexSpec, node: Node, members: list[str], w: np.ndarray, mat: np.ndarray,
                  hard: np.ndarray, source: str, log: list[dict[str, Any]] | None) -> np.ndarray | None:
    """Units with a member value of exactly 0 (weight > 0) under a geometric mean or product.

    ``zeros = "error"``: a SpecError naming the first such member, its normalisation, how many
    units and the first unit's row. ``zeros = "zero"``: the units (their result is set to 0),
    counted per member in the log. None when there are none.
    """
    zero = (mat == 0) & (w[:, None] > 0) & ~hard[None, :]  # (k, n)
    if not zero.any():
        return None
    kind = "overall" if node is spec.overall else "theme"
    counts = {m: int(zero[j].sum()) for j, m in enumerate(members) if zero[j].any()}
    if node.zeros == "error":
        j = next(j for j in range(len(members)) if zero[j].any())
        m = members[j]
        first = int(np.flatnonzero(zero[j])[0])
        raise SpecError(
            f"{kind} '{node.code}': {node.aggregation} of a 0: member '{m}' ({_describe_normalisation(spec, m)}) "
            f"is 0 for {counts[m]} unit(s) of {source} (first at row {first + _ROW_OFFSET}); "
            f"the result would be 0 whatever the other members are. Use normalise = "
            f"{{ method = \"minmax\", range = [1, 100] }} or set zeros = \"zero\" on {kind} '{node.code}'"
        )
    units = zero.any(axis=0)
    if log is not None:
        log.append({"step": "zeros", "node": node.code, "rule": "zero", "method": node.aggregation,
                    "units": int(units.sum()), "by_member": counts})
    return units


def _flags_missing(spec: IndexSpec, state: dict[str, Any], ids: np.ndarray, source: str,
                   log: list[dict[str, Any]]) -> None:
    """Blank every flag and flag count of the units the spec's ``flags_missing_for`` names (a
    published file's departure kept to reproduce it); log them. An id not in the data is an error."""
    pos = {str(u): i for i, u in enumerate(ids)}
    absent = [u for u in spec.flags_missing_for if u not in pos]
    if absent:
        raise SpecError(
            f"spec {spec.name}: key 'flags_missing_for': id '{absent[0]}' is not a unit of {source}"
        )
    rows = np.array([pos[u] for u in spec.flags_missing_for], dtype=np.int64)
    for code, f in state["flag"].items():
        f = f.copy()
        f[rows] = np.nan
        state["flag"][code] = f
    for res in state["nodes"].values():
        if "flag_count" in res:
            fc = res["flag_count"].copy()
            fc[rows] = np.nan
            res["flag_count"] = fc
    log.append({"step": "flags_missing", "ids": list(spec.flags_missing_for), "units": int(rows.size),
                "note": "flags written as missing, as the published file has them"})


def _missing_text(spec: IndexSpec, state: dict[str, Any], n: int) -> np.ndarray:
    """Per unit: which indicators were missing and how each was handled, e.g.
    ``"reweighted: LEAD, LBW"`` or ``"not scored (too few indicators in POP_CHAR); reweighted: ..."``;
    "" for a unit with every indicator. Text is built once per pattern of missing indicators."""
    out = np.full(n, "", dtype=object)
    labels = {"exclude": "excluded", "reweight": "reweighted"}
    inds = list(spec.indicators)
    nodes = spec.build_order()
    anymiss = np.zeros(n, dtype=bool)
    for ind in inds:
        anymiss |= ~state["present"][ind.code]
    rows = np.flatnonzero(anymiss)
    if rows.size == 0:
        return out
    keys = [~state["present"][ind.code][rows] for ind in inds]
    keys += [state["nodes"][nd.code]["not_scored"][rows] for nd in nodes]
    pattern = np.stack(keys, axis=1)
    uniq, inverse = np.unique(pattern, axis=0, return_inverse=True)
    texts = np.empty(len(uniq), dtype=object)
    for u, pat in enumerate(uniq):
        by: dict[str, list[str]] = {"excluded": [], "reweighted": [], "imputed": []}
        for ind, miss in zip(inds, pat[: len(inds)]):
            if miss:
                rule = spec.missing_of(ind)
                by["imputed" if rule.startswith("impute") else labels[rule]].append(ind.code)
        text = "; ".join(f"{how}: {', '.join(codes)}" for how, codes in by.items() if codes)
        bad = [nd.code for nd, flag in zip(nodes, pat[len(inds):]) if flag]
        if bad:
            text = f"not scored (too few indicators in {', '.join(bad)}); " + text
        texts[u] = text
    out[rows] = texts[np.asarray(inverse).reshape(-1)]
    return out


def compute_index(
    spec: IndexSpec,
    df: pd.DataFrame,
    *,
    source: str | None = None,
    reference: pd.DataFrame | None = None,
) -> IndexResult:
    """Build the index ``spec`` on the units of ``df``.

    Parameters
    ----------
    spec : a validated spec (:func:`load_spec` / :func:`parse_spec`).
    df : one row per unit: the spec's id column and every indicator column (numbers; empty
        cells, ``missing_codes`` and ``missing_text`` are missing).
    source : the input's name for error messages (default ``df.attrs["source"]``).
    reference : the population the units are ranked against (e.g. the whole state) when it
        differs from the units reported (e.g. one county); default ``df`` itself. Percentiles,
        z-score means, rescaling maxima, ranks and quantile tiers all come from it.

    Returns
    -------
    IndexResult
        ``result.table`` has the id column (as text), ``keep_columns`` and every output column:
        per-indicator normalised values and flags, node scores / rescaled scores / percentiles /
        flag counts, the overall score, rank (1 = highest need), percentile, tier label and the
        ``missing_column`` note.

    Raises
    ------
    InputError
        A column is missing, a cell is not a number, an id is empty or duplicated, or fewer than
        two units can be ranked: one line naming the file, row and column.
    SpecError
        An expression cannot be computed, or an aggregation cannot take the values given.

    Notes
    -----
    Methods: CDC/ATSDR SVI 2022 Documentation ("Data and methods": percentile ranks
    ``(rank - 1) / (N - 1)``, 4 decimals, theme sums re-ranked; "Flags"), OEHHA CalEnviroScreen
    4.0 report (January 2021 / October 2021 update), "Scoring" section (percentiles of nonzero
    values, Pollution Burden and Population Characteristics averaged, scaled to 10, multiplied).
    """
    src = source or df.attrs.get("source") or "<table>"
    n = len(df)
    log: list[dict[str, Any]] = [{"step": "read", "source": src, "units": n, "spec": spec.name}]
    check_columns(df, [spec.id_column], src)
    # the id checks (C code in pyarrow, releasing the GIL) run beside the ranking threads
    with ThreadPoolExecutor(max_workers=1) as ex:
        ids_job = ex.submit(_ids, spec, df, src)
        try:
            raw, X = _read_indicators(spec, df, src)
            fit: dict[str, Any] | None = None
            if reference is not None:
                rsrc = reference.attrs.get("source") or "<reference>"
                _ids(spec, reference, rsrc)
                _, RX = _read_indicators(spec, reference, rsrc)
                _, fit = _evaluate(spec, RX, len(reference), rsrc, None, None)
                log.append({"step": "reference", "source": rsrc, "units": len(reference)})
            state, fit = _evaluate(spec, X, n, src, fit, log)
        except EquitableError:
            ids_job.result()  # a bad id is reported first, as if checked first
            raise
        ids = ids_job.result()
    if spec.flags_missing_for:
        _flags_missing(spec, state, ids, src, log)
    padded = _padded(spec, df)
    if padded:
        log.append({"step": "pad ids", "padded": padded,
                    "note": pad_note(Path(src).name, spec.id_column, padded, int(spec.id_width or 0), "id")})

    stages: dict[str, dict[str, np.ndarray]] = {
        "raw": {ind.code: raw[ind.code] for ind in spec.indicators},
        "treated": {ind.code: state["treated"][ind.code] for ind in spec.indicators},
        "normalised": {spec.output_of(ind): state["norm"][ind.code] for ind in spec.indicators},
        "aggregated": {},
    }
    agg = stages["aggregated"]
    for node in spec.build_order():
        res = state["nodes"][node.code]
        agg[spec.score_column_of(node)] = res["score"]
        if "rescaled" in res:
            agg[node.rescale.column or f"{node.code}_rescaled"] = res["rescaled"]
        if "percentile" in res:
            agg[spec.percentile_column_of(node)] = res["percentile"]
        if "flag_count" in res:
            agg[node.flag_count_column or f"{node.code}_flag_count"] = res["flag_count"]
    for key in ("rank", "tier"):
        if key in state["nodes"][spec.overall.code]:
            agg[key if key == "rank" else f"{key}_number"] = state["nodes"][spec.overall.code][key]

    table = _output_table(spec, df, ids, state)
    fitted = {k: v for k, v in fit.items() if not k.startswith(("values:", "score:"))}
    return IndexResult(spec, table, stages, ids, df.index, log, fitted, src)


def _output_table(spec: IndexSpec, df: pd.DataFrame, ids: np.ndarray, state: dict[str, Any]) -> pd.DataFrame:
    """The result table: id, kept columns, values in tree order, flags, rank, tier, missing note.

    Built from whole columns without consolidating them into blocks, so a million units cost no
    copy of columns that need no rounding or missing code.
    """
    n = len(df)
    miss_code = spec.output_missing
    floats: dict[str, tuple[np.ndarray, int | None]] = {}
    ints: dict[str, np.ndarray] = {}
    texts: dict[str, Any] = {}

    def num(x: np.ndarray, decimals: int | None = None) -> tuple[np.ndarray, int | None]:
        return (x, decimals)  # rounded and filled when written into the block

    def emit_values(node: Node) -> None:
        for m in spec.members_of(node):
            if spec.is_indicator(m):
                floats[spec.output_of(spec.indicator(m))] = num(state["norm"][m])
            else:
                emit_values(spec.node(m))
        res = state["nodes"][node.code]
        floats[spec.score_column_of(node)] = num(res["score"], node.output_decimals)
        if "rescaled" in res:
            floats[node.rescale.column or f"{node.code}_rescaled"] = num(
                res["rescaled"], node.rescale.output_decimals)
        if "percentile" in res:
            floats[spec.percentile_column_of(node)] = num(res["percentile"])

    def emit_flags(node: Node) -> None:
        for m in spec.members_of(node):
            if spec.is_indicator(m):
                if m in state["flag"]:
                    ints[spec.flag_column_of(spec.indicator(m))] = state["flag"][m]
            else:
                emit_flags(spec.node(m))
        res = state["nodes"][node.code]
        if "flag_count" in res and (node.flag_count_column or node is spec.overall):
            ints[node.flag_count_column or "flag_count"] = res["flag_count"]

    emit_values(spec.overall)
    emit_flags(spec.overall)
    ov = state["nodes"][spec.overall.code]
    if "rank" in ov and spec.overall.rank_column:
        ints[spec.overall.rank_column] = ov["rank"]
    if "tier" in ov:
        t = spec.overall.tiers
        labels = np.asarray(t.tier_labels, dtype=object)
        tier = ov["tier"]
        lab = np.empty(n, dtype=object)
        ok = np.isfinite(tier)
        lab[:] = None
        lab[ok] = labels[tier[ok].astype(np.int64) - 1]
        texts[t.column] = lab
    texts[spec.missing_column] = _missing_text(spec, state, n)

    cols: dict[str, Any] = {spec.id_column: ids}
    for c in spec.keep_columns:
        if c != spec.id_column:
            cols[c] = df[c].to_numpy()
    names = [*cols, *floats, *ints, *texts]
    if len(set(names)) != len(names):
        dup = next(c for c in names if names.count(c) > 1)
        raise SpecError(f"spec {spec.name}: two outputs are both named '{dup}'")
    for c, (x, d) in floats.items():
        v = x if d is None else np.round(x, d)
        if miss_code is not None:
            bad = ~np.isfinite(v)
            if bad.any():
                v = np.where(bad, miss_code, v)
        cols[c] = v
    for c, x in ints.items():
        ok = np.isfinite(x)
        if ok.all():
            cols[c] = x.astype(np.int64)
        elif miss_code is not None:
            cols[c] = np.where(ok, x, miss_code).astype(np.int64)
        else:
            cols[c] = pd.arrays.IntegerArray(np.where(ok, x, 0).astype(np.int64), ~ok)
    cols.update(texts)
    # copy=False: no consolidation; columns without missing values share the stage arrays
    out = pd.DataFrame(cols, index=df.index, copy=False)
    return out
