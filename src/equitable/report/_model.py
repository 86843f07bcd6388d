"""What a report shows: one object built by the pipeline, read by the HTML and XLSX writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: The one tier colour scale of the report, the spreadsheet and the public dashboard, highest
#: need first: viridis (van der Walt & Smith, matplotlib 2.0), dark to light, readable in grey
#: and with every common colour-vision deficiency.
TIER_COLOURS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
#: Text colour readable on each tier colour (WCAG 2.1 contrast >= 4.5:1).
TIER_TEXT = ["#ffffff", "#ffffff", "#000000", "#000000", "#000000"]


def tier_colour_at(i: int, n: int) -> str:
    """The colour of the ``i``-th tier (0 = highest need) of ``n``: :data:`TIER_COLOURS` spread
    over the whole scale whatever the number of tiers (3 tiers: dark, middle, light). The
    dashboard (:func:`equitable.web.dashboard._present.tier_colour`), report.html and
    allocation.xlsx all take their colours from here."""
    if n <= 1:
        return TIER_COLOURS[0]
    i = max(0, min(i, n - 1))
    return TIER_COLOURS[round(i * (len(TIER_COLOURS) - 1) / (n - 1))]


@dataclass
class ReportData:
    """Everything the reports need.

    Attributes
    ----------
    equity : headline equity metrics (``progressivity_ratio``, ``concentration_index``) from
        :func:`equitable.allocate.equity_metrics`, by % low income.
    title : report title (the config's ``title``); ``title_es`` its Spanish form (optional).
    schools : one row per ranked school, as written to ``schools.csv`` (``cds_code``,
        ``school_name``, ``enrollment``, ``tier``, ``rank``, ``score``, ``amount_cents``,
        ``per_pupil_dollars``, ``geoid``, ``placement``, ``neighbourhood``, ``latitude``,
        ``longitude`` and the indicator columns).
    tiers : one row per tier, highest need first: ``tier``, ``schools``, ``students``,
        ``amount_cents``, ``rate_dollars``, ``share_students``, ``share_dollars`` (fractions 0-1).
    tier_labels : tier labels, highest need first.
    budget_cents : the budget, integer cents.
    indicators : list of dicts: ``code``, ``label``, ``label_es``, ``column``, ``theme``,
        ``theme_label``, ``theme_label_es``, ``direction``, ``weight`` (within its theme).
    themes : list of dicts: ``code``, ``label``, ``label_es``, ``weight``.
    index_title, normalise_form, aggregation, missing_rule : from the spec;
        ``index_title_es`` the spec's ``title_es``.
    tier_labels_es : tier label -> its Spanish form (the spec's ``tiers.labels_es``); tiers not
        in it are translated word by word (``Highest`` -> ``Más alta``).
    tier_weights : tier label -> relative per-pupil weight (the config).
    placement_counts : placement -> number of schools.
    n_flagged : schools missing at least one indicator.
    inputs : label -> (file name, SHA-256).
    parameters : further (name, value) rows appended to the workbook's rules and settings
        (``equitable run`` gives none: its rows are ``rules``).
    tract_shapes : list of polygon rings [(lons, lats), ...] in degrees, for the map.
    version : package version.
    method_text : language -> the index spec explained in plain words
        (:func:`equitable.index.explain`), shown in the methods section.
    tier_summary : the index's tier summary (:meth:`equitable.index.IndexResult.tier_summary`):
        each tier's score range and the cut scores go in the tier table, its warnings (an empty
        tier, tiers made unequal by tied scores) under it.
    remainder_ties : exact ties in the largest-remainder rounding the allocation rule's
        ``tie_break`` decided: per tie ``schools`` (how many tied), ``moved`` (how many got the
        extra cent) and ``rule`` (``"id"`` or ``"need"``); a note under the tier table each.
    caveats : what in the data changed the result (``equitable run``'s caveats: dicts with
        ``code``, ``count`` and details), shown in their own section; ``[]`` for none.
    weight_tree : the index's weights as its spec defines them, overall score first, each
        family followed by its members (depth first): dicts ``depth`` (0 = overall), ``kind``
        (``overall``, ``family``, ``indicator``), ``code``, ``label``, ``label_es``, ``family``
        (the parent's code), ``weight`` (as written in the spec, within its family; None for
        the overall score), ``share`` (the product of the normalised weights from the overall
        score down: the share of the score under weighted-mean or sum aggregation; else None),
        ``column`` and ``direction`` (indicators).
    rules : the allocation rule and run settings as readable rows for the workbook: dicts
        ``key`` (a message key), ``args`` (its placeholders), ``value``, ``kind`` (a number
        format of :data:`equitable._workbook.FORMATS`), ``value_key`` (a message key
        translating a text value, or None) and optionally ``value_es`` (the value in Spanish).
    sources : the input files: dicts ``label``, ``file``, ``year`` (the data year the file name
        gives, e.g. ``2023-24``; "" when it gives none), ``bytes``, ``sha256``.
    prior : the prior-year allocation (``equitable run``'s ``[prior]``): ``column``, ``file``,
        counts and ``by_tier`` (schools gaining, losing, unchanged, without a prior amount, and
        prior and change in cents, per tier); ``{}`` when the config names none. The schools
        table then has ``prior_cents``, ``change_cents`` and ``change_per_pupil``.
    """

    title: str
    schools: pd.DataFrame
    tiers: pd.DataFrame
    tier_labels: list[str]
    budget_cents: int
    indicators: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    index_title: str
    normalise_form: str
    aggregation: str
    missing_rule: str
    tier_weights: dict[str, float]
    placement_counts: dict[str, int]
    n_flagged: int
    inputs: dict[str, tuple[str, str]]
    parameters: list[tuple[str, Any]] = field(default_factory=list)
    tract_shapes: list[tuple[list[float], list[float]]] = field(default_factory=list)
    version: str = ""
    method_text: dict[str, str] = field(default_factory=dict)
    title_es: str | None = None
    equity: dict[str, float] = field(default_factory=dict)
    index_title_es: str | None = None
    tier_labels_es: dict[str, str] = field(default_factory=dict)
    tier_summary: dict[str, Any] | None = None
    remainder_ties: list[dict[str, Any]] = field(default_factory=list)
    caveats: list[dict[str, Any]] = field(default_factory=list)
    weight_tree: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    prior: dict[str, Any] = field(default_factory=dict)
