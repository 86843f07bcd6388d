"""Plain-language presentation of the dashboard's figures: tiers as need levels, sources as
publishers and datasets, missing-indicator notes, the school page's opening sentence, the tier
colours and the "where the school stands" strip chart.

Every string here is an English message id translated through the dashboard's gettext catalog
(``locale/es/LC_MESSAGES/messages.po``), so a Spanish page carries no English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape

from equitable.provenance import InputFile
from equitable.report import TIER_COLOURS
from equitable.report._model import tier_colour_at

__all__ = ["TIER_COLOURS", "level_name", "missing_note", "school_sentence", "source_of",
           "standing_chart", "tier_colour", "vintage"]

Gettext = Callable[[str], str]

#: Need levels of a five-tier index, highest need first (CDE California School Dashboard and
#: RACE COUNTS name levels in words, never by a bare number).
LEVELS_5 = ("Highest need", "High need", "Moderate need", "Low need", "Lowest need")
LEVELS_3 = ("Highest need", "Moderate need", "Lowest need")


def tier_index(tiers: list[str], tier: str | None) -> int | None:
    try:
        return tiers.index(tier) if tier is not None else None
    except ValueError:
        return None


def level_name(tiers: list[str], tier: str | None, _: Gettext) -> str:
    """The tier as a need level in words ("Highest need" / "Necesidad más alta"); for an index
    with other than 3 or 5 tiers, "Need group k of n (1 = highest need)"."""
    i = tier_index(tiers, tier)
    if i is None:
        return "—" if tier is None else _(tier)
    if len(tiers) == 5:
        return _(LEVELS_5[i])
    if len(tiers) == 3:
        return _(LEVELS_3[i])
    return _("Need group %(k)s of %(n)s (1 = highest need)") % {"k": i + 1, "n": len(tiers)}


def tier_colour(tiers: list[str], tier: str | None) -> str:
    """The tier's colour in the one scale shared with the offline report (viridis: dark for the
    highest need, light for the lowest; readable with every common colour-vision deficiency)."""
    i = tier_index(tiers, tier)
    if i is None:
        return "#777777"
    return tier_colour_at(i, len(tiers))  # the report's own function: one scale for both


_YEAR = re.compile(r"(20\d\d)[_-](\d\d)(?!\d)")


def vintage(file: str | None) -> str | None:
    """The school year a CDE-style file name carries ("frpm_2023_24_..." -> "2023-24")."""
    if not file:
        return None
    m = _YEAR.search(file)
    return f"{m.group(1)}-{m.group(2)}" if m else None


#: Publisher and dataset of an indicator, by the start of its code.
_DATASETS = (
    ("frpm", "CDE, Free or Reduced-Price Meal data"),
    ("el_", "CDE, English learner enrollment"),
    ("swd", "CDE, students with disabilities enrollment"),
    ("ela", "CDE, CAASPP results in English language arts"),
    ("math", "CDE, CAASPP results in mathematics"),
    ("chronic", "CDE, chronic absenteeism data"),
)
CES = "OEHHA, CalEnviroScreen 4.0 (October 2021)"
CES_CODES = {"asthma_ed_rate", "poverty_pct", "linguistic_isolation_pct", "ces_pctl",
             "education_pct", "unemployment_pct", "housing_burden_pct", "pm25", "diesel_pm"}


def source_of(code: str, inputs: Mapping[str, InputFile], _: Gettext) -> str:
    """The publisher and dataset of an indicator ("CDE, Free or Reduced-Price Meal data
    2024-25"), never a file name; the school year comes from the input file's name."""
    if code in CES_CODES:
        return _(CES)
    for prefix, msg in _DATASETS:
        if code.startswith(prefix):
            key = "math" if prefix == "math" and "math" in inputs else (
                "chronic_absenteeism" if prefix == "chronic" else "schools")
            f = inputs.get(key)
            year = vintage(f.file if f is not None else None)
            return _(msg) + (f" {year}" if year else "")
    return _("School data of the run")


#: Publisher and dataset of each input of a run config (``[inputs]`` keys, docs/run.md).
INPUT_DATASETS = {
    "schools": "School table: enrollment, student groups and CAASPP English results (CDE data)",
    "math": "CDE, CAASPP results in mathematics",
    "frpm": "CDE, Free or Reduced-Price Meal data",
    "directory": "CDE, Public Schools and Districts directory",
    "calenviroscreen": CES,
    "tracts": "U.S. Census Bureau, TIGER/Line census tracts 2010",
    "neighbourhoods": "Los Angeles Times, Mapping L.A. neighborhoods",
    "chronic_absenteeism": "CDE, chronic absenteeism data",
}


def dataset_of(key: str, file: str | None, _: Gettext) -> str:
    """An input of the run named by publisher and dataset, with its school year when the file
    name carries one ("CDE, Free or Reduced-Price Meal data 2023-24")."""
    name = _(INPUT_DATASETS.get(key, "Other input"))
    year = vintage(file) if key != "calenviroscreen" else None
    return f"{name} {year}" if year else name


def missing_note(text: str | None, labels: dict[str, str], _: Gettext) -> str | None:
    """The run's ``missing_indicators`` cell ("reweighted: linguistic_isolation_pct") in plain
    words of the page's language, with indicator names instead of column codes."""
    if not text:
        return None
    notes = []
    for part in str(text).split(";"):
        part = part.strip()
        how, _sep, codes = part.partition(":")
        names = [labels.get(c.strip(), c.strip()) for c in codes.split(",") if c.strip()]
        joined = "; ".join(names)
        how = how.strip()
        if how == "reweighted":
            notes.append(_("No value for: %(names)s. The school's score uses its other "
                           "indicators, whose weights were scaled up to fill the gap.")
                         % {"names": joined})
        elif how == "imputed":
            notes.append(_("No value for: %(names)s. A typical value was filled in.")
                         % {"names": joined})
        elif how == "excluded":
            notes.append(_("No value for: %(names)s. The indicator was left out for this "
                           "school.") % {"names": joined})
        else:
            notes.append(_("Some indicators of this school are missing, so it could not be "
                           "scored in full."))
    return " ".join(notes)


def school_sentence(rec: dict, *, level: str, k: int, n_tiers: int, n_ranked: int,
                    average: float, money: Callable[[float], str], _: Gettext) -> str:
    """The school page's opening sentence in the reader's language: the need level, the
    amount per student and its gap to the average of all ranked schools, and why."""
    pp = rec.get("per_pupil_dollars")
    where = _("%(name)s is in the “%(level)s” group (group %(k)s of %(n)s, of about "
              "equal size) among the %(count)s schools ranked.") % {
        "name": rec["school_name"], "level": level, "k": k, "n": n_tiers, "count": n_ranked}
    if pp is None:
        return where + " " + _("It has no students on record, so no amount per student.")
    gap = float(pp) - average
    if abs(gap) < 0.005:
        money_part = _("Under this plan it would receive %(pp)s per student, the same as the "
                       "average of %(avg)s.")
    elif gap > 0:
        money_part = _("Under this plan it would receive %(pp)s per student, %(gap)s more than "
                       "the average of %(avg)s, because schools with more need get a larger "
                       "share per student.")
    else:
        money_part = _("Under this plan it would receive %(pp)s per student, %(gap)s less than "
                       "the average of %(avg)s, because schools with more need get a larger "
                       "share per student.")
    return where + " " + money_part % {"pp": money(float(pp)), "gap": money(abs(gap)),
                                       "avg": money(average)}


def standing_chart(scores: list[float], tiers_of: list[str], tiers: list[str], mine: float,
                   *, label: str, low: str, high: str) -> str:
    """A small SVG strip: every ranked school as a thin mark along the need score (0-100),
    coloured by tier, this school as a tall black marker. ``label`` is its accessible name."""
    w, h, pad = 320.0, 56.0, 8.0

    def x(v: float) -> float:
        return pad + (w - 2 * pad) * max(0.0, min(100.0, float(v))) / 100.0

    marks = "".join(f'<rect x="{x(v) - 0.5:.1f}" y="14" width="1" height="18" '
                    f'fill="{tier_colour(tiers, t)}"/>' for v, t in zip(scores, tiers_of))
    mx = x(mine)
    return (f'<svg class="standing" viewBox="0 0 {w:.0f} {h:.0f}" role="img" '
            f'aria-label="{escape(label)}" preserveAspectRatio="xMinYMid meet">'
            f'<line x1="{pad}" y1="23" x2="{w - pad}" y2="23" stroke="#6b6b6b"/>{marks}'
            f'<path d="M{mx - 6:.1f} 4 L{mx + 6:.1f} 4 L{mx:.1f} 12 Z" fill="#1b1b1b"/>'
            f'<rect x="{mx - 1.5:.1f}" y="10" width="3" height="26" fill="#1b1b1b"/>'
            f'<text x="{pad}" y="50" font-size="11" fill="#1b1b1b">{escape(low)}</text>'
            f'<text x="{w - pad}" y="50" font-size="11" fill="#1b1b1b" text-anchor="end">'
            f'{escape(high)}</text></svg>')
