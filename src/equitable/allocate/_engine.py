"""The allocation engine: a schools table and a rule -> integer amounts that add up exactly."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from equitable.allocate._rules import (
    Eligibility,
    ProportionalRule,
    TierRatesRule,
)
from equitable.allocate._solve import Infeasible, apportion
from equitable.checks import did_you_mean
from equitable.errors import InputError, SpecError, location

__all__ = ["AllocationResult", "allocate"]

BOUND_LABELS = ("floor", "cap", "hold_harmless", "none")


@dataclass
class AllocationResult:
    """The outcome of :func:`allocate`.

    Attributes
    ----------
    table : DataFrame, one row per input school, in input order, with columns
        ``<id_column>`` (str), ``enrollment`` (float), ``tier`` (str; tier rules only),
        ``eligible`` (bool), ``need_weight`` (float: the rule's weight per pupil, 0 if ineligible),
        ``amount_cents`` (int64; money rules) or ``fte_units`` (int64) and ``fte`` (float;
        positions rules), ``per_pupil_dollars`` (float; money rules) or ``fte_per_pupil``
        (float; positions rules), NaN when enrollment is 0,
        ``lower_units``/``upper_units`` (int64 / nullable Int64: the school's bounds in the
        rule's integer unit, upper <NA> when uncapped) and ``bound`` (``"floor"``, ``"cap"``,
        ``"hold_harmless"`` or ``"none"``: which bound holds the school).
    rule : the rule applied.
    total_units : sum of the integer amounts (cents or FTE units); equals the budget exactly.
    scale : the solved multiplier (units per unit of ``enrollment x need_weight``).
    rates : tier -> per-pupil dollars (or FTE per pupil) for schools no bound holds; tier rules.
    notes : plain-language remarks (e.g. schools without a prior-year amount, remainder ties).
    remainder_ties : each exact tie in the largest-remainder rounding that the rule's
        ``tie_break`` decided: ``remainder`` (the tied fraction of a cent or FTE unit),
        ``schools`` (ids of every school in the tie), ``given`` (ids that got the extra unit; or
        ``taken``, ids that gave one back), ``rule`` (``"id"`` or ``"need"``), ``note``.
    """

    table: pd.DataFrame
    rule: TierRatesRule | ProportionalRule
    total_units: int
    scale: float
    rates: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str | None = None
    remainder_ties: list[dict] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """``"cents"`` for a money rule, ``"fte"`` for a positions rule."""
        return "fte" if self.rule.is_positions else "cents"

    @property
    def total_cents(self) -> int | None:
        """The total in cents (``None`` for a positions rule)."""
        return None if self.rule.is_positions else self.total_units

    @property
    def total_fte(self) -> float | None:
        """The total in FTE (``None`` for a money rule)."""
        return self.total_units * float(self.rule.fte_unit) if self.rule.is_positions else None

    @property
    def amount_column(self) -> str:
        return "fte_units" if self.rule.is_positions else "amount_cents"


# --------------------------------------------------------------------------------------------
def _where(source: str | None, pos: int | None = None, column: str | None = None,
           school: str | None = None) -> str:
    """``file, row N, column 'x'`` when the table came from a file, else ``school <id>``."""
    if source is not None:
        return location(source, None if pos is None else pos + 2, column)
    parts = []
    if school is not None:
        parts.append(f"school {school}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts) or "schools table"


def _need_column(df: pd.DataFrame, col: str, key: str, source: str | None) -> None:
    if col not in df.columns:
        cols = ", ".join(map(str, df.columns[:15])) + (", ..." if len(df.columns) > 15 else "")
        where = source or "the schools table"
        raise SpecError(f"rule key '{key}': column '{col}' not found in {where}"
                        f"{did_you_mean(col, df.columns)} (columns: {cols})")


def _numeric(df: pd.DataFrame, col: str, source: str | None, ids: pd.Series,
             allow_missing: bool = False) -> np.ndarray:
    from equitable.checks import check_magnitude, parse_numbers

    raw = df[col]

    def where(pos: int) -> str:
        return _where(source, pos, col, ids.iloc[pos])

    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        arr = raw.to_numpy(dtype=float, na_value=np.nan)
        check_magnitude(arr, where)
    else:
        # the one number rule (equitable.checks): "1,234" accepted; "1,23", "inf" refused
        text = raw.astype(object)
        blank = (text.isna() | (text.astype(str).str.strip() == "")).to_numpy()
        arr = parse_numbers(text.where(text.isna(), text.astype(str).str.strip()), blank, where)
    if not allow_missing and np.isnan(arr).any():
        pos = int(np.flatnonzero(np.isnan(arr))[0])
        n = int(np.isnan(arr).sum())
        raise InputError(
            f"{_where(source, pos, col, ids.iloc[pos])}: value is missing"
            + (f" ({n} rows)" if n > 1 else "")
        )
    return arr


def _ids(df: pd.DataFrame, col: str, source: str | None) -> pd.Series:
    raw = df[col]
    missing = raw.isna() | (raw.astype(str).str.strip() == "")
    if missing.any():
        pos = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError(f"{_where(source, pos, col)}: school id is missing")
    ids = raw.astype(str).str.strip()
    dup = ids.duplicated(keep=False)
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        pos = int(rows[1])
        raise InputError(
            f"{_where(source, pos, col, ids.iloc[pos])}: duplicate school id "
            f"({int(ids[dup].nunique())} ids appear more than once)"
        )
    return ids.reset_index(drop=True)


class SchoolTable:
    """The schools table as a rule kind reads it: ``df`` (rows 0..n-1), ``source`` (the file,
    for messages with 1-based line numbers; None for a table built in code) and ``ids``
    (the checked school ids, text)."""

    def __init__(self, df: pd.DataFrame, source: str | None, ids: pd.Series) -> None:
        self.df = df
        self.source = source
        self.ids = ids

    @property
    def name(self) -> str:
        """The file, or "the schools table", for messages."""
        return self.source or "the schools table"

    def need_column(self, col: str, key: str) -> None:
        """A SpecError naming rule key ``key`` when column ``col`` is absent."""
        _need_column(self.df, col, key, self.source)

    def numeric(self, col: str, allow_missing: bool = False) -> np.ndarray:
        """Column ``col`` as float (NaN = missing, an InputError unless ``allow_missing``)."""
        return _numeric(self.df, col, self.source, self.ids, allow_missing=allow_missing)

    def tiers(self, col: str) -> pd.Series:
        """Column ``col`` as tier labels (:func:`tier_labels`)."""
        return tier_labels(self.df[col])

    def where(self, pos: int, column: str | None = None) -> str:
        """``file, row N, column 'x'`` of school ``pos`` (0-based)."""
        return _where(self.source, pos, column, self.ids.iloc[pos])


def _eligible(df: pd.DataFrame, elig: Eligibility | None, rule: Any, source: str | None,
              ids: pd.Series, notes: list[str]) -> np.ndarray:
    n = len(df)
    ok = np.ones(n, dtype=bool)
    if elig is None:
        return ok
    if elig.tiers is not None:
        tcol = elig.tier_column or getattr(rule, "tier_column", None) or "tier"
        _need_column(df, tcol, "eligibility.tier_column", source)
        ok &= tier_labels(df[tcol]).isin([t.strip() for t in elig.tiers]).to_numpy()
    for col, values in elig.include.items():
        _need_column(df, col, f"eligibility.include.{col}", source)
        ok &= df[col].astype(str).str.strip().isin([str(v).strip() for v in values]).to_numpy()
    for col, values in elig.exclude.items():
        _need_column(df, col, f"eligibility.exclude.{col}", source)
        ok &= ~df[col].astype(str).str.strip().isin([str(v).strip() for v in values]).to_numpy()
    for th in elig.all_thresholds():
        _need_column(df, th.column, "eligibility.thresholds", source)
        x = _numeric(df, th.column, source, ids, allow_missing=True)
        miss = np.isnan(x)
        if miss.any():
            if elig.missing == "error":
                pos = int(np.flatnonzero(miss)[0])
                raise InputError(
                    f"{_where(source, pos, th.column, ids.iloc[pos])}: value is missing "
                    f"({int(miss.sum())} rows); set eligibility.missing = \"ineligible\" to "
                    "treat such schools as not eligible"
                )
            notes.append(f"{int(miss.sum())} schools lack '{th.column}' and are not eligible")
        with np.errstate(invalid="ignore"):
            test = {
                ">": x > th.value, ">=": x >= th.value, "<": x < th.value,
                "<=": x <= th.value, "==": x == th.value, "!=": x != th.value,
            }[th.op]
        ok &= test & ~miss
    return ok


def tier_labels(raw: pd.Series) -> pd.Series:
    """Tier values as text labels (``3.0`` -> ``"3"``); missing stays ``None``."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        num = raw.astype(float)
        if np.all(np.isnan(num) | (num == np.round(num))):
            txt = num.map(lambda x: None if np.isnan(x) else str(int(x)))
            return txt.astype(object)
    out = raw.astype(str).str.strip()
    return out.where(raw.notna() & (out != ""), None).astype(object)


def _units_of(value: float, rule: Any) -> float:
    """Rule unit (dollars or FTE) -> integer units (cents or FTE units), unrounded."""
    if rule.is_positions:
        return value / float(rule.fte_unit)
    return value * 100.0


def _ceil(x: np.ndarray) -> np.ndarray:
    # tolerate float noise such as 100.00000000001 when the exact value is an integer
    return np.ceil(np.round(x, 6))


def _floor(x: np.ndarray) -> np.ndarray:
    return np.floor(np.round(x, 6))


def allocate(
    schools: pd.DataFrame,
    rule: TierRatesRule | ProportionalRule,
    *,
    source: str | None = None,
) -> AllocationResult:
    """Apply an allocation rule to a schools table.

    Every school ``i`` gets ``clip(lambda * e_i * v_i, L_i, U_i)`` rounded to whole cents (or FTE
    units) by largest remainders, where ``e_i`` is its enrollment, ``v_i`` its need weight per
    pupil (its tier's weight or rate, or ``base_weight + need_weight * need``), ``L_i``/``U_i`` its
    bounds and ``lambda`` is solved so that the amounts add up to the budget exactly. Ineligible
    schools get 0. See docs/allocate.md for each rule's formula.

    Parameters
    ----------
    schools : one row per school; needs the rule's ``id_column`` and ``enrollment_column`` and
        the columns its tiers, need, eligibility and hold-harmless name.
    rule : a rule from :func:`parse_rule` or :func:`load_rule`.
    source : the file the table came from, named with 1-based line numbers in errors.

    Returns
    -------
    AllocationResult

    Raises
    ------
    SpecError
        A column the rule names is absent; a tier in the data has no weight; a weight names a tier
        no school has; fixed rates cost more or less than the budget; the bounds make the budget
        infeasible.
    InputError
        Missing or duplicate ids; enrollment, need or prior-year values missing, not numbers or
        negative.
    """
    if not isinstance(schools, pd.DataFrame):
        raise InputError("allocate() needs a pandas DataFrame of schools")
    df = schools.reset_index(drop=True)
    notes: list[str] = []
    _need_column(df, rule.id_column, "id_column", source)
    _need_column(df, rule.enrollment_column, "enrollment_column", source)
    ids = _ids(df, rule.id_column, source)
    enr = _numeric(df, rule.enrollment_column, source, ids)
    if (enr < 0).any():
        pos = int(np.flatnonzero(enr < 0)[0])
        raise InputError(
            f"{_where(source, pos, rule.enrollment_column, ids.iloc[pos])}: enrollment is "
            f"negative ({enr[pos]:g})"
        )
    frac = ~np.isnan(enr) & (enr != np.floor(enr))
    if frac.any():
        # enrollment is a count of students: 412.5 is a damaged cell, never rounded silently
        pos = int(np.flatnonzero(frac)[0])
        more = int(frac.sum()) - 1
        raise InputError(
            f"{_where(source, pos, rule.enrollment_column, ids.iloc[pos])}: enrollment "
            f"{enr[pos]:g} is not a whole number (a count of students)"
            + (f" ({more} more in this column)" if more else "")
        )
    n = len(df)
    if n == 0:
        raise InputError(f"{source or 'the schools table'}: no schools")

    table = SchoolTable(df, source, ids)
    eligible = _eligible(df, rule.eligibility, rule, source, ids, notes)
    # the rule kind decides each school's weight per pupil (and may narrow eligibility)
    pw = rule.pupil_weights(table, eligible, notes)
    eligible, per_pupil_weight, tiers = pw.eligible, pw.per_pupil, pw.tiers

    weight = enr * per_pupil_weight  # units of "weighted pupils"

    # ---- the total ----
    total = rule.units_to_distribute(weight, table)
    if total > 0 and not (eligible & (weight > 0)).any() and rule.bounds is None:
        raise SpecError(
            f"{source or 'the schools table'}: no eligible school has a positive weight "
            f"({int(eligible.sum())} of {n} schools eligible), so the budget cannot be spent"
        )

    # ---- bounds ----
    lower = np.zeros(n)
    upper = np.full(n, np.inf)
    lower_src = np.array(["none"] * n, dtype=object)
    b = rule.bounds
    if b is not None:
        cands: list[tuple[np.ndarray, str]] = []
        if b.floor is not None:
            cands.append((np.full(n, _units_of(b.floor, rule)), "floor"))
        if b.floor_per_pupil is not None:
            cands.append((enr * _units_of(b.floor_per_pupil, rule), "floor"))
        if b.hold_harmless is not None:
            hh = b.hold_harmless
            _need_column(df, hh.column, "bounds.hold_harmless.column", source)
            prior = _numeric(df, hh.column, source, ids, allow_missing=True)
            if (prior < 0).any():
                pos = int(np.flatnonzero(prior < 0)[0])
                raise InputError(
                    f"{_where(source, pos, hh.column, ids.iloc[pos])}: prior-year amount is "
                    f"negative ({prior[pos]:g})"
                )
            nprior = int((eligible & np.isnan(prior)).sum())
            if nprior:
                notes.append(
                    f"{nprior} eligible schools have no prior-year amount in '{hh.column}' "
                    "(no hold-harmless for them)"
                )
            if rule.is_positions and hh.unit != "fte":
                raise SpecError(
                    "rule key 'bounds.hold_harmless.unit': a positions rule needs unit = \"fte\""
                )
            if not rule.is_positions and hh.unit == "fte":
                raise SpecError(
                    "rule key 'bounds.hold_harmless.unit': a money rule needs \"dollars\" or "
                    "\"cents\""
                )
            if hh.unit == "cents":
                prior_units = prior
            elif hh.unit == "fte":
                prior_units = prior / float(rule.fte_unit)
            else:
                prior_units = prior * 100.0
            cands.append((np.nan_to_num(prior_units * hh.pct / 100.0, nan=0.0), "hold_harmless"))
        for arr, label in cands:
            arr = _ceil(arr)
            bigger = arr > lower
            lower_src = np.where(bigger & (arr > 0), label, lower_src)
            lower = np.maximum(lower, arr)
        if b.cap is not None:
            upper = np.minimum(upper, _floor(np.full(n, _units_of(b.cap, rule))))
        if b.cap_per_pupil is not None:
            upper = np.minimum(upper, _floor(enr * _units_of(b.cap_per_pupil, rule)))
    lower = np.where(eligible, lower, 0.0)
    upper = np.where(eligible, upper, 0.0)
    lower_src = np.where(eligible, lower_src, "none")
    clash = lower > upper
    if clash.any():
        pos = int(np.flatnonzero(clash)[0])
        lo_s = _fmt_units(lower[pos], rule)
        up_s = _fmt_units(upper[pos], rule)
        raise SpecError(
            f"{_where(source, pos, None, ids.iloc[pos])}: the school's lower bound "
            f"({lower_src[pos]}) {lo_s} is above its cap {up_s} "
            f"({int(clash.sum())} schools); the bounds are infeasible"
        )

    # ---- solve ----
    # exact ties in the remainders: ascending id, or (tie_break = "need") the higher need score
    # (tie_break_column, else need_column) first, then ascending id
    tiebreak = np.empty(n, dtype=np.int64)
    if rule.tie_break == "need":
        col = rule.tie_break_column or (rule.need_column if isinstance(rule, ProportionalRule) else None)
        assert col is not None, "tie_break = 'need' has a column (_RuleBase._tie_break_ok)"
        _need_column(df, col, "tie_break_column" if rule.tie_break_column else "need_column", source)
        score = _numeric(df, col, source, ids, allow_missing=True)
        score = np.where(np.isnan(score), -np.inf, score)  # no score: after every scored school
        order = np.lexsort((np.argsort(np.argsort(ids.to_numpy(), kind="stable")), -score))
    else:
        order = np.argsort(ids.to_numpy(), kind="stable")
    tiebreak[order] = np.arange(n)
    ties: list[dict] = []
    try:
        units, _quota, scale = apportion(total, weight, lower, upper, tiebreak, ties)
    except Infeasible as exc:
        what = "positions" if rule.is_positions else "budget"
        if exc.kind == "lower":
            raise SpecError(
                f"rule key 'bounds': infeasible: the floors and hold-harmless amounts of the "
                f"eligible schools add up to {_fmt_units(exc.reachable, rule)}, more than the "
                f"{what} of {_fmt_units(total, rule)}"
            ) from None
        raise SpecError(
            f"rule key 'bounds': infeasible: the caps allow at most "
            f"{_fmt_units(exc.reachable, rule)} for the eligible schools, less than the "
            f"{what} of {_fmt_units(total, rule)}"
        ) from None

    ideal = scale * weight
    bound = np.array(["none"] * n, dtype=object)
    at_lower = eligible & (ideal <= lower) & (lower > 0)
    at_upper = eligible & (ideal >= upper) & ~at_lower
    bound[at_lower] = lower_src[at_lower]
    bound[at_upper] = "cap"

    out = pd.DataFrame({rule.id_column: ids, "enrollment": enr})
    if tiers is not None:
        out["tier"] = tiers.to_numpy()
    out["eligible"] = eligible
    out["need_weight"] = per_pupil_weight
    with np.errstate(divide="ignore", invalid="ignore"):
        if rule.is_positions:
            fte = units * float(rule.fte_unit)
            out["fte_units"] = units.astype(np.int64)
            out["fte"] = fte
            out["fte_per_pupil"] = np.where(enr > 0, fte / enr, np.nan)
        else:
            out["amount_cents"] = units.astype(np.int64)
            out["per_pupil_dollars"] = np.where(enr > 0, units / 100.0 / enr, np.nan)
    out["lower_units"] = lower.astype(np.int64)
    out["upper_units"] = pd.array(
        [pd.NA if math.isinf(u) else int(u) for u in upper], dtype="Int64"
    )
    out["bound"] = bound

    tie_records = _tie_records(ties, ids, rule)
    for tr in tie_records:
        notes.append(tr["note"])
    rates = rule.rates_per_pupil(scale)
    return AllocationResult(
        table=out, rule=rule, total_units=int(units.sum()), scale=scale, rates=rates,
        notes=notes, source=source, remainder_ties=tie_records,
    )


_TIE_RULES = {"id": "ascending id", "need": "higher need score first, then ascending id"}


def _tie_records(ties: list[dict], ids: pd.Series, rule: Any) -> list[dict]:
    """Exact remainder ties the tie-break decided, by school id, each with a one-line note."""
    unit = "FTE unit" if rule.is_positions else "cent"
    out = []
    for t in ties:
        kind = "given" if "given" in t else "taken"
        tied = [str(ids.iloc[i]) for i in t["tied"]]
        moved = [str(ids.iloc[i]) for i in t[kind]]
        verb = "got the extra" if kind == "given" else "gave back one"
        shown = ", ".join(moved[:10]) + (f" and {len(moved) - 10} more" if len(moved) > 10 else "")
        note = (f"largest remainder: {len(tied)} schools had exactly equal remainders "
                f"({t['remainder']:.6g} of a {unit}); {len(moved)} of them {verb} {unit} by the "
                f"tie-break rule '{rule.tie_break}' ({_TIE_RULES[rule.tie_break]}"
                + (f", '{rule.tie_break_column or rule.need_column}'" if rule.tie_break == "need" else "")
                + "): " + shown)
        out.append({"remainder": t["remainder"], "schools": tied, kind: moved,
                    "rule": rule.tie_break, "note": note})
    return out


def _fmt_units(x: float, rule: Any) -> str:
    if rule.is_positions:
        return f"{x * float(rule.fte_unit):g} FTE"
    return f"${x / 100:,.2f}"
