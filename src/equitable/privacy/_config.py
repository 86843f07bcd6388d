"""Privacy settings: threshold, protection level, rate caps (TOML table ``[privacy]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from equitable.specfile import load_model, spec_error

__all__ = ["DEFAULT_CAPS", "PrivacyConfig", "RateCap", "load_config"]


class RateCap(BaseModel):
    """One row of the rate-cap table: groups of at least ``min_n`` students (and below the next
    row's ``min_n``) show rates at or below ``low`` as ``"<=low"`` and at or above ``high`` as
    ``">=high"`` (percent, 0-100).

    Source: NCES SLDS Technical Brief 3 (NCES 2011-603), recommended reporting rules.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_n: int = Field(ge=1)
    low: float = Field(ge=0, le=50)
    high: float = Field(ge=50, le=100)


DEFAULT_CAPS: tuple[RateCap, ...] = (
    RateCap(min_n=300, low=1, high=99),
    RateCap(min_n=100, low=2, high=98),
    RateCap(min_n=40, low=5, high=95),
)


class PrivacyConfig(BaseModel):
    """The privacy rules in force.

    Attributes
    ----------
    threshold : groups of ``n <= threshold`` are suppressed (CDE: 10).
    protection : the attacker's interval for a suppressed cell of true value v must reach
        ``v + protection`` above and ``max(v - protection, 0)`` below (default 3).
    caps : rate caps by group size, largest ``min_n`` first (NCES 2011-603); ``[]`` disables.
    marker : what a suppressed figure shows (CDE: ``"*"``).
    suppress_zeros : a group of 0 is a group of ``n <= threshold`` and is suppressed (default
        True, as CDE does); False publishes true zeros.
    cost : what complementary suppression minimises: ``"value"`` (total suppressed count, the
        tau-argus default), ``"cells"`` (number of cells) or ``"log"`` (sum of ``log(1 + v)``).
    max_rounds : the most cutting-plane rounds of complementary suppression before giving up.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: int = Field(default=10, ge=0)
    protection: float = Field(default=3, ge=0)
    caps: tuple[RateCap, ...] = DEFAULT_CAPS
    marker: str = "*"
    suppress_zeros: bool = True
    cost: Literal["value", "cells", "log"] = "value"
    max_rounds: int = Field(default=200, ge=1)

    @model_validator(mode="after")
    def _sort_caps(self) -> PrivacyConfig:
        mins = [c.min_n for c in self.caps]
        if len(set(mins)) != len(mins):
            raise ValueError("caps must have distinct min_n values")
        object.__setattr__(
            self, "caps", tuple(sorted(self.caps, key=lambda c: c.min_n, reverse=True))
        )
        return self


def parse_config(data: dict[str, Any], *, source: str = "<privacy>") -> PrivacyConfig:
    """Validate a ``[privacy]`` table given as a dict; :class:`SpecError` names every bad key."""
    try:
        return PrivacyConfig.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, source) from None


def load_config(path: str | Path | None = None) -> PrivacyConfig:
    """Read the privacy rules from a TOML file (its ``[privacy]`` table, or the whole file).

    ``None`` gives the defaults. Raises :class:`SpecError` for a missing or invalid file.
    """
    if path is None:
        return PrivacyConfig()
    return load_model(path, PrivacyConfig, table="privacy")
