"""Outreach lists for chosen sites: the schools each site serves and a bilingual notice for their
families, written with the outreach event templates (:data:`equitable.outreach._notices.EVENT_TEMPLATES`)."""

from __future__ import annotations

from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from equitable.errors import InputError, location

__all__ = ["EVENT_KEYS", "read_home_languages", "site_notices"]

#: Keys of the ``event`` mapping: ``kind`` (``clinic`` or ``information``), ``date``, ``time``,
#: ``bring`` (English) and ``bring_es`` (Spanish), ``contact``.
EVENT_KEYS = ("kind", "date", "time", "bring", "bring_es", "contact")


def read_home_languages(path: str | Path) -> pd.DataFrame:
    """Read students by home language per school: ``cds_code`` (or ``school_id``), ``language``
    (English name, e.g. ``Spanish``), ``students`` (whole number >= 0), e.g. from CDE's English
    learners by language file or the district's language census. One row per school and language."""
    from equitable.files import read_table
    from equitable.health._io import _first, _numbers

    source = str(path)
    head = read_table(path)
    idc = _first(head, ("cds_code", "school_id"), source, "the school's CDS code")
    df = read_table(path, id_column=idc)
    for c in ("language", "students"):
        if c not in df.columns:
            raise InputError(f"{source}: missing column '{c}'")
    n = _numbers(df, "students", source, lo=0, integer=True, what="a student count >= 0")
    lang = df["language"].astype("string").str.strip().str.lower()
    if lang.isna().any() or (lang == "").any():
        i = int((lang.isna() | (lang == "")).to_numpy().nonzero()[0][0])
        raise InputError(f"{location(source, i + 2, 'language')}: empty language")
    out = pd.DataFrame({"school_id": df[idc].astype(str).str.strip(), "language": lang,
                        "students": n.astype("int64")})
    if out.duplicated(["school_id", "language"]).any():
        i = int(out.duplicated(["school_id", "language"]).to_numpy().nonzero()[0][0])
        raise InputError(f"{location(source, i + 2, 'language')}: this school and language are "
                         "listed twice")
    return out


def site_notices(result: Any, schools: pd.DataFrame, event: dict[str, str],
                 languages: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Notices per chosen site and served school, in English and Spanish.

    Parameters
    ----------
    result : a :class:`equitable.health.SitesResult`.
    schools : the schools table (``school_id``, optional ``school_name``).
    event : :data:`EVENT_KEYS`; ``kind`` is ``clinic`` or ``information``.
    languages : optional students by home language per school (:func:`read_home_languages`).

    Returns
    -------
    (notices, missing): ``notices`` has one row per site, served school and language
    (``site_id``, ``place``, ``school_id``, ``school_name``, ``language``, ``text``); ``missing``
    counts, per site, the students of the served schools whose home language has no template
    (``site_id``, ``language``, ``students``), through :func:`equitable.privacy.suppress_table`
    (10 or fewer: ``*``).
    """
    from equitable.outreach._notices import EVENT_KINDS, EVENT_TEMPLATES
    from equitable.privacy import suppress_table

    unknown = sorted(set(event) - set(EVENT_KEYS))
    if unknown:
        raise InputError(f"event: unknown key(s) {', '.join(unknown)} (use {', '.join(EVENT_KEYS)})")
    kind = event.get("kind", "clinic")
    if kind not in EVENT_KINDS:
        raise InputError(f"event kind must be one of {', '.join(EVENT_KINDS)}. Got {kind!r}")
    for key in ("date", "time", "bring", "contact"):
        if not event.get(key):
            raise InputError(f"event: '{key}' is needed for the notices")
    names = (dict(zip(schools["school_id"], schools["school_name"].fillna(schools["school_id"])))
             if "school_name" in schools else {})
    sites = result.sites.set_index("site_id")
    served = result.schools[result.schools["served_share"] > 0]
    rows = []
    for _, r in served.sort_values(["site_id", "school_id"]).iterrows():
        site = sites.loc[r["site_id"]]
        place = site["name"] if isinstance(site["name"], str) and site["name"] else r["site_id"]
        school = names.get(r["school_id"], r["school_id"])
        for lang in ("english", "spanish"):
            bring = event["bring"] if lang == "english" else (event.get("bring_es") or event["bring"])
            text = Template(EVENT_TEMPLATES[lang]).substitute(
                kind=EVENT_KINDS[kind][lang], school=school, date=event["date"],
                time=event["time"], place=place, bring=bring, contact=event["contact"])
            rows.append({"site_id": r["site_id"], "place": place, "school_id": r["school_id"],
                         "school_name": school, "language": lang, "text": text})
    notices = pd.DataFrame(rows, columns=["site_id", "place", "school_id", "school_name",
                                          "language", "text"])
    missing = pd.DataFrame(columns=["site_id", "language", "students"])
    if languages is not None:
        lang = languages.merge(served[["school_id", "site_id"]], on="school_id", how="inner")
        lang = lang[~lang["language"].isin(list(EVENT_TEMPLATES))]
        missing = (lang.groupby(["site_id", "language"], as_index=False)["students"].sum()
                   .sort_values(["site_id", "language"]).reset_index(drop=True))
        missing = suppress_table(missing, "students", ["students"])
    return notices, missing
