"""California's Local Control Funding Formula (LCFF) for school districts and charter schools.

Education Code section 42238.02 (and CDE's "Funding Rates and Information" pages, section
"School District and Charter School LCFF Entitlement"), per grade span ``s`` in K-3, 4-6, 7-8,
9-12:

* adjusted base grant per ADA ``b_s``: the base grant plus the grade span adjustment, which is
  10.4% of the K-3 base grant (class size reduction, EC 42238.02(d)(3)) and 2.6% of the 9-12
  base grant (EC 42238.02(d)(4)), each adjustment rounded to whole dollars as CDE publishes it;
* base grant funding ``B = sum_s ADA_s x b_s``;
* supplemental grant ``S = B x 20% x UPP`` (EC 42238.02(e));
* concentration grant ``C = B x 65% x max(0, UPP - 55%)`` (EC 42238.02(f); 50% before 2021-22);
* LCFF target (these three components) ``B + S + C``.

Per ADA this is CDE's published "LCFF Value of ADA" for each grade span, A.1 + A.1 x UPP x 20% +
A.1 x (UPP - 55%) x 65%, with A.1 the adjusted base grant (CDE, "2021-22 Derived Value of ADA
Methodology", https://cde.ca.gov/fg/au/ag/adavalue21method.asp). Transitional kindergarten ADA
belongs in K-3 (CDE's LCFF Summary column "Funded TK/K-3 ADA").

UPP is the unduplicated pupil percentage (English learners, students eligible for free or
reduced-price meals and foster youth, each counted once, over enrollment; EC 42238.02(b)).
Add-ons (home-to-school transportation, TIIG, Economic Recovery Target, the transitional
kindergarten add-on, necessary small schools, minimum state aid) are not computed.

Rates for each year are data files in ``equitable/allocate/lcff_rates/<year>.toml``, each with
its source; add a year by adding a file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from equitable.errors import InputError, SpecError
from equitable.specfile import spec_error

__all__ = [
    "GRADE_SPANS",
    "LcffEntitlement",
    "LcffRates",
    "lcff_entitlement",
    "lcff_rates",
    "lcff_years",
]

GRADE_SPANS = ("k_3", "4_6", "7_8", "9_12")
SPAN_LABELS = {"k_3": "K-3", "4_6": "4-6", "7_8": "7-8", "9_12": "9-12"}


class _Adjustments(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    k_3_class_size_pct: float
    g9_12_cte_pct: float = Field(alias="9_12_cte_pct")
    supplemental_pct: float
    concentration_pct: float
    concentration_threshold_pct: float


class LcffRates(BaseModel):
    """One fiscal year's LCFF rates (read from ``lcff_rates/<year>.toml``)."""

    model_config = ConfigDict(extra="forbid")
    fiscal_year: str
    source: str
    checked: bool
    check_note: str
    cola_pct: float
    base_grant_per_ada: dict[str, int]
    adjustments: _Adjustments

    def adjusted_base(self, span: str) -> Decimal:
        """Base grant plus grade span adjustment (whole dollars), dollars per ADA."""
        base = Decimal(self.base_grant_per_ada[span])
        pct = {"k_3": self.adjustments.k_3_class_size_pct,
               "9_12": self.adjustments.g9_12_cte_pct}.get(span, 0.0)
        gsa = (base * Decimal(repr(pct)) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return base + gsa


def lcff_years() -> list[str]:
    """Fiscal years with a rate file, e.g. ``["2020-21", ..., "2024-25"]``."""
    folder = resources.files("equitable.allocate") / "lcff_rates"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def lcff_rates(year: str) -> LcffRates:
    """Load the rates of a fiscal year (``"2024-25"``).

    Raises
    ------
    SpecError
        No rate file for that year (the message lists the years available).
    """
    years = lcff_years()
    if year not in years:
        raise SpecError(
            f"no LCFF rates for fiscal year '{year}'; available: {', '.join(years)} "
            "(add equitable/allocate/lcff_rates/<year>.toml)"
        )
    path = resources.files("equitable.allocate") / "lcff_rates" / f"{year}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        rates = LcffRates.model_validate(data)
    except ValidationError as exc:  # pragma: no cover - the shipped files are tested
        raise spec_error(exc, f"lcff_rates/{year}.toml") from None
    missing = [s for s in GRADE_SPANS if s not in rates.base_grant_per_ada]
    if missing:  # pragma: no cover
        raise SpecError(f"lcff_rates/{year}.toml: missing base grant for {missing}")
    return rates


@dataclass(frozen=True)
class LcffEntitlement:
    """An LCFF calculation; money in integer cents.

    Attributes
    ----------
    year, upp_pct : the inputs.
    ada : grade span -> ADA.
    adjusted_base_per_ada : grade span -> dollars per ADA (base + grade span adjustment).
    base_cents : grade span -> ADA x adjusted base grant, in cents.
    base_total_cents, supplemental_cents, concentration_cents, total_cents : the components.
    rates : the year's rates (with their source).
    """

    year: str
    upp_pct: float
    ada: dict[str, float]
    adjusted_base_per_ada: dict[str, int]
    base_cents: dict[str, int]
    base_total_cents: int
    supplemental_cents: int
    concentration_cents: int
    total_cents: int
    rates: LcffRates

    @property
    def per_ada_dollars(self) -> float:
        """Total entitlement per ADA, dollars."""
        total_ada = sum(self.ada.values())
        return self.total_cents / 100 / total_ada if total_ada else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.year,
            "unduplicated_pupil_pct": self.upp_pct,
            **{f"ada_{s}": self.ada[s] for s in GRADE_SPANS},
            **{f"adjusted_base_per_ada_{s}": self.adjusted_base_per_ada[s] for s in GRADE_SPANS},
            "base_cents": self.base_total_cents,
            "supplemental_cents": self.supplemental_cents,
            "concentration_cents": self.concentration_cents,
            "total_cents": self.total_cents,
        }


def _cents(x: Decimal) -> int:
    return int((x * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _dec(x: Any, what: str) -> Decimal:
    if isinstance(x, bool):
        raise InputError(f"{what} must be a number, got {x!r}")
    try:
        d = Decimal(repr(x)) if isinstance(x, float) else Decimal(str(x))
    except (InvalidOperation, ValueError, TypeError):
        raise InputError(f"{what} must be a number, got {x!r}") from None
    if not d.is_finite():
        raise InputError(f"{what} must be a finite number, got {x!r}")
    return d


# An upper bound on any one LEA's (or the state's) ADA in a grade span.
MAX_ADA = 10_000_000


def lcff_entitlement(
    ada: Mapping[str, float], upp_pct: float, year: str
) -> LcffEntitlement:
    """Compute the LCFF base, supplemental and concentration grants.

    Parameters
    ----------
    ada : grade span (``"k_3"``, ``"4_6"``, ``"7_8"``, ``"9_12"``) -> funded ADA (missing = 0).
    upp_pct : unduplicated pupil percentage, 0-100 (CDE's three-year rolling UPP for a district).
    year : fiscal year with a rate file, e.g. ``"2024-25"``.

    Returns
    -------
    LcffEntitlement (integer cents; exact Decimal arithmetic, each component rounded half-up to
    the cent).

    Raises
    ------
    InputError
        Negative ADA, a UPP outside 0-100, an unknown grade span.
    SpecError
        No rates for the year.

    Examples
    --------
    >>> e = lcff_entitlement({"k_3": 100}, 60.0, "2024-25")
    >>> e.adjusted_base_per_ada["k_3"]          # 10,025 + round(10,025 x 10.4%) = 10,025 + 1,043
    11068
    >>> e.total_cents / 100                     # 1,106,800 x (1 + 0.2 x 0.6 + 0.65 x 0.05)
    1275587.0
    """
    rates = lcff_rates(year)
    unknown = sorted(set(ada) - set(GRADE_SPANS))
    if unknown:
        raise InputError(
            f"unknown grade span {', '.join(repr(u) for u in unknown)}; use "
            + ", ".join(repr(s) for s in GRADE_SPANS)
        )
    ada_d = {s: _dec(ada.get(s, 0), f"ADA for grades {SPAN_LABELS[s]}") for s in GRADE_SPANS}
    for s, v in ada_d.items():
        if v < 0:
            raise InputError(f"ADA for grades {SPAN_LABELS[s]} must be >= 0, got {v}")
        if v > MAX_ADA:  # also keeps the Decimal cents arithmetic within its precision
            raise InputError(f"ADA for grades {SPAN_LABELS[s]} must be at most {MAX_ADA:,} "
                             f"(all of California is about 5.4 million), got {v}")
    upp = _dec(upp_pct, "the unduplicated pupil percentage")
    if upp < 0 or upp > 100:
        raise InputError(f"the unduplicated pupil percentage must be between 0 and 100, got {upp}")
    adj = {s: rates.adjusted_base(s) for s in GRADE_SPANS}
    base_exact = {s: ada_d[s] * adj[s] for s in GRADE_SPANS}
    base_total = sum(base_exact.values(), Decimal(0))
    a = rates.adjustments
    share = upp / 100
    supp = base_total * Decimal(repr(a.supplemental_pct)) / 100 * share
    over = max(Decimal(0), share - Decimal(repr(a.concentration_threshold_pct)) / 100)
    conc = base_total * Decimal(repr(a.concentration_pct)) / 100 * over
    base_c, supp_c, conc_c = _cents(base_total), _cents(supp), _cents(conc)
    return LcffEntitlement(
        year=year,
        upp_pct=float(upp_pct),
        ada={s: float(ada_d[s]) for s in GRADE_SPANS},
        adjusted_base_per_ada={s: int(adj[s]) for s in GRADE_SPANS},
        base_cents={s: _cents(base_exact[s]) for s in GRADE_SPANS},
        base_total_cents=base_c,
        supplemental_cents=supp_c,
        concentration_cents=conc_c,
        total_cents=base_c + supp_c + conc_c,
        rates=rates,
    )
