"""The engagement thresholds as a validated spec (TOML): chronic absence, attendance tiers,
SB 98 weeks and the missing-student window.

California's values are the default preset (``california``); another state's definition is
another preset or file, e.g. ``federal-edfacts`` (a 10-day minimum enrollment). Shapes and
sources: docs/engagement.md, "Rules as a spec".
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from equitable.errors import SpecError

__all__ = ["DEFAULT_RULES", "EngagementRules", "list_rule_presets", "load_rules"]

DEFAULT_RULES = "california"
_PRESET_PACKAGE = "equitable.engagement.rules"

# A percentage of days: more than 0, at most 100, at most two decimals (12.5 is fine).
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChronicAbsence(_Strict):
    """Chronically absent: enrolled ``min_days_enrolled`` days or more and absent on
    ``rate_percent`` % or more of them (the others are not counted: blank, not "N")."""

    rate_percent: Percent
    min_days_enrolled: int = Field(ge=1, le=366)


class AttendanceTiers(_Strict):
    """Lower bounds (percent of the days enrolled absent) of the tiers at risk, moderate and
    severe; below ``at_risk_percent`` is satisfactory. Students not counted for chronic absence
    are ``not_applicable``."""

    at_risk_percent: Percent
    moderate_percent: Percent
    severe_percent: Percent

    @model_validator(mode="after")
    def _increasing(self):
        if not self.at_risk_percent < self.moderate_percent < self.severe_percent:
            raise ValueError("the tiers must increase: at_risk_percent < moderate_percent < "
                             "severe_percent")
        return self


class Sb98(_Strict):
    """A school week meets the re-engagement trigger when the student was absent on more than
    ``max_absent_days`` school days of it, or on ``week_share_percent`` % or more of its
    instructional days."""

    max_absent_days: int = Field(ge=0, le=7)
    week_share_percent: Percent


class MissingStudents(_Strict):
    """Missing: enrolled on the as-of day, with no presence and no activity in the last ``days``
    instructional days (``--missing-days`` overrides it)."""

    days: int = Field(ge=1, le=366)


class EngagementRules(_Strict):
    """The thresholds of the engagement pipeline (one preset or TOML file).

    Attributes
    ----------
    name, title : the preset's short name and a one-line description.
    sources : the published definitions the values come from (at least one).
    chronic_absence, attendance_tiers, sb98, missing : see each class.
    """

    name: str = Field(min_length=1, max_length=80)
    title: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    chronic_absence: ChronicAbsence
    attendance_tiers: AttendanceTiers
    sb98: Sb98
    missing: MissingStudents

    def record(self) -> dict:
        """The rules as run.json records them (percentages as numbers: 10, 12.5)."""
        def plain(v):
            if isinstance(v, Decimal):
                return int(v) if v == v.to_integral_value() else float(v)
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            return v

        return plain(self.model_dump())


def share(percent: Decimal) -> tuple[int, int]:
    """``percent`` % as the smallest fraction ``(num, den)``: ``a / b >= percent %`` is tested
    as ``a * den >= b * num``, in integers (10 % is 1/10, 60 % is 3/5, 12.5 % is 1/8)."""
    f = Fraction(percent) / 100
    return f.numerator, f.denominator


def list_rule_presets() -> list[str]:
    """Names of the rule presets shipped with the package (``equitable/engagement/rules``)."""
    root = resources.files(_PRESET_PACKAGE)
    return sorted(p.name[: -len(".toml")] for p in root.iterdir() if p.name.endswith(".toml"))


def load_rules(name_or_path: str | Path | EngagementRules | None = None) -> EngagementRules:
    """The engagement rules: a preset name (:func:`list_rule_presets`; default ``california``),
    a path to a TOML file, or rules already loaded.

    Raises
    ------
    SpecError
        A missing file, TOML that does not parse (with its line and column), or values that do
        not validate: every problem at once, each with the file and the key.
    """
    if isinstance(name_or_path, EngagementRules):
        return name_or_path
    s = DEFAULT_RULES if name_or_path is None else str(name_or_path)
    p = Path(s)
    if not isinstance(name_or_path, Path) and s in list_rule_presets():
        text = (resources.files(_PRESET_PACKAGE) / f"{s}.toml").read_text(encoding="utf-8")
        source = f"rules preset {s}"
    elif p.is_file():
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise SpecError(f"{p}: not UTF-8 text; save the rules file as UTF-8") from None
        source = str(p)
    else:
        if p.suffix.lower() == ".toml" or "/" in s or "\\" in s:
            raise SpecError(f"{s}: rules file not found")
        raise SpecError(f"{s}: not a rules preset ({', '.join(list_rule_presets())}) or a "
                        "TOML file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{source}: not valid TOML: {exc}") from None
    try:
        return EngagementRules.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            key = ".".join(str(x) for x in e["loc"]) or "(top level)"
            msg = e["msg"].removeprefix("Value error, ")
            problems.append(f"{key}: {msg}")
        n = len(problems)
        raise SpecError(f"{source}: {n} problem{'' if n == 1 else 's'}: "
                        + "; ".join(problems)) from None
