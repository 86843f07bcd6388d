"""The index spec: a declarative description of a composite index, validated by pydantic.

A spec is a TOML file (see docs/index.md, "Spec schema") read by :func:`load_spec` or a mapping
given to :func:`parse_spec`. Unknown keys are errors; every validation failure becomes one
:class:`equitable.errors.SpecError` naming the file and the key.

The build is a tree: indicators (leaves) -> themes/domains (nodes, possibly nested) -> the overall
index (the root). Each node aggregates its members' values with weights, may be rounded, rescaled
and ranked, and may count its members' threshold flags.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from equitable.errors import SpecError

__all__ = [
    "Flag",
    "IndexSpec",
    "Indicator",
    "Node",
    "Normalise",
    "Rescale",
    "Tiers",
    "list_presets",
    "load_spec",
    "parse_spec",
]

#: A normalisation method: a key of :data:`equitable.index._parts.NORMALISERS` (checked there,
#: so a method is added in that one module).
NormaliseMethod = str
PercentileForm = Literal["svi", "ces"]
TieRule = Literal["min", "max", "average"]
InverseRule = Literal["negate", "complement"]
MissingRule = Literal["exclude", "reweight", "impute_mean", "impute_median", "impute_zero"]
Aggregation = Literal["sum", "mean", "geometric_mean", "product"]
Direction = Literal["higher_is_more_need", "lower_is_more_need"]

_CODE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _check_code(v: str) -> str:
    if not _CODE_RE.match(v):
        raise ValueError(f"must be a name of letters, digits, '_', '.', '-'. Got {v!r}")
    return v


#: The code of an indicator or a node: a name that can stand in column names and expressions.
Code = Annotated[str, AfterValidator(_check_code)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Normalise(_Model):
    """How values are turned into comparable scores.

    ``percentile`` with ``form="svi"``: ``(rank - 1) / (N - 1)`` with ranks over the reference
    units that have a value, ties by ``ties`` (CDC/ATSDR SVI 2022 Documentation, "Data and
    methods": percentile ranking, ties take the minimum rank). ``form="ces"``: ``rank / N`` over
    the nonzero values, zeros get 0, in percent (OEHHA CalEnviroScreen 4.0 report, "Scoring"
    section; the published percentiles match ``ties="max"``). ``zscore``: ``(x - mean) / sd``
    with the n-1 standard deviation, optionally capped at +-``cap``. ``minmax``:
    ``(x - min) / (max - min)``, or with ``range = [a, b]`` ``a + (b - a) (x - min) / (max - min)``
    (COINr's ``n_minmax`` with ``l_u = c(a, b)``; [1, 100] keeps every value above 0 before a
    geometric mean, COINr documentation, "Normalisation"). ``identity``: the value as given (e.g. a published percentile).
    ``scale`` multiplies the result (default 100 for the ces form, else 1); ``decimals`` rounds
    it (half to even, as numpy; the value used downstream is the rounded one, as SVI does).

    ``inverse`` says how a percentile is reversed for a ``lower_is_more_need`` indicator:
    ``"negate"`` ranks ``-x`` with the ``ties`` rule; ``"complement"`` is ``scale`` minus the
    percentile of ``x`` (CDC/ATSDR SVI 2018 Documentation, "Data and methods": ``EPL_PCI`` is one
    minus the percentile rank of per-capita income). They differ only on tied values: with
    ``ties="min"`` the complement gives a run of ``k`` ties ``(k - 1) / (N - 1)`` more.
    z-scores and min-max are symmetric, so both rules give the same values there.
    """

    method: NormaliseMethod = "percentile"
    form: PercentileForm = "svi"
    ties: TieRule = "min"
    inverse: InverseRule = "negate"
    decimals: int | None = Field(default=None, ge=0, le=12)
    scale: float | None = None
    cap: float | None = Field(default=None, gt=0)
    range: tuple[float, float] | None = None

    @field_validator("method")
    @classmethod
    def _method_ok(cls, v: str) -> str:
        from equitable.index._parts import NORMALISERS

        if v not in NORMALISERS:
            names = [repr(m) for m in NORMALISERS]
            raise ValueError(f"Input should be {', '.join(names[:-1])} or {names[-1]}")
        return v

    @model_validator(mode="after")
    def _range_ok(self) -> Normalise:
        if self.range is not None:
            a, b = self.range
            if self.method != "minmax":
                raise ValueError(f"'range' is only for method = \"minmax\". Got method {self.method!r}")
            if not (math.isfinite(a) and math.isfinite(b) and a < b):
                raise ValueError(f"'range' must be two finite numbers [low, high] with low < high. Got {[a, b]}")
            if self.scale is not None:
                raise ValueError("give 'range' or 'scale', not both (range = [0, s] is scale = s)")
        return self

    @property
    def effective_scale(self) -> float:
        if self.scale is not None:
            return float(self.scale)
        return 100.0 if (self.method == "percentile" and self.form == "ces") else 1.0


class Flag(_Model):
    """A threshold flag: 1 when the normalised value ``op`` ``threshold``, else 0.

    SVI: ``F_x = 1`` when ``EPL_x >= 0.90`` (CDC/ATSDR SVI 2022 Documentation, "Flags").
    """

    threshold: float
    op: Literal[">=", ">", "<=", "<"] = ">="


class Indicator(_Model):
    """One indicator (a leaf of the index)."""

    code: Code
    column: str | None = None
    expression: str | None = None
    rank_by: str | None = None
    label: str | None = None
    label_es: str | None = None
    theme: str | None = None
    direction: Direction = "higher_is_more_need"
    weight: float = Field(default=1.0, ge=0)
    missing_codes: list[float] | None = None
    missing: MissingRule | None = None
    transform: Literal["none", "log", "log1p"] = "none"
    winsorise: tuple[float, float] | None = None
    normalise: Normalise | None = None
    output: str | None = None
    flag: Flag | None = None
    flag_column: str | None = None

    @field_validator("winsorise")
    @classmethod
    def _wins_ok(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (0 <= v[0] < v[1] <= 1):
            raise ValueError(f"must be two quantiles 0 <= low < high <= 1. Got {list(v)}")
        return v

    @model_validator(mode="after")
    def _source_ok(self) -> Indicator:
        if (self.column is None) == (self.expression is None):
            raise ValueError("give exactly one of 'column' and 'expression'")
        return self


class Rescale(_Model):
    """Rescale a node's value: ``value / max(reference values) * to`` (CalEnviroScreen 4.0:
    Pollution Burden and Population Characteristics are scaled to 10 by the statewide maximum)."""

    method: Literal["max"] = "max"
    to: float = 10.0
    column: str | None = None
    output_decimals: int | None = Field(default=None, ge=0, le=12)


class Tiers(_Model):
    """Tiers of need, highest need first.

    ``method="quantile"``: by count of ranked units: the unit with need rank ``r`` (1 = highest
    need, ties share the lowest rank number) among ``N`` goes to tier ``floor((r - 1) * n / N) + 1``.
    ``method="cuts"``: fixed cut points on ``basis`` (ascending); a unit's value ``v`` falls in
    the interval ``[cut_k, cut_k+1)``; the interval of the highest values is tier 1.
    ``labels_es`` (optional) gives the labels in Spanish for the Spanish report and explanation;
    the tier column always holds ``labels``.
    """

    method: Literal["quantile", "cuts"] = "quantile"
    n: int | None = Field(default=None, ge=2, le=100)
    cuts: list[float] | None = None
    basis: Literal["score", "percentile"] = "score"
    labels: list[str] | None = None
    labels_es: list[str] | None = None
    column: str = "tier"

    @model_validator(mode="after")
    def _ok(self) -> Tiers:
        if self.method == "quantile":
            if self.n is None:
                n = len(self.labels) if self.labels else None
                if n is None:
                    raise ValueError("quantile tiers need 'n' or 'labels'")
                object.__setattr__(self, "n", n)
            if self.cuts is not None:
                raise ValueError("'cuts' is only for method = \"cuts\"")
        else:
            if not self.cuts:
                raise ValueError("method = \"cuts\" needs 'cuts'")
            if any(b <= a for a, b in zip(self.cuts, self.cuts[1:])):
                raise ValueError("'cuts' must be strictly increasing")
            n = len(self.cuts) + 1
            if self.n is not None and self.n != n:
                raise ValueError(f"'n' is {self.n} but {len(self.cuts)} cuts make {n} tiers")
            object.__setattr__(self, "n", n)
        if self.labels is not None and len(self.labels) != self.n:
            raise ValueError(f"{len(self.labels)} labels for {self.n} tiers")
        if self.labels_es is not None and len(self.labels_es) != self.n:
            raise ValueError(f"{len(self.labels_es)} labels_es for {self.n} tiers")
        return self

    @property
    def count(self) -> int:
        """The number of tiers: ``n``, which validation fills from ``labels`` or ``cuts``."""
        assert self.n is not None, "Tiers._ok sets n"
        return self.n

    @property
    def cut_points(self) -> list[float]:
        """``cuts`` of ``method="cuts"`` tiers (validation requires them there)."""
        assert self.cuts is not None, "method = \"cuts\" tiers have cuts (Tiers._ok)"
        return self.cuts

    @property
    def tier_labels(self) -> list[str]:
        return list(self.labels) if self.labels else [str(i) for i in range(1, self.count + 1)]


class Node(_Model):
    """A theme, domain or the overall index: aggregates its members (indicator or node codes).

    ``aggregation``: ``sum`` (weighted sum), ``mean`` (weighted mean), ``geometric_mean``
    (weighted), ``product`` (of values raised to their weights). Weights come from ``weights``
    (code -> weight) or else each member's own ``weight``. ``weights_sum``, when given, is the
    declared total the weights must add up to. ``decimals`` rounds the score and the rounded value
    is used downstream (SVI re-rounds sums before ranking); ``output_decimals`` only rounds the
    written column. ``min_present`` is the fewest leaf indicators a unit needs to be scored
    (CalEnviroScreen: 5 of the 8 population-characteristics indicators); ``min_present_share``
    the least share of them (Catalyst California's equity indices: a domain is scored only when
    at least half its indicators are present, ``min_present_share = 0.5``).
    ``pass_percentile = true`` passes the node's ``percentile`` (not its score) to its parent:
    the domain score is its mean re-ranked as a percentile (Catalyst California, JENI and the
    LA City Equity Index, see docs/health.md "Equity-index method").

    ``zeros`` (``geometric_mean`` and ``product`` only): what a member value of exactly 0 does.
    ``"error"`` (default): a :class:`SpecError` naming the member, its normalisation (e.g. min-max
    to [0, 100] puts each indicator's minimum at 0) and the units. ``"zero"``: the documented
    rule that the unit's result is 0 (the product's value; the geometric mean's limit), counted
    in the build log. Min-max to ``range = [1, 100]`` avoids zeros altogether.
    """

    code: Code
    label: str | None = None
    label_es: str | None = None
    parent: str | None = None
    members: list[str] | None = None
    aggregation: Aggregation = "sum"
    weight: float = Field(default=1.0, ge=0)
    weights: dict[str, float] | None = None
    weights_sum: float | None = None
    decimals: int | None = Field(default=None, ge=0, le=12)
    output_decimals: int | None = Field(default=None, ge=0, le=12)
    min_present: int | None = Field(default=None, ge=1)
    zeros: Literal["error", "zero"] = "error"
    min_present_share: float | None = Field(default=None, gt=0, le=1)
    pass_percentile: bool = False
    score_column: str | None = None
    rescale: Rescale | None = None
    percentile: Normalise | None = None
    percentile_column: str | None = None
    rank_column: str | None = None
    flag_count_column: str | None = None
    tiers: Tiers | None = None

    @field_validator("weights")
    @classmethod
    def _w_ok(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None:
            for k, w in v.items():
                if not (w >= 0 and math.isfinite(w)):
                    raise ValueError(f"weight of {k!r} must be a finite number >= 0. Got {w}")
        return v

    @field_validator("percentile")
    @classmethod
    def _pct_ok(cls, v: Normalise | None) -> Normalise | None:
        if v is not None and v.method != "percentile":
            raise ValueError(f"method must be \"percentile\". Got {v.method!r}")
        return v

    @model_validator(mode="after")
    def _pass_ok(self) -> Node:
        if self.pass_percentile and self.percentile is None:
            raise ValueError("pass_percentile = true needs 'percentile'")
        if self.pass_percentile and self.rescale is not None:
            raise ValueError("give at most one of 'rescale' and 'pass_percentile'")
        return self


class Defaults(_Model):
    """Settings every indicator inherits unless it overrides them."""

    normalise: Normalise = Normalise()
    missing: MissingRule = "exclude"
    flag: Flag | None = None


class IndexSpec(_Model):
    """A validated index spec (see docs/index.md, "Spec schema").

    Attributes
    ----------
    name, title, source : identification; ``source`` cites the published method. ``title_es``,
        ``source_es`` and each indicator's and node's ``label_es`` give the Spanish wording for the Spanish
        report and ``explain(spec, lang="es")`` (the English ``title``/``label`` otherwise).
    id_column : the unit identifier column, kept as a string (leading zeros kept).
    id_width : when given, numeric-looking ids are left-padded with zeros to this width.
    published : the published file the spec reads (``svi-2022``, ``calenviroscreen-4.0``, ...):
        an input with far fewer units than that file is an error unless a subset is allowed
        (:func:`equitable.checks.check_unit_count`).
    valid_ranges : input column pattern (``fnmatch``, e.g. ``EP_*``) -> ``[low, high]``: a value
        outside it (other than a missing code) is impossible and an error naming file, row and
        column (e.g. SVI's ``EP_`` percents are 0-100, CalEnviroScreen's percentiles 0-100).
    missing_codes : input values that mean "missing" (e.g. ``[-999]``), for every indicator.
    missing_text : input texts that mean "missing" (e.g. ``["*", "N/A"]``); empty cells always do.
    output_missing : written in place of an output value that cannot be computed (SVI: -999);
        ``None`` leaves the cell empty.
    missing_column : output column saying which indicators each unit lacked and how that was
        handled ("" when none).
    flags_missing_for : ids of units whose flag columns (each indicator's flag and every flag
        count) are written as missing, to reproduce a published file that leaves them out (CDC's
        2020 county SVI has no flags for the District of Columbia, 11001). The units are named in
        the build log; an id not in the data is an error, so a typo cannot pass unseen.
    defaults : normalisation, missing rule and flag rule indicators inherit.
    indicators, themes, overall : the tree.
    """

    name: str
    title: str | None = None
    title_es: str | None = None
    source: str | None = None
    source_es: str | None = None
    version: str | None = None
    id_column: str
    id_width: int | None = Field(default=None, ge=1, le=40)
    published: str | None = None
    valid_ranges: dict[str, tuple[float, float]] = {}
    keep_columns: list[str] = []
    missing_codes: list[float] = []
    missing_text: list[str] = []
    output_missing: float | None = None
    missing_column: str = "missing_indicators"
    flags_missing_for: list[str] = []
    defaults: Defaults = Defaults()
    indicators: list[Indicator] = Field(alias="indicator", min_length=1)
    themes: list[Node] = Field(default=[], alias="theme")
    overall: Node

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _tree_ok(self) -> IndexSpec:
        codes: dict[str, str] = {}
        for ind in self.indicators:
            if ind.code in codes:
                raise ValueError(f"indicator code {ind.code!r} is used twice")
            codes[ind.code] = "indicator"
        for t in self.themes:
            if t.code in codes:
                raise ValueError(f"code {t.code!r} is used twice")
            codes[t.code] = "theme"
        if self.overall.code in codes:
            raise ValueError(f"overall code {self.overall.code!r} is also a {codes[self.overall.code]}")
        themes = {t.code for t in self.themes}
        for ind in self.indicators:
            if ind.theme is not None and ind.theme not in themes:
                raise ValueError(f"indicator {ind.code!r}: theme {ind.theme!r} is not a theme")
        for t in self.themes:
            if t.parent is not None and t.parent not in themes:
                raise ValueError(f"theme {t.code!r}: parent {t.parent!r} is not a theme")
        # members, weights and cycles
        for node in [*self.themes, self.overall]:
            kind = "overall" if node is self.overall else "theme"
            members = self.members_of(node)
            if not members:
                raise ValueError(f"{kind} {node.code!r} has no members")
            for m in members:
                if m not in codes:
                    raise ValueError(f"{kind} {node.code!r}: member {m!r} is not an indicator or theme")
            if node.weights is not None:
                for k in node.weights:
                    if k not in members:
                        raise ValueError(f"{kind} {node.code!r}: weight for {k!r}, not a member")
            if node.weights_sum is not None:
                total = sum(self.member_weights(node))
                if not math.isclose(total, node.weights_sum, rel_tol=1e-9, abs_tol=1e-9):
                    raise ValueError(
                        f"{kind} {node.code!r}: weights add up to {total:g}, "
                        f"not the declared {node.weights_sum:g}"
                    )
            if node.min_present is not None and node.min_present > len(self.leaves_of(node)):
                raise ValueError(
                    f"{kind} {node.code!r}: min_present {node.min_present} is more than its "
                    f"{len(self.leaves_of(node))} indicators"
                )
        for ind in self.indicators:
            if self.normalise_of(ind).method == "identity" and ind.direction != "higher_is_more_need":
                raise ValueError(
                    f"indicator {ind.code!r}: direction lower_is_more_need needs a normalisation "
                    "that can reverse it (percentile, zscore, minmax), not identity"
                )
        self.build_order()  # raises on cycles
        used: dict[str, str] = {}
        for node in [*self.themes, self.overall]:
            for m in self.members_of(node):
                if m in used:
                    raise ValueError(f"{m!r} is a member of both {used[m]!r} and {node.code!r}")
                used[m] = node.code
        for ind in self.indicators:
            if ind.code not in used:
                raise ValueError(f"indicator {ind.code!r} is not a member of any theme")
        return self

    # ---- tree helpers (used by the engine, explain() and sensitivity analysis) ----
    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def node(self, code: str) -> Node:
        if code == self.overall.code:
            return self.overall
        for t in self.themes:
            if t.code == code:
                return t
        raise KeyError(code)

    def is_indicator(self, code: str) -> bool:
        return any(ind.code == code for ind in self.indicators)

    def members_of(self, node: Node) -> list[str]:
        """Member codes of ``node``: its ``members`` list, else the indicators naming it as
        ``theme`` and the themes naming it as ``parent``; for the overall node, else every
        top-level theme (or every indicator when there are no themes)."""
        if node.members is not None:
            return list(node.members)
        if node is self.overall or node.code == self.overall.code:
            listed = {m for t in self.themes if t.members for m in t.members}
            top = [t.code for t in self.themes if t.parent is None and t.code not in listed]
            if top:
                return top
            return [i.code for i in self.indicators if i.theme is None and i.code not in listed]
        out = [i.code for i in self.indicators if i.theme == node.code]
        out += [t.code for t in self.themes if t.parent == node.code]
        return out

    def member_weights(self, node: Node) -> list[float]:
        """Weights of ``members_of(node)``, in that order."""
        out = []
        for m in self.members_of(node):
            if node.weights is not None and m in node.weights:
                out.append(float(node.weights[m]))
            elif self.is_indicator(m):
                out.append(float(self.indicator(m).weight))
            else:
                out.append(float(self.node(m).weight))
        return out

    def leaves_of(self, node: Node) -> list[str]:
        """Indicator codes under ``node`` (depth first)."""
        out: list[str] = []
        for m in self.members_of(node):
            if self.is_indicator(m):
                out.append(m)
            else:
                out += self.leaves_of(self.node(m))
        return out

    def build_order(self) -> list[Node]:
        """Nodes in an order where every node comes after its member nodes (overall last)."""
        order: list[Node] = []
        state: dict[str, int] = {}

        def visit(n: Node) -> None:
            s = state.get(n.code)
            if s == 2:
                return
            if s == 1:
                raise ValueError(f"themes form a cycle through {n.code!r}")
            state[n.code] = 1
            for m in self.members_of(n):
                if not self.is_indicator(m):
                    if m == self.overall.code:
                        raise ValueError(f"theme {n.code!r} cannot contain the overall index")
                    visit(self.node(m))
            state[n.code] = 2
            order.append(n)

        for t in self.themes:
            visit(t)
        visit(self.overall)
        return order

    # ---- resolved per-indicator settings ----
    def normalise_of(self, ind: Indicator) -> Normalise:
        return ind.normalise or self.defaults.normalise

    def missing_of(self, ind: Indicator) -> MissingRule:
        return ind.missing or self.defaults.missing

    def missing_codes_of(self, ind: Indicator) -> list[float]:
        return list(ind.missing_codes) if ind.missing_codes is not None else list(self.missing_codes)

    def flag_of(self, ind: Indicator) -> Flag | None:
        return ind.flag or self.defaults.flag

    def output_of(self, ind: Indicator) -> str:
        if ind.output:
            return ind.output
        from equitable.index._parts import NORMALISERS

        return f"{ind.code}_{NORMALISERS[self.normalise_of(ind).method].suffix}"

    def flag_column_of(self, ind: Indicator) -> str | None:
        if self.flag_of(ind) is None:
            return None
        return ind.flag_column or f"{ind.code}_flag"

    def score_column_of(self, node: Node) -> str:
        if node.score_column:
            return node.score_column
        return "score" if node is self.overall else f"{node.code}_score"

    def percentile_column_of(self, node: Node) -> str | None:
        if node.percentile is None:
            return None
        if node.percentile_column:
            return node.percentile_column
        return "percentile" if node is self.overall else f"{node.code}_pctl"

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (TOML key names), e.g. for ``run.json``."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _format_loc(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Turn a pydantic error location into a TOML-ish key path: ``indicator[3] (EP_POV).weight``."""
    parts: list[str] = []
    cur: Any = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item + 1}]"
            try:
                cur = cur[item]
                code = cur.get("code") if isinstance(cur, dict) else None
            except (IndexError, KeyError, TypeError, AttributeError):
                code = None
                cur = None
            if code:
                label += f" ({code})"
            parts.append(label)
        else:
            if str(item) in ("function-after", "tuple") or str(item).startswith(("function", "literal")):
                continue
            parts.append(("." if parts else "") + str(item))
            try:
                cur = cur[item] if isinstance(cur, dict) else None
            except (KeyError, TypeError):
                cur = None
    return "".join(parts)


def first_error(errors: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any], str | None]:
    """The pydantic error to report, and a "did you mean" key for it.

    An unknown key is reported before anything else: a typo'd key (``id_colum``) also makes the
    key it was meant to be "missing", and the typo is what the user must fix. When a required key
    of the same table is missing and is spelt close to the unknown one, it is the suggestion.
    """
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    if not extra:
        return errors[0], None
    err = extra[0]
    parent, bad = tuple(err["loc"][:-1]), str(err["loc"][-1])
    missing = [str(e["loc"][-1]) for e in errors
               if e["type"] == "missing" and tuple(e["loc"][:-1]) == parent]
    close = difflib.get_close_matches(bad, missing, n=1, cutoff=0.6)
    return err, (close[0] if close else None)


def parse_spec(data: dict[str, Any], *, source: str = "<spec>") -> IndexSpec:
    """Validate a spec given as a mapping (e.g. parsed TOML).

    Raises
    ------
    SpecError
        ``<source>: key '<key path>': <problem>`` for the first problem found; unknown keys are
        errors ("unknown key").
    """
    if not isinstance(data, dict):
        raise SpecError(f"{source}: a spec must be a table of keys. Got {type(data).__name__}")
    try:
        return IndexSpec.model_validate(data)
    except ValidationError as exc:
        err, hint = first_error(exc.errors())
        loc = _format_loc(tuple(err["loc"]), data)
        if err["type"] == "extra_forbidden":
            msg = "unknown key" + (f" (did you mean '{hint}'?)" if hint else "")
        elif err["type"] == "missing":
            msg = "missing required key"
        else:
            msg = err["msg"]
            msg = msg.removeprefix("Value error, ")
        if loc:
            raise SpecError(f"{source}: key '{loc}': {msg}") from None
        raise SpecError(f"{source}: {msg}") from None


_PRESET_PACKAGE = "equitable.index.presets"


def list_presets() -> list[str]:
    """Names of the presets shipped with the package (TOML files in ``equitable/index/presets``)."""
    root = resources.files(_PRESET_PACKAGE)
    return sorted(p.name[: -len(".toml")] for p in root.iterdir() if p.name.endswith(".toml"))


def load_spec(name_or_path: str | Path) -> IndexSpec:
    """Load a spec: a preset name (see :func:`list_presets`) or a path to a TOML file.

    Raises
    ------
    SpecError
        When the file is missing, is not valid TOML (with its line and column), or does not
        validate (naming the file and the key).
    """
    text: str
    source: str
    s = str(name_or_path)
    p = Path(s)
    if not isinstance(name_or_path, Path) and s in list_presets():
        res = resources.files(_PRESET_PACKAGE) / f"{s}.toml"
        text = res.read_text(encoding="utf-8")
        source = f"preset {s}"
    elif p.is_file():
        text = p.read_text(encoding="utf-8")
        source = str(p)
    else:
        presets = ", ".join(list_presets())
        if p.suffix.lower() == ".toml" or "/" in s or "\\" in s:
            raise SpecError(f"{s}: spec file not found")
        raise SpecError(f"{s}: not a preset ({presets}) or a spec file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{source}: not valid TOML: {exc}") from None
    return parse_spec(data, source=source)
