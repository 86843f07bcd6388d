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

The build itself is the typed sequence of steps of :mod:`equitable.index._steps`, made of the
fit/transform parts of :mod:`equitable.index._parts`; this module reads and checks the input,
runs the steps (fitting them on the reference population first when one is given) and writes the
stage and output tables. ``replay(result.log)`` runs the logged steps again.
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
from equitable.index._io import check_columns, numeric_column
from equitable.index._spec import IndexSpec, Indicator, Node
from equitable.index._steps import BuildState, Step, plan, run_steps

__all__ = ["BuildLog", "IndexResult", "compute_index", "replay"]

_ROW_OFFSET = 2


class BuildLog(list):
    """The log of one build (as COINr's): a list of dicts, one per step, with the step's settings
    and counts (no unit values), plus what :func:`replay` needs to run the build again:

    ``spec`` (the validated spec), ``data`` and ``reference`` (the input tables as given, not
    copied; ``reference`` None when the units are their own reference), ``source`` (the input's
    name for messages) and ``steps`` (the typed steps of :mod:`equitable.index._steps`, with
    their fitted parts).
    """

    def __init__(self, entries: list[dict[str, Any]], *, spec: IndexSpec, data: pd.DataFrame,
                 reference: pd.DataFrame | None, source: str, steps: list[Step]) -> None:
        super().__init__(entries)
        self.spec = spec
        self.data = data
        self.reference = reference
        self.source = source
        self.steps = steps


def replay(log: BuildLog) -> IndexResult:
    """Run a build again from its log: the log's steps (copied, unfitted parts refitted) on the
    log's inputs. Gives the same table, stages and log as the build that wrote it, byte for
    byte (COINr's ``Regen``).

    Raises the errors of :func:`compute_index` if the inputs were changed since.
    """
    import copy

    steps = copy.deepcopy(log.steps)
    return compute_index(log.spec, log.data, source=log.source, reference=log.reference, steps=steps)


class IndexResult:
    """One build of an index (see module docstring for the stage tables).

    Attributes
    ----------
    spec : the validated spec used.
    table : (n units, id + output columns) the result, published column names for presets.
    raw, treated, normalised, aggregated : the stage tables (built on first access).
    log : :class:`BuildLog`, one dict per step with the step's settings and counts (no unit
        values); ``replay(result.log)`` reproduces the result.
    state : :class:`equitable.index._steps.BuildState`, the typed arrays behind the stages.
    source : the input's name (file path) used in messages.
    """

    def __init__(self, spec: IndexSpec, table: pd.DataFrame, stages: dict[str, dict[str, np.ndarray]],
                 ids: np.ndarray, index: pd.Index, log: BuildLog, source: str | None,
                 state: BuildState) -> None:
        self.spec = spec
        self.table = table
        self.log = log
        self.source = source
        self.state = state
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

    @property
    def fitted(self) -> dict[str, dict[str, Any]]:
        """What each part learned from the reference population, by part: per indicator
        ``"winsorise:CODE"`` (``bounds``), ``"normalise:CODE"`` (the reference size ``n`` and
        ``mean``/``sd``, ``min``/``max``), ``"impute:CODE"`` (``fill``); per node
        ``"rescale:CODE"`` (``max``), ``"percentile:CODE"`` (``n``); ``"rank"`` (``n`` scored)."""
        out: dict[str, dict[str, Any]] = {}
        for step in self.log.steps:
            out.update(step.fitted())
        return out

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

        def where(i: int, name: str = name) -> str:
            return location(source, i + _ROW_OFFSET, name)

        check_range(v, where, lo=lo, hi=hi, what=f"value of '{pattern}'", allowed=codes)


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
            assert ind.column is not None, "an indicator without an expression has a column"
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


def _flags_missing(spec: IndexSpec, state: BuildState, ids: np.ndarray, source: str,
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
    for code, f in state.flag.items():
        f = f.copy()
        f[rows] = np.nan
        state.flag[code] = f
    for res in state.nodes.values():
        if res.flag_count is not None:
            fc = res.flag_count.copy()
            fc[rows] = np.nan
            res.flag_count = fc
    log.append({"step": "flags_missing", "ids": list(spec.flags_missing_for), "units": int(rows.size),
                "note": "flags written as missing, as the published file has them"})


def _missing_text(spec: IndexSpec, state: BuildState, n: int) -> np.ndarray:
    """Per unit: which indicators were missing and how each was handled, e.g.
    ``"reweighted: LEAD, LBW"`` or ``"not scored (too few indicators in POP_CHAR); reweighted: ..."``;
    "" for a unit with every indicator. Text is built once per pattern of missing indicators."""
    out = np.full(n, "", dtype=object)
    labels = {"exclude": "excluded", "reweight": "reweighted"}
    inds = list(spec.indicators)
    nodes = spec.build_order()
    anymiss = np.zeros(n, dtype=bool)
    for ind in inds:
        anymiss |= ~state.present[ind.code]
    rows = np.flatnonzero(anymiss)
    if rows.size == 0:
        return out
    keys = [~state.present[ind.code][rows] for ind in inds]
    keys += [state.nodes[nd.code].not_scored[rows] for nd in nodes]
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
    steps: list[Step] | None = None,
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
    steps : the build's steps (default :func:`equitable.index._steps.plan` of ``spec``); given
        by :func:`replay`. Their parts are fitted in place.

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
            if steps is None:
                steps = plan(spec)
            if reference is not None:
                rsrc = reference.attrs.get("source") or "<reference>"
                _ids(spec, reference, rsrc)
                _, RX = _read_indicators(spec, reference, rsrc)
                run_steps(spec, steps, RX, len(reference), rsrc, True, None)  # fit on the reference
                log.append({"step": "reference", "source": rsrc, "units": len(reference)})
            state = run_steps(spec, steps, X, n, src, reference is None, log)
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
        "treated": {ind.code: state.treated[ind.code] for ind in spec.indicators},
        "normalised": {spec.output_of(ind): state.norm[ind.code] for ind in spec.indicators},
        "aggregated": {},
    }
    agg = stages["aggregated"]
    for node in spec.build_order():
        res = state.nodes[node.code]
        agg[spec.score_column_of(node)] = res.score
        if res.rescaled is not None:
            assert node.rescale is not None, "only a node with 'rescale' is rescaled"
            agg[node.rescale.column or f"{node.code}_rescaled"] = res.rescaled
        if res.percentile is not None:
            pc = spec.percentile_column_of(node)
            assert pc is not None, "only a node with 'percentile' has percentiles"
            agg[pc] = res.percentile
        if res.flag_count is not None:
            agg[node.flag_count_column or f"{node.code}_flag_count"] = res.flag_count
    ov = state.nodes[spec.overall.code]
    if ov.rank is not None:
        agg["rank"] = ov.rank
    if ov.tier is not None:
        agg["tier_number"] = ov.tier

    table = _output_table(spec, df, ids, state)
    blog = BuildLog(log, spec=spec, data=df, reference=reference, source=src, steps=steps)
    return IndexResult(spec, table, stages, ids, df.index, blog, src, state)


def _output_table(spec: IndexSpec, df: pd.DataFrame, ids: np.ndarray, state: BuildState) -> pd.DataFrame:
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
                floats[spec.output_of(spec.indicator(m))] = num(state.norm[m])
            else:
                emit_values(spec.node(m))
        res = state.nodes[node.code]
        floats[spec.score_column_of(node)] = num(res.score, node.output_decimals)
        if res.rescaled is not None:
            assert node.rescale is not None, "only a node with 'rescale' is rescaled"
            floats[node.rescale.column or f"{node.code}_rescaled"] = num(
                res.rescaled, node.rescale.output_decimals)
        if res.percentile is not None:
            pc = spec.percentile_column_of(node)
            assert pc is not None, "only a node with 'percentile' has percentiles"
            floats[pc] = num(res.percentile)

    def emit_flags(node: Node) -> None:
        for m in spec.members_of(node):
            if spec.is_indicator(m):
                if m in state.flag:
                    fcol = spec.flag_column_of(spec.indicator(m))
                    assert fcol is not None, "only an indicator with a flag rule is flagged"
                    ints[fcol] = state.flag[m]
            else:
                emit_flags(spec.node(m))
        res = state.nodes[node.code]
        if res.flag_count is not None and (node.flag_count_column or node is spec.overall):
            ints[node.flag_count_column or "flag_count"] = res.flag_count

    emit_values(spec.overall)
    emit_flags(spec.overall)
    ov = state.nodes[spec.overall.code]
    if ov.rank is not None and spec.overall.rank_column:
        ints[spec.overall.rank_column] = ov.rank
    if ov.tier is not None:
        t = spec.overall.tiers
        assert t is not None, "only an overall node with 'tiers' is tiered"
        labels = np.asarray(t.tier_labels, dtype=object)
        tier = ov.tier
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
