"""The shape of ``equitable run``'s ``run.json``: :class:`RunJson`, written by
:func:`equitable.pipeline.run` and read by the dashboard (:mod:`equitable.web.dashboard`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from equitable.pipeline._config import RunConfig
from equitable.provenance import RunRecord

__all__ = ["RunExtra", "RunJson", "RunSpec"]


class RunSpec(BaseModel):
    """``spec`` of an ``equitable run`` record: the validated config, the index spec
    (:meth:`equitable.index.IndexSpec.to_dict`) and the allocation rule (its model dump)."""

    model_config = ConfigDict(extra="forbid")

    config: RunConfig
    index: dict[str, Any]
    allocation: dict[str, Any]


class RunExtra(BaseModel):
    """``extra`` of an ``equitable run`` record: the counts and figures the reports show.

    Attributes
    ----------
    schools_ranked : ranked schools.
    budget_cents, total_cents : the budget and the sum of the school amounts (integer cents).
    rates_dollars : tier -> dollars per pupil for schools no bound holds.
    tier_counts : tier -> schools. ``not_ranked``: reason -> school-table rows not ranked.
    Other keys (tiers, remainder ties, placement, chronic absence, staffing, ...) are kept as
    written (docs/run.md).
    """

    model_config = ConfigDict(extra="allow")

    schools_ranked: int
    budget_cents: int
    total_cents: int
    rates_dollars: dict[str, float] = {}
    tier_counts: dict[str, int] = {}
    not_ranked: dict[str, int] = {}


class RunJson(RunRecord):
    """``run.json`` of ``equitable run`` (:class:`equitable.provenance.RunRecord` with its
    ``spec`` and ``extra`` typed)."""

    spec: RunSpec  # type: ignore[assignment]
    extra: RunExtra  # type: ignore[assignment]
