"""Scale scores of multi-item constructs (school connectedness, caring adult relationships...),
with Cronbach's alpha and intervals, by group and need tier.

* A respondent's **scale score** is the mean of the numeric answer codes of the construct's
  items they answered, when they answered at least half of them (rounded up); otherwise they have
  no score (counted, never imputed). This is how WestEd scores the California Healthy Kids
  Survey's scales: the mean of the items of the scale (CHKS, "Guidebook to the California Healthy
  Kids Survey", Part II, scale scoring; Resilience & Youth Development Module).
* **Cronbach's alpha** over respondents who answered every item of the construct:
  ``alpha = k / (k - 1) x (1 - sum(var(item)) / var(total))`` (Cronbach 1951,
  Psychometrika 16(3), 297-334), sample variances; its interval is Feldt's
  (Feldt 1965, Psychometrika 30(3), 357-370): ``1 - (1 - alpha) F``, F the ``F(n - 1,
  (n - 1)(k - 1))`` quantiles.
* A group's **mean** has a t interval ``mean +- t(0.975, n - 1) sd / sqrt(n)`` (unweighted;
  respondents are not a random sample, so read it as the precision of the mean of those who
  answered).
* Every group of 10 or fewer respondents is ``*`` (:func:`equitable.privacy.suppress_table`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from equitable.errors import InputError, SpecError

__all__ = ["cronbach_alpha", "feldt_interval", "scale_scores", "scale_table"]


def cronbach_alpha(x: np.ndarray) -> float:
    """Cronbach's alpha of an (n respondents, k items) array without missing values.

    Examples
    --------
    >>> round(cronbach_alpha(np.array([[1, 2], [2, 3], [3, 3], [4, 5]])), 4)
    0.96
    """
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    if k < 2 or n < 2:
        return math.nan
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return math.nan
    return float(k / (k - 1) * (1 - item_var / total_var))


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) confidence interval of Cronbach's alpha from n respondents and k items."""
    from scipy.stats import f

    if not np.isfinite(alpha) or n < 3 or k < 2:
        return math.nan, math.nan
    d1, d2 = n - 1, (n - 1) * (k - 1)
    g = 1 - level
    return (float(1 - (1 - alpha) * f.ppf(1 - g / 2, d1, d2)),
            float(1 - (1 - alpha) * f.ppf(g / 2, d1, d2)))


def _codes(instrument, construct: str) -> tuple[list[str], dict[str, float]]:
    items = instrument.construct_items().get(construct)
    if not items:
        raise SpecError(f"instrument '{instrument.id}' has no construct '{construct}' with "
                        f"items (constructs: {', '.join(instrument.constructs)})")
    scales = {instrument.item_map[i].scale for i in items}
    if len(scales) != 1:
        raise SpecError(f"construct '{construct}': its items use different scales "
                        f"({', '.join(sorted(map(str, scales)))}); a scale score needs one")
    scale = instrument.scales[scales.pop()]
    try:
        values = {o: float(o) for o in scale.options}
    except ValueError:
        raise SpecError(f"construct '{construct}': answer codes {scale.options} are not numbers "
                        "(a scale score needs numeric codes, e.g. 1-5)") from None
    return items, values


def scale_scores(data, instrument, construct: str) -> pd.DataFrame:
    """One row per respondent: ``respondent_id``, ``answered`` (items of the construct),
    ``score`` (mean of the answered codes; NaN when fewer than half were answered).

    Returns the wide item matrix too, as columns named by item id (NaN = not answered).
    """
    items, values = _codes(instrument, construct)
    r = data.responses[data.responses["item"].isin(items)]
    wide = (r.assign(v=r["response"].map(values))
            .pivot_table(index="respondent_id", columns="item", values="v", aggfunc="first")
            .reindex(columns=items))
    wide = wide.reindex(data.respondents["respondent_id"].astype(str))
    answered = wide.notna().sum(axis=1)
    need = math.ceil(len(items) / 2)
    score = wide.mean(axis=1).where(answered >= need)
    out = wide.copy()
    out.insert(0, "score", score)
    out.insert(0, "answered", answered.astype(int))
    return out.reset_index().rename(columns={"index": "respondent_id"})


def scale_table(data, instrument, *, by: Sequence[str] = (), tiers: pd.DataFrame | None = None,
                school_attribute: str = "school", threshold: int = 10) -> pd.DataFrame:
    """Scale means with intervals and Cronbach's alpha per construct, overall and by group.

    Parameters
    ----------
    data : a :class:`~equitable.voice.SurveyData` (``load_survey_dir``).
    instrument : its instrument; every construct whose items share one numeric scale is scored.
    by : respondent attributes to group by (e.g. ``race_ethnicity``, ``grade_span``).
    tiers : optional ``cds_code``, ``tier`` table joined on ``school_attribute`` to report by
        need tier (a respondent whose school has no tier is counted under ``(no tier)``).
    threshold : groups of this many respondents or fewer are ``*``.

    Returns
    -------
    DataFrame: ``construct``, ``variable`` (``all``, an attribute or ``tier``), ``group``,
    ``n`` (respondents with a score), ``mean``, ``ci_low``, ``ci_high``, ``sd``, ``alpha``,
    ``alpha_low``, ``alpha_high``, ``alpha_n`` (complete answers), ``items``; suppressed cells
    ``*``.
    """
    from scipy.stats import t as student_t

    from equitable.privacy import suppress_table

    resp = data.respondents.copy()
    resp["respondent_id"] = resp["respondent_id"].astype(str)
    for v in by:
        if v not in resp.columns:
            raise SpecError(f"--by '{v}' is not an attribute of the survey (attributes: "
                            f"{', '.join(a.id for a in instrument.attributes)})")
    variables = [("all", pd.Series("All", index=resp.index))]
    variables += [(v, resp[v].fillna("").astype(str).replace("", "(blank)")) for v in by]
    if tiers is not None:
        if school_attribute not in resp.columns:
            raise InputError(f"the survey has no '{school_attribute}' attribute to join need "
                             "tiers on")
        tmap = dict(zip(tiers["cds_code"].astype(str), tiers["tier"].astype(str), strict=True))
        variables.append(("tier", resp[school_attribute].astype(str).map(tmap)
                          .fillna("(no tier)")))
    rows = []
    scorable = [c for c, its in instrument.construct_items().items() if len(its) >= 2]
    for construct in scorable:
        try:
            items, _ = _codes(instrument, construct)
        except SpecError:
            continue
        sc = scale_scores(data, instrument, construct).set_index("respondent_id")
        sc = sc.reindex(resp["respondent_id"])
        for var, groups in variables:
            g = pd.Series(groups.to_numpy(), index=sc.index)
            for label in sorted(set(g)):
                sub = sc[(g == label).to_numpy()]
                s = sub["score"].dropna()
                n = len(s)
                mean = float(s.mean()) if n else math.nan
                sd = float(s.std(ddof=1)) if n > 1 else math.nan
                half = (float(student_t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
                        if n > 1 else math.nan)
                complete = sub[items].dropna().to_numpy()
                a = cronbach_alpha(complete) if len(complete) else math.nan
                lo, hi = feldt_interval(a, len(complete), len(items))
                rows.append({"construct": construct, "variable": var, "group": label, "n": n,
                             "mean": round(mean, 3), "ci_low": round(mean - half, 3),
                             "ci_high": round(mean + half, 3), "sd": round(sd, 3),
                             "alpha": round(a, 3), "alpha_low": round(lo, 3),
                             "alpha_high": round(hi, 3), "alpha_n": len(complete),
                             "items": len(items)})
    if not rows:
        raise SpecError(f"instrument '{instrument.id}' has no construct of two or more items on "
                        "one numeric scale to score")
    df = pd.DataFrame(rows)
    return suppress_table(df, "n", ["mean", "ci_low", "ci_high", "sd", "alpha", "alpha_low",
                                    "alpha_high", "alpha_n"], threshold=threshold)
