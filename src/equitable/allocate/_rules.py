"""Allocation rules: validated pydantic models read from TOML (see docs/allocate.md).

A rule is a discriminated union on ``kind``:

* ``tier_rates``  - a per-pupil amount per tier, fixed (``[rates]``) or solved from relative
  weights (``[weights]``, ``solve = true``) so that the school amounts add up to the budget;
* ``proportional`` - money in proportion to ``enrollment x (base_weight + need_weight x need)``.

Both share the budget (``budget`` in dollars, or ``positions`` in FTE), the id and enrollment
columns, the optional ``[eligibility]`` filters and the optional ``[bounds]`` (floors, caps and
hold-harmless).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from equitable.checks import did_you_mean
from equitable.errors import InputError, SpecError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from equitable.allocate._engine import SchoolTable

__all__ = [
    "AllocationRule",
    "Bounds",
    "Eligibility",
    "EquityMultiplier",
    "HoldHarmless",
    "ProportionalRule",
    "PupilWeights",
    "RuleKind",
    "Threshold",
    "TierRatesRule",
    "dollars_to_cents",
    "load_rule",
    "parse_rule",
]

RULE_KINDS = ("tier_rates", "proportional")


def _to_decimal(value: Any, what: str) -> Decimal:
    """A TOML number (or a numeric string such as ``"700,000,000"``) as an exact Decimal."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} must be a number, got {value!r}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number, got {value!r}")
        d = Decimal(repr(value))  # the shortest decimal that round-trips: 0.1 -> Decimal("0.1")
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "").lstrip("$")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{what} must be a number, got {value!r}") from None
        if not d.is_finite():
            raise ValueError(f"{what} must be a finite number, got {value!r}")
    else:
        raise ValueError(f"{what} must be a number, got {value!r}")
    return d


# $10 trillion in cents: far above any budget, far below 2**63 / the largest tier weight.
MAX_CENTS = 10**15


def dollars_to_cents(value: Any, what: str = "amount") -> int:
    """Convert dollars (int, float, Decimal or numeric string) to integer cents exactly.

    Raises ``ValueError`` for a non-number or an amount with fractions of a cent.
    """
    d = _to_decimal(value, what) * 100
    if d != d.to_integral_value():
        raise ValueError(f"{what} has a fraction of a cent: {value!r}")
    if abs(d) > MAX_CENTS:  # past this, cents overflow the solver's 64-bit integers
        raise ValueError(f"{what} is more than $10,000,000,000,000, got {value!r}")
    return int(d)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Model):
    """Keep a school when ``column op value`` holds (e.g. ``sed_pct > 70``)."""

    column: str
    op: Literal[">", ">=", "<", "<=", "==", "!="]
    value: float


class EquityMultiplier(_Model):
    """LCFF Equity Multiplier eligibility (Education Code section 42238.024(a)).

    A school site is eligible when its prior-year non-stability rate is greater than 25% and its
    prior-year socioeconomically disadvantaged pupil rate is greater than 70% (both 0-100 here).
    """

    nonstability_column: str = "prior_year_nonstability_rate_pct"
    sed_column: str = "prior_year_sed_pct"
    nonstability_over_pct: float = 25.0
    sed_over_pct: float = 70.0

    def thresholds(self) -> list[Threshold]:
        return [
            Threshold(column=self.nonstability_column, op=">", value=self.nonstability_over_pct),
            Threshold(column=self.sed_column, op=">", value=self.sed_over_pct),
        ]


class Eligibility(_Model):
    """Which schools may receive money: all conditions must hold (logical AND).

    ``tiers``: tier labels kept (read from ``tier_column``); ``include``/``exclude``: column ->
    values kept / dropped (compared as text, e.g. school types); ``thresholds``: numeric tests;
    ``equity_multiplier``: the LCFF Equity Multiplier test (``true`` for the default columns).
    ``missing``: what a missing value in a tested column means: ``"error"`` (default) or
    ``"ineligible"``.
    """

    tiers: list[str] | None = None
    tier_column: str | None = None
    include: dict[str, list[str | int | float]] = Field(default_factory=dict)
    exclude: dict[str, list[str | int | float]] = Field(default_factory=dict)
    thresholds: list[Threshold] = Field(default_factory=list)
    equity_multiplier: EquityMultiplier | None = None
    missing: Literal["error", "ineligible"] = "error"

    @field_validator("equity_multiplier", mode="before")
    @classmethod
    def _em_bool(cls, v: Any) -> Any:
        if v is True:
            return {}
        if v is False:
            return None
        return v

    def all_thresholds(self) -> list[Threshold]:
        extra = self.equity_multiplier.thresholds() if self.equity_multiplier else []
        return [*self.thresholds, *extra]


class HoldHarmless(_Model):
    """No eligible school gets less than ``pct`` % of its prior-year amount in ``column``."""

    column: str
    pct: float = Field(gt=0, le=100)
    unit: Literal["dollars", "cents", "fte"] = "dollars"


class Bounds(_Model):
    """Per-school bounds, in the rule's unit (dollars, or FTE for a positions rule).

    ``floor``/``cap``: per school; ``floor_per_pupil``/``cap_per_pupil``: times the school's
    enrollment; ``hold_harmless``: a share of the prior-year amount. A school's lower bound is the
    largest of its floors, its upper bound the smallest of its caps. Bounds apply to eligible
    schools only (an ineligible school is never paid).
    """

    floor: float | None = Field(default=None, ge=0)
    cap: float | None = Field(default=None, ge=0)
    floor_per_pupil: float | None = Field(default=None, ge=0)
    cap_per_pupil: float | None = Field(default=None, ge=0)
    hold_harmless: HoldHarmless | None = None


@dataclass
class PupilWeights:
    """What a rule kind decides for each school (arrays of n): ``per_pupil`` (float, the weight
    per pupil, 0 for an ineligible school), ``eligible`` (bool, the eligibility filters' result,
    possibly narrowed by the kind) and ``tiers`` (text labels; tier rules only)."""

    per_pupil: np.ndarray
    eligible: np.ndarray
    tiers: pd.Series | None = None


class RuleKind(Protocol):
    """The behaviour every allocation rule kind owns; the engine (:func:`allocate`) calls only
    these, never asks which kind it has.

    ``pupil_weights(table, eligible, notes)``: each school's weight per pupil (its amount is
    ``lambda x enrollment x weight``, clipped to its bounds); ``units_to_distribute(weight,
    table)``: the integer cents or FTE units to hand out, given ``weight`` = enrollment x weight
    per pupil; ``rates_per_pupil(scale)``: the per-pupil rate by tier for the solved ``scale``
    (``{}`` for a kind without tiers). Each raises SpecError / InputError naming the rule key or
    the file, row and column.
    """

    def pupil_weights(self, table: SchoolTable, eligible: np.ndarray, notes: list[str]) -> PupilWeights: ...

    def units_to_distribute(self, weight: np.ndarray, table: SchoolTable) -> int: ...

    def rates_per_pupil(self, scale: float) -> dict[str, float]: ...


if TYPE_CHECKING:
    FteUnit = float  # 1 or 0.5: PEP 586 allows no float in a Literal, so mypy sees a float
else:
    FteUnit = Literal[1, 0.5]  # pydantic checks the value ("Input should be 1 or 0.5")


class _RuleBase(_Model):
    budget: Any = None
    positions: float | None = Field(default=None, gt=0)
    fte_unit: FteUnit = 1
    id_column: str = "cds_code"
    enrollment_column: str = "enrollment"
    eligibility: Eligibility | None = None
    bounds: Bounds | None = None
    label: str | None = None
    tie_break: Literal["id", "need"] = "id"
    tie_break_column: str | None = None

    @model_validator(mode="after")
    def _tie_break_ok(self) -> _RuleBase:
        if self.tie_break_column is not None and self.tie_break != "need":
            raise ValueError("tie_break_column is only for tie_break = \"need\"")
        if (self.tie_break == "need" and self.tie_break_column is None
                and getattr(self, "need_column", None) is None):
            raise ValueError("tie_break = \"need\" needs tie_break_column (the need score, "
                             "higher = more need), e.g. the index's score column")
        return self

    @field_validator("budget", mode="before")
    @classmethod
    def _budget(cls, v: Any) -> Any:
        if v is None:
            return None
        cents = dollars_to_cents(v, "budget")
        if cents <= 0:
            raise ValueError(f"budget must be a positive number of dollars, got {v!r}")
        return Decimal(cents) / 100

    @property
    def is_positions(self) -> bool:
        return self.positions is not None

    @property
    def budget_cents(self) -> int | None:
        return None if self.budget is None else int(self.budget * 100)

    @property
    def total_units(self) -> int | None:
        """The amount to distribute in integer units: cents, or FTE / ``fte_unit``."""
        if self.positions is not None:
            return _fte_units(self.positions, self.fte_unit, "positions")
        return self.budget_cents

    def _check_amount(self, need_budget: bool = True) -> None:
        if self.budget is not None and self.positions is not None:
            raise ValueError("give either 'budget' (dollars) or 'positions' (FTE), not both")
        if need_budget and self.budget is None and self.positions is None:
            raise ValueError("the rule needs 'budget' (dollars) or 'positions' (FTE)")
        if self.positions is not None:
            _fte_units(self.positions, self.fte_unit, "positions")
            b = self.bounds
            if b is not None and (b.floor_per_pupil is not None or b.cap_per_pupil is not None):
                raise ValueError("per-pupil floors and caps apply to money, not to 'positions'")


def _fte_units(value: float, unit: float, what: str) -> int:
    q = Decimal(repr(float(value))) / Decimal(repr(float(unit)))
    if q != q.to_integral_value():
        raise ValueError(f"{what} = {value} is not a whole number of {unit} FTE units")
    return int(q)


class TierRatesRule(_RuleBase):
    """Per-pupil rates by tier.

    With ``[weights]`` (``solve = true``, the default) the rate of tier t is ``lambda * w_t``,
    with ``lambda`` solved so that ``sum_i rate_{t(i)} * enrollment_i`` equals the budget (after
    bounds); with ``[rates]`` (``solve = false``) the rates are fixed per-pupil dollars and the
    budget, if given, must equal what they cost.
    """

    kind: Literal["tier_rates"]
    tier_column: str = "tier"
    weights: dict[str, float] | None = None
    rates: dict[str, Any] | None = None
    solve: bool | None = None

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("[weights] is empty: give a relative weight for each tier")
        for k, w in v.items():
            if not math.isfinite(w) or w < 0:
                raise ValueError(f"the weight of tier '{k}' must be a number >= 0, got {w!r}")
        if all(w == 0 for w in v.values()):
            raise ValueError("every tier weight is 0: at least one must be positive")
        return v

    @field_validator("rates", mode="before")
    @classmethod
    def _rates(cls, v: Any) -> Any:
        if v is None:
            return v
        if not isinstance(v, dict) or not v:
            raise ValueError("[rates] must map each tier label to per-pupil dollars")
        out = {}
        for k, r in v.items():
            cents = dollars_to_cents(r, f"the rate of tier '{k}'")
            if cents < 0:
                raise ValueError(f"the rate of tier '{k}' must be >= 0, got {r!r}")
            out[str(k)] = Decimal(cents) / 100
        return out

    @model_validator(mode="after")
    def _check(self) -> TierRatesRule:
        if (self.weights is None) == (self.rates is None):
            raise ValueError("give either [weights] (solved rates) or [rates] (fixed), not both")
        if self.weights is not None and self.solve is False:
            raise ValueError("solve = false needs fixed per-pupil [rates], not [weights]")
        if self.rates is not None and self.solve is True:
            raise ValueError("solve = true needs relative [weights], not fixed [rates]")
        if self.rates is not None and self.positions is not None:
            raise ValueError("fixed per-pupil [rates] are dollars; use [weights] for 'positions'")
        self._check_amount(need_budget=self.weights is not None)
        return self

    def tier_weight(self, tier: str) -> float:
        """Relative weight of a tier: its weight, or its fixed rate in cents per pupil."""
        if self.weights is not None:
            return float(self.weights[tier])
        assert self.rates is not None
        return float(self.rates[tier] * 100)

    @property
    def tier_labels(self) -> list[str]:
        return list((self.weights if self.weights is not None else self.rates) or {})


    def pupil_weights(self, table: SchoolTable, eligible: np.ndarray, notes: list[str]) -> PupilWeights:
        """Each eligible school's tier weight (or fixed rate in cents) per pupil; 0 if ineligible.

        Raises SpecError for a tier of the rule no school has, or a school's tier the rule has no
        weight for; InputError for an eligible school without a tier."""
        import numpy as np

        table.need_column(self.tier_column, "tier_column")
        tiers = table.tiers(self.tier_column)
        labels = self.tier_labels
        key = "weights" if self.weights is not None else "rates"
        present = set(tiers.dropna())
        unused = [t for t in labels if t not in present]
        if unused:
            raise SpecError(
                f"rule key '{key}': tier "
                + ", ".join(f"'{t}'" for t in unused)
                + f" has no schools in {table.name}"
                + did_you_mean(unused[0], sorted(present - set(labels)))
                + " (tiers present: " + ", ".join(f"'{t}'" for t in sorted(present)) + ")"
            )
        miss = eligible & tiers.isna().to_numpy()
        if miss.any():
            pos = int(np.flatnonzero(miss)[0])
            raise InputError(
                f"{table.where(pos, self.tier_column)}: tier is missing "
                f"for {int(miss.sum())} eligible schools"
            )
        unknown = sorted(set(tiers[eligible].dropna()) - set(labels))
        if unknown:
            raise SpecError(
                f"rule key '{key}': no "
                f"{'weight' if self.weights is not None else 'rate'} for tier "
                + ", ".join(f"'{t}'" for t in unknown)
                + f" (found in column '{self.tier_column}' of {table.name})"
            )
        lookup = {t: self.tier_weight(t) for t in labels}
        per_pupil = np.array(
            [lookup[t] if (e and t is not None) else 0.0 for t, e in zip(tiers, eligible)]
        )
        return PupilWeights(per_pupil=per_pupil, eligible=eligible, tiers=tiers)

    def units_to_distribute(self, weight: np.ndarray, table: SchoolTable) -> int:
        """The budget in cents (or FTE units); with fixed ``[rates]`` what they cost these
        schools, which must equal the budget when one is given (and no bounds move money)."""
        total = self.total_units
        if self.rates is not None:
            fixed_cost = round(float(weight.sum()))
            if total is None:
                total = fixed_cost
            elif self.bounds is None and total != fixed_cost:
                raise SpecError(
                    f"rule key 'budget': the fixed [rates] cost ${fixed_cost / 100:,.2f} for these "
                    f"schools but the budget is ${total / 100:,.2f}; drop 'budget' or give relative "
                    "[weights] with solve = true"
                )
        assert total is not None
        return total

    def rates_per_pupil(self, scale: float) -> dict[str, float]:
        """Tier -> dollars (or FTE) per pupil for schools no bound holds, given the solved
        ``scale`` (units per weighted pupil)."""
        per_unit = float(self.fte_unit) if self.is_positions else 0.01
        return {t: scale * self.tier_weight(t) * per_unit for t in self.tier_labels}


class ProportionalRule(_RuleBase):
    """Money in proportion to ``enrollment x (base_weight + need_weight x need)``.

    ``need_column`` holds a score, a percentile or a rate; with ``need_scale = "percent"`` it is
    read on 0-100 and divided by 100 (so ``base_weight = 1``, ``need_weight = 0.2`` on
    ``unduplicated_pupil_pct`` is LCFF's 20% supplemental weight, EC 42238.02(e)). Without a
    ``need_column`` money follows enrollment alone.
    """

    kind: Literal["proportional"]
    need_column: str | None = None
    need_scale: Literal["value", "percent"] = "value"
    base_weight: float = Field(default=0.0, ge=0)
    need_weight: float = Field(default=1.0, ge=0)
    missing_need: Literal["error", "ineligible"] = "error"

    @model_validator(mode="after")
    def _check(self) -> ProportionalRule:
        self._check_amount()
        if self.need_column is None and self.base_weight == 0:
            raise ValueError("without a need_column, base_weight must be > 0")
        return self

    def pupil_weights(self, table: SchoolTable, eligible: np.ndarray, notes: list[str]) -> PupilWeights:
        """``base_weight + need_weight x need`` per pupil for eligible schools (``base_weight``
        alone without a ``need_column``); 0 if ineligible. A school without a need value is an
        InputError, or (``missing_need = "ineligible"``) not eligible, noted. A negative weight
        is an InputError."""
        import numpy as np

        if self.need_column is None:
            return PupilWeights(per_pupil=np.where(eligible, self.base_weight, 0.0), eligible=eligible)
        table.need_column(self.need_column, "need_column")
        need = table.numeric(self.need_column, allow_missing=True)
        miss = eligible & np.isnan(need)
        if miss.any():
            if self.missing_need == "error":
                pos = int(np.flatnonzero(miss)[0])
                raise InputError(
                    f"{table.where(pos, self.need_column)}: need value is "
                    f"missing ({int(miss.sum())} eligible schools); set missing_need = "
                    "\"ineligible\" to leave such schools out"
                )
            notes.append(
                f"{int(miss.sum())} schools lack '{self.need_column}' and are not eligible"
            )
            eligible = eligible & ~miss
        if self.need_scale == "percent":
            # a percent is 0-100: 150 (or a 0-1 fraction's scale mixed up) is refused
            off = ~np.isnan(need) & ((need < 0) | (need > 100))
            if off.any():
                pos = int(np.flatnonzero(off)[0])
                raise InputError(
                    f"{table.where(pos, self.need_column)}: {need[pos]:g} "
                    "is not a percent between 0 and 100 (need_scale = \"percent\")"
                )
            need = need / 100.0
        v = self.base_weight + self.need_weight * need
        neg = eligible & (v < 0)
        if neg.any():
            pos = int(np.flatnonzero(neg)[0])
            raise InputError(
                f"{table.where(pos, self.need_column)}: negative need "
                f"weight ({v[pos]:g}); use a non-negative score, percentile or rate"
            )
        return PupilWeights(per_pupil=np.where(eligible, v, 0.0), eligible=eligible)

    def units_to_distribute(self, weight: np.ndarray, table: SchoolTable) -> int:
        """The budget in cents, or the positions in FTE units."""
        total = self.total_units
        assert total is not None  # validated: budget or positions
        return total

    def rates_per_pupil(self, scale: float) -> dict[str, float]:
        """No tier rates: money follows each school's own weight."""
        return {}


AllocationRule = Annotated[TierRatesRule | ProportionalRule, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[TierRatesRule | ProportionalRule] = TypeAdapter(AllocationRule)


def _format_errors(exc: ValidationError, source: str) -> str:
    msgs = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in RULE_KINDS:
            loc = loc[1:]
        key = ".".join(loc)
        msg = err["msg"]
        msg = msg.removeprefix("Value error, ")
        etype = err["type"]
        if etype == "extra_forbidden":
            msg = "unknown key"
        elif etype == "union_tag_not_found":
            key, msg = "kind", "is missing; expected one of " + ", ".join(
                f"'{k}'" for k in RULE_KINDS)
        elif etype == "union_tag_invalid":
            key = "kind"
            given = err["input"].get("kind") if isinstance(err["input"], dict) else err["input"]
            msg = f"'{given}' is not a rule kind; expected one of " + ", ".join(
                f"'{k}'" for k in RULE_KINDS)
        msgs.append(f"key '{key}': {msg}" if key else msg)
    return f"{source}: " + "; ".join(msgs)


def parse_rule(data: dict[str, Any], *, source: str = "<rule>") -> TierRatesRule | ProportionalRule:
    """Validate a rule given as a dict (a parsed TOML table).

    Parameters
    ----------
    data : the rule's keys (``kind``, ``budget``, ``[weights]``, ...); see docs/allocate.md.
    source : named in error messages (a file name, or ``file [allocation]``).

    Returns
    -------
    TierRatesRule or ProportionalRule

    Raises
    ------
    SpecError
        ``"<source>: key 'budget': budget must be a positive number of dollars, got -5"`` and the
        like: one line naming the source and every bad key.
    """
    if not isinstance(data, dict):
        raise SpecError(f"{source}: an allocation rule must be a table, got {type(data).__name__}")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise SpecError(_format_errors(exc, source)) from None


def load_rule(path: str | Path) -> TierRatesRule | ProportionalRule:
    """Read a rule from a TOML file.

    The rule is the file's ``[allocation]`` table when it has one (so an ``equitable run`` config
    can be passed as is), otherwise the whole file.

    Raises
    ------
    SpecError
        The file is missing, is not valid TOML, or the rule is invalid.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{p}: rule file not found") from None
    except OSError as exc:
        raise SpecError(f"{p}: cannot read the rule file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{p}: not valid TOML ({exc})") from None
    if "allocation" in data and isinstance(data["allocation"], dict):
        return parse_rule(data["allocation"], source=f"{p} [allocation]")
    return parse_rule(data, source=str(p))
