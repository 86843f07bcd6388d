"""Public dashboard routes (no login): finder, school page, map, allocation explorer, methods,
and a CSV download of every table."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from babel.numbers import format_decimal
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from equitable.errors import EquitableError
from equitable.money import LOCALES, format_money
from equitable.web.dashboard import _map, _present
from equitable.web.dashboard._cache import ByteLRU
from equitable.web.dashboard._data import DashboardData, results_for
from equitable.web.deps import csrf_token, render

router = APIRouter()

MAX_RESULTS = 100
PEERS_SHOWN = 10
MOVERS_SHOWN = 10


class Fmt:
    """Numbers in the page's language (Babel, CLDR)."""

    def __init__(self, lang: str) -> None:
        self.lang = "es" if lang == "es" else "en"
        self.locale = LOCALES[self.lang]

    def num(self, x: Any, digits: int = 1) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "—"
        return format_decimal(round(float(x), digits), format=f"#,##0.{'0' * digits}"
                              if digits else "#,##0", locale=self.locale)

    def date(self, day: Any) -> str:
        from babel.dates import format_date

        return "—" if day is None else format_date(day, format="long", locale=self.locale)

    def money(self, dollars: Any, cents: bool = True) -> str:
        """Dollars with (``cents``) or without cents: :func:`equitable.money.format_money`."""
        return format_money(dollars, lang=self.lang, decimals=2 if cents else 0, missing="—")


def _data(request: Request) -> DashboardData:
    data = results_for(request.app.state)
    if data is None:
        raise HTTPException(status_code=503, detail="no results loaded")
    if "warm" not in data.cache:
        warm(data)
    return data


def warm(data: DashboardData) -> None:
    """Build once what several pages share: the map layers, the explorer's default scenario and
    the methods text in each language (so no visitor waits for them)."""
    from equitable.index import explain
    from equitable.web.i18n import LANGUAGES

    _map_state(data)
    defaults = {"rule": "tier_weights", "budget": _default_budget(data),
                "weights": _default_weights(data), "base_weight": "1", "need_weight": "0.01"}
    try:
        _explore(data, defaults)
    except EquitableError:
        pass
    for lang in LANGUAGES:
        key = ("explain", lang)
        if key not in data.cache:
            try:
                text = explain(data.spec, lang=lang)
            except (KeyError, ValueError):
                text = explain(data.spec)
            data.cache[key] = _paragraphs(text)
    data.cache["warm"] = True


#: Rendered pages kept per results: (path, query, language) -> (html, status). Pages depend only
#: on the results, the parameters the page reads and the language, except the session's CSRF
#: token in the layout, which is a placeholder in the cached copy, filled in per request.
#: Signed-in users (whose navigation differs) are never served from the cache. The query is made
#: canonical before the page is built (:func:`_canonical`): only the parameters the page uses,
#: non-empty, in a fixed order, so unknown parameters neither make new entries nor reach the
#: page. The cache is bounded in bytes (:class:`~equitable.web.dashboard._cache.ByteLRU`).
PAGE_CACHE_BYTES = 32 * 1024 * 1024
_CSRF_PLACEHOLDER = "__equitable_csrf_placeholder__"
_PAGE_HEADERS = {"Cache-Control": "private, max-age=300"}


def _page_cache(data: DashboardData) -> ByteLRU:
    cache = data.cache.get("pages")
    if cache is None:
        cache = data.cache.setdefault("pages", ByteLRU(
            PAGE_CACHE_BYTES, lambda v: len(v[0].encode("utf-8")) + 64))
    return cache


def _cache_key(request: Request) -> tuple | None:
    if request.session.get("sid") is not None or request.session.get("uid") is not None:
        return None
    return (request.url.path, request.url.query, getattr(request.state, "lang", "en"))


def _canonical(request: Request, params: tuple[str, ...]) -> Request:
    """The request with only the query parameters ``params`` (non-empty, in that order)."""
    qp = request.query_params
    query = urlencode([(k, qp[k]) for k in params if qp.get(k)])
    if query == request.url.query:
        return request
    scope = dict(request.scope)
    scope["query_string"] = query.encode("latin-1")
    return Request(scope, request.receive)


def _cached(request: Request, data: DashboardData) -> HTMLResponse | None:
    key = _cache_key(request)
    hit = _page_cache(data).get(key) if key else None
    if hit is None:
        return None
    html, status = hit
    return HTMLResponse(html.replace(_CSRF_PLACEHOLDER, csrf_token(request)),
                        status_code=status, headers=_PAGE_HEADERS)


async def _serve(request: Request, build, *args, params=()) -> Response:
    """A page from the cache without leaving the event loop, else built in the thread pool.

    ``params``: the query parameters the page reads (a tuple, or a function of the data giving
    one); every other parameter is ignored (:func:`_canonical`).
    """
    data: DashboardData | None = getattr(request.app.state, "dashboard_data", None)
    if data is None or "warm" not in data.cache:
        data = await run_in_threadpool(_data, request)
    request = _canonical(request, params(data) if callable(params) else params)
    hit = _cached(request, data)
    if hit is not None:
        return hit
    return await run_in_threadpool(build, request, *args)


def _gettext(lang: str):
    from equitable.web.i18n import translations

    return translations(lang).gettext


def _page(request: Request, template: str, ctx: dict, status_code: int = 200) -> HTMLResponse:
    lang = getattr(request.state, "lang", "en")
    ctx = {"fmt": Fmt(lang), **ctx}
    data = ctx.get("data")
    if data is not None:
        _ = _gettext(lang)
        ctx.setdefault("level", lambda t: _present.level_name(data.tiers, t, _))
        ctx.setdefault("tier_colour", lambda t: _present.tier_colour(data.tiers, t))
        ctx.setdefault("swatch", lambda t: Markup(
            '<svg class="swatch" width="14" height="14" aria-hidden="true" focusable="false">'
            f'<rect x="0.5" y="0.5" width="13" height="13" rx="2" '
            f'fill="{_present.tier_colour(data.tiers, t)}" stroke="#1b1b1b"/></svg>'))
        ctx.setdefault("title", _run_title(data, lang))
        ctx.setdefault("nav", _nav(request, data))
    key = _cache_key(request) if data is not None else None
    if data is None or key is None:
        return render(request, template, ctx, status_code=status_code, headers=_PAGE_HEADERS)
    response = render(request, template, {**ctx, "csrf_token": _CSRF_PLACEHOLDER},
                      status_code=status_code)
    html = bytes(response.body).decode("utf-8")  # Response.body may be a memoryview
    _page_cache(data).put(key, (html, status_code))
    return HTMLResponse(html.replace(_CSRF_PLACEHOLDER, csrf_token(request)),
                        status_code=status_code, headers=_PAGE_HEADERS)


def _nav(request: Request, data: DashboardData) -> list[tuple[str, str]]:
    """The app's menu, with "District staffing" when the run published staffing tables and
    "Health sites" when it read a site plan (after "Map")."""
    nav = list(getattr(request.app.state, "nav", []))
    extra = []
    if data.staffing_tiers is not None:
        extra.append(("District staffing", "/staffing"))
    if data.site_plan is not None:
        extra.append(("Health sites", "/sites"))
    if not extra:
        return nav
    hrefs = [h for _l, h in nav]
    at = hrefs.index("/map") + 1 if "/map" in hrefs else len(nav)
    return nav[:at] + extra + nav[at:]


#: Column headers of the CSV downloads (message ids, translated to the page's language).
CSV_HEADERS = {
    "cds_code": "CDS code", "school_name": "School", "neighbourhood": "Neighbourhood",
    "span": "Level", "enrollment": "Students", "rank": "Rank", "tier": "Tier",
    "need_level": "Need level", "score": "Need score", "allocation_dollars": "Allocation",
    "per_pupil_dollars": "Dollars per pupil", "zip": "ZIP code",
    "board_district": "Board District", "geoid": "Census tract (GEOID)",
    "latitude": "Latitude", "longitude": "Longitude", "indicator": "Indicator",
    "code": "Code", "value": "Value", "percentile": "Percentile", "weight": "Weight",
    "source": "Source", "baseline_cents": "Published (cents)",
    "scenario_cents": "Scenario (cents)", "change_cents": "Change (cents)",
    "baseline_per_pupil_dollars": "Published per pupil",
    "scenario_per_pupil_dollars": "Scenario per pupil", "change_pct": "Change (%)",
    "schools": "Schools", "students": "Students", "allocation_cents": "Allocation (cents)",
    "min_score": "Lowest need score", "max_score": "Highest need score",
    "support": "Support", "students_per_professional": "Students per professional",
    "fte": "Staff (full-time equivalents)", "recommended_max": "Recommended at most",
    "positions": "Positions", "vacancies": "Vacancies", "vacancy_rate_pct": "Vacancy rate (%)",
    "median_days_open": "Median days open",
    "students_per_counselor": "Students per counselor",
    "students_per_social_worker": "Students per social worker",
    "students_per_psychologist": "Students per psychologist",
    "students_per_nurse": "Students per nurse",
    "counselor_fte": "Counselors (full-time equivalents)",
    "social_worker_fte": "Social workers (full-time equivalents)",
    "psychologist_fte": "Psychologists (full-time equivalents)",
    "nurse_fte": "Nurses (full-time equivalents)",
    "vem_quartile": "Vaccine Equity Metric quartile", "quartile": "Group",
    "students_served": "Students served", "served_pct": "Share of students served (%)",
    "schools_unserved": "Schools out of reach", "site_id": "Site", "name": "Name",
    "schools_served": "Schools served", "school_id": "CDS code",
    "nearest_site_id": "Nearest site",
    "nearest_travel_km": "Distance to the nearest site (km)",
    "nearest_travel_min": "Travel time to the nearest site (minutes)",
}


def _csv(df: pd.DataFrame, filename: str, lang: str = "en",
         data: DashboardData | None = None) -> Response:
    """A CSV download: UTF-8 with a byte order mark (so Excel opens accents right on a
    double-click); on a Spanish page the headers, level names and need levels in Spanish (an
    English page keeps the column names of the run's ``schools.csv``, plus ``need_level``)."""
    _ = _gettext(lang)
    df = df.copy()
    if "span" in df:
        df["span"] = [_(x) if isinstance(x, str) else x for x in df["span"]]
    if "tier" in df and data is not None:
        df.insert(df.columns.get_loc("tier") + 1, "need_level",
                  [_present.level_name(data.tiers, t, _) for t in df["tier"]])
    if lang != "en":  # English keeps the column names of the run's schools.csv (docs/run.md)
        df = df.rename(columns={c: _(CSV_HEADERS[c]) for c in df.columns if c in CSV_HEADERS})
    body = "\ufeff" + df.to_csv(index=False, lineterminator="\n")
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "public, max-age=300"})


def _run_title(data: DashboardData, lang: str) -> str:
    """The run config's title in ``lang`` (``report.title_es`` for Spanish); a Spanish page
    without a Spanish title gets a generic one rather than English."""
    if lang == "es":
        title = data.run.spec.config.report.title_es
        return title or _gettext(lang)("School need tiers and allocation")
    return data.title


def _source_of(data: DashboardData, code: str, lang: str = "en") -> str:
    return _present.source_of(code, data.run.inputs, _gettext(lang))


# --- finder ---------------------------------------------------------------------------------

FINDER_COLUMNS = ["cds_code", "school_name", "neighbourhood", "span", "enrollment", "rank",
                  "tier", "score", "allocation_dollars", "per_pupil_dollars"]


@router.get("/", response_class=HTMLResponse)
async def finder(request: Request, q: str = Query("", max_length=200)) -> Response:
    return await _serve(request, _finder, q, params=("q",))


def _finder(request: Request, q: str) -> HTMLResponse:
    data = _data(request)
    q = q.strip()
    hits = data.search(q) if q else None
    tiers = data.schools.groupby("tier", sort=False).agg(
        schools=("cds_code", "size"), students=("enrollment", "sum"),
        dollars=("amount_cents", "sum"))
    tier_rows = [{"tier": t, "schools": int(tiers.loc[t, "schools"]),
                  "students": float(tiers.loc[t, "students"]),
                  "dollars": float(tiers.loc[t, "dollars"]) / 100,
                  "rate": data.run.extra.rates_dollars.get(t)}
                 for t in data.tiers if t in tiers.index]
    rows = None if hits is None else [data.by_cds[c] for c in hits.index[:MAX_RESULTS]]
    return _page(request, "dashboard/finder.html", {
        "data": data, "q": q, "rows": rows, "n_hits": 0 if hits is None else len(hits),
        "max_results": MAX_RESULTS, "tier_rows": tier_rows})


@router.get("/schools.csv")
def finder_csv(request: Request, q: str = Query("", max_length=200)) -> Response:
    data = _data(request)
    df = data.search(q) if q.strip() else data.schools
    return _csv(df[[c for c in FINDER_COLUMNS if c in df]], "schools.csv", request.state.lang,
                data)


# --- school page ----------------------------------------------------------------------------

def _school_tables(data: DashboardData, cds: str, lang: str) -> dict[str, pd.DataFrame]:
    rec = data.by_cds[cds]
    ind = pd.DataFrame([{"indicator": translate_label(lang, i["label"], i.get("label_es")), "code": i["code"],
                         "value": rec.get(i["code"]), "percentile": rec.get(i["pctl"]),
                         "weight": i["weight"], "source": _source_of(data, i["code"], lang)}
                        for i in data.indicators])
    comm_rows = []
    for col, label, src in COMMUNITY:
        if col in data.schools.columns:
            comm_rows.append({"indicator": translate_label(lang, label), "code": col,
                              "percentile": rec.get(col), "source": _gettext(lang)(src),
                              "geoid": rec.get("geoid")})
    comm = pd.DataFrame(comm_rows, columns=["indicator", "code", "percentile", "source",
                                            "geoid"])
    peers = data.similar(cds).copy()
    peers["enrollment_gap"] = (peers["enrollment"] - rec["enrollment"]).abs()
    peers = peers.sort_values(["enrollment_gap", "rank", "cds_code"])
    peers = peers[["cds_code", "school_name", "span", "enrollment", "score", "rank", "tier",
                   "per_pupil_dollars"]]
    tables = {"indicators": ind, "community": comm, "similar": peers}
    st = data.staffing.get(cds)
    if st is not None:  # the staffing table of the school page, as published
        _ = _gettext(lang)
        tables["staffing"] = pd.DataFrame([{
            "support": _(label), "students_per_professional": st.get(f"students_per_{cls}"),
            "fte": st.get(f"{cls}_fte"), "recommended_max": st.get(f"{cls}_target"),
            "source": _(src)} for cls, label, src in SUPPORTS],
            columns=["support", "students_per_professional", "fte", "recommended_max",
                     "source"])
    return tables


COMMUNITY = [
    ("ces_pctl", "CalEnviroScreen 4.0 percentile of the tract",
     _present.CES),
    ("pollution_burden_pctl", "CalEnviroScreen pollution burden percentile",
     _present.CES),
    ("pop_char_pctl", "CalEnviroScreen population characteristics percentile",
     _present.CES),
    ("svi_overall_pctl", "Social Vulnerability Index (SVI) overall percentile",
     "CDC/ATSDR, Social Vulnerability Index 2018, California census tracts"),
    ("svi_socioeconomic_pctl", "SVI socioeconomic status percentile",
     "CDC/ATSDR, Social Vulnerability Index 2018, California census tracts"),
    ("svi_household_pctl", "SVI household composition and disability percentile",
     "CDC/ATSDR, Social Vulnerability Index 2018, California census tracts"),
    ("svi_minority_language_pctl", "SVI minority status and language percentile",
     "CDC/ATSDR, Social Vulnerability Index 2018, California census tracts"),
    ("svi_housing_transport_pctl", "SVI housing type and transportation percentile",
     "CDC/ATSDR, Social Vulnerability Index 2018, California census tracts"),
]


def translate_label(lang: str, label: str, label_es: str | None = None) -> str:
    """An indicator's label in ``lang``: the spec's own ``label_es`` first, else the catalog."""
    if lang == "es" and label_es:
        return label_es
    from equitable.web.i18n import translations

    return translations(lang).gettext(label)


def _school(request: Request, cds_code: str) -> tuple[DashboardData, dict]:
    data = _data(request)
    rec = data.by_cds.get(cds_code)
    if rec is None:
        raise HTTPException(status_code=404, detail="no such school")
    return data, rec


@router.get("/schools/{cds_code}", response_class=HTMLResponse)
async def school(request: Request, cds_code: str) -> Response:
    return await _serve(request, _school_page, cds_code)


def _school_page(request: Request, cds_code: str) -> HTMLResponse:
    data, rec = _school(request, cds_code)
    lang = request.state.lang
    tables = _school_tables(data, cds_code, lang)
    peers = tables["similar"]
    n_peers = len(peers)
    peer_rank = int((peers["score"] > rec["score"]).sum()) + 1
    lo, hi = rec["band"]
    _ = _gettext(lang)
    fmt = Fmt(lang)
    students = float(data.schools["enrollment"].sum())
    budget_cents = data.run.extra.budget_cents
    average = budget_cents / 100 / students if students else 0.0
    k = (_present.tier_index(data.tiers, rec["tier"]) or 0) + 1
    level = _present.level_name(data.tiers, rec["tier"], _)
    sentence = _present.school_sentence(rec, level=level, k=k, n_tiers=len(data.tiers),
                                        n_ranked=len(data.schools), average=average,
                                        money=lambda x: fmt.money(x, False), _=_)
    chart = _present.standing_chart(
        data.schools["score"].tolist(), data.schools["tier"].tolist(), data.tiers,
        float(rec["score"]),
        label=_("Need scores of all %(n)s ranked schools, from 0 to 100; this school, marked in "
                "black, has %(score)s.") % {"n": len(data.schools),
                                           "score": fmt.num(rec["score"], 1)},
        low=_("0 less need"), high=_("100 more need"))
    labels = {i["code"]: translate_label(lang, i["label"], i.get("label_es"))
              for i in data.indicators}
    config = data.run.spec.config
    weights = config.allocation.get("weights") or {}
    return _page(request, "dashboard/school.html", {
        "sentence": sentence, "chart": chart, "average": average, "level_k": k,
        "missing_note": _present.missing_note(rec.get("missing_indicators"), labels, _),
        "tier_weight": weights.get(rec["tier"]),
        "updated": _updated(data), "run_name": config.name,
        "data": data, "s": rec, "ind": tables["indicators"].to_dict(orient="records"),
        "community": tables["community"].to_dict(orient="records"),
        "peers": [data.by_cds[c] for c in peers["cds_code"][:PEERS_SHOWN]],
        "n_peers": n_peers, "peer_rank": peer_rank,
        "peer_median_score": float(peers["score"].median()),
        "peer_median_pp": float(peers["per_pupil_dollars"].median()),
        "band_lo": lo, "band_hi": hi, "n_ranked": len(data.schools),
        "budget": budget_cents / 100,
        "ces_source": data.community_sources.get("ces"),
        "health": _health_context(data, cds_code, _, fmt),
        "staff": _staffing_context(data, cds_code, _, fmt),
        "results_source": _("equitable, run '%(name)s'") % {"name": config.name},
    })


#: Healthy Places Index / Vaccine Equity Metric quartile (VEM numbering, 1 = least healthy) ->
#: the plain sentence of the school page.
HEALTH_QUARTER = {
    1: "This school's neighbourhood is in the least healthy quarter of California (Healthy "
       "Places Index).",
    2: "This school's neighbourhood is in the second least healthy quarter of California "
       "(Healthy Places Index).",
    3: "This school's neighbourhood is in the second healthiest quarter of California "
       "(Healthy Places Index).",
    4: "This school's neighbourhood is in the healthiest quarter of California (Healthy Places "
       "Index).",
}
HPI_SOURCE = ("Public Health Alliance of Southern California, Healthy Places Index 2.0 (2018); "
              "California Department of Public Health, Vaccine Equity Metric (March 2021)")

#: Student supports on the school page: job class -> (message id, professional ratio source).
SUPPORTS = (
    ("counselor", "Students per counselor",
     "American School Counselor Association (ASCA): 250 students per counselor"),
    ("social_worker", "Students per social worker",
     "School Social Work Association of America (SSWAA): 250 students per social worker"),
    ("psychologist", "Students per psychologist",
     "National Association of School Psychologists (NASP): 500 students per psychologist"),
    ("nurse", "Students per nurse",
     "National Association of School Nurses (NASN): 750 students per nurse"),
)


def _int(x: Any) -> int | None:
    try:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else int(x)
    except (TypeError, ValueError):
        return None


def _health_context(data: DashboardData, cds: str, _, fmt: Fmt) -> dict | None:
    """The school page's "Community health" section, in plain words (None without
    ``[health]`` in the run)."""
    h = data.health.get(cds)
    if h is None:
        return None
    vem = _int(h.get("vem_quartile"))
    out: dict[str, Any] = {
        "sentence": _(HEALTH_QUARTER[vem]) if vem in HEALTH_QUARTER else (
            _("This school could not be placed in a census tract, so its community health "
              "figures are unknown.") if not h.get("geoid") else
            _("The Healthy Places Index has no score for this school's census tract.")),
        "figures": [], "source": _(HPI_SOURCE),
    }
    pct = h.get("hpi_pctile_pos")
    if pct is not None:
        out["figures"].append({
            "label": _("Healthy Places Index percentile"), "value": fmt.num(pct, 1),
            "why": _("Conditions in this census tract are healthier than in about %(p)s%% of "
                     "California's census tracts (0 = least healthy, 100 = healthiest).")
            % {"p": fmt.num(pct, 0)}})
    if vem is not None:
        out["figures"].append({
            "label": _("Vaccine Equity Metric quartile"),
            "value": _("%(q)s of 4") % {"q": vem},
            "why": _("Quartile 1 has the least healthy conditions; in 2021 California reserved "
                     "%(share)s of vaccine doses for it.") % {"share": "40%"}})
    svi = h.get("svi_rpl_themes")
    if svi is not None:
        out["figures"].append({
            "label": _("Social Vulnerability Index (SVI) overall percentile"),
            "value": fmt.num(100 * svi, 1),
            "why": _("Higher means more social vulnerability than other California census "
                     "tracts (CDC/ATSDR, SVI 2018).")})
    if h.get("placement") == "nearest tract centroid":
        out["nearest_tract"] = _(
            "This school stands outside the census tracts of the map, so these are the figures "
            "of the nearest tract (%(m)s metres away).") % {"m": fmt.num(h.get("distance_m"), 0)}
    if "nearest_site_id" in h:
        name = h.get("nearest_site_name") or h.get("nearest_site_id")
        travel = h.get("nearest_site_travel")
        if not h.get("nearest_site_id"):
            out["site"] = _("The health site plan has no site for this school.")
        else:
            away = (_("about %(n)s minutes away") if h.get("nearest_site_unit") == "min" else
                    _("about %(n)s km by road")) % {"n": fmt.num(travel, 1)}
            reach = (_("within the plan's reach") if h.get("site_within_reach") == "true"
                     else _("beyond the plan's reach"))
            out["site"] = _("Nearest planned health or vaccine site: %(name)s, %(away)s "
                            "(%(reach)s).") % {"name": name, "away": away, "reach": reach}
    return out


def _staffing_context(data: DashboardData, cds: str, _, fmt: Fmt) -> dict | None:
    """The school page's "Staff and student supports" section from ``staffing_schools.csv``
    (as published through ``equitable.privacy``; None without staffing in the run)."""
    st = data.staffing.get(cds)
    if st is None:
        return None
    hidden = _("not shown (10 or fewer students or teachers)")

    def show(v: Any, digits: int = 1, suffix: str = "") -> str:
        if v == data.marker:
            return hidden
        return fmt.num(v, digits) + (suffix if v is not None else "")

    rows = []
    for cls, label, src in SUPPORTS:
        ratio = st.get(f"students_per_{cls}")
        fte = st.get(f"{cls}_fte")
        target = st.get(f"{cls}_target")
        if ratio is None and fte in (None, 0, 0.0):
            value = _("no one on staff")
        else:
            value = show(ratio, 0)
        rows.append({"label": _(label), "value": value, "fte": show(fte, 1),
                     "target": fmt.num(target, 0) if isinstance(target, int | float) else "—",
                     "source": _(src)})
    return {
        "positions": show(st.get("positions"), 0),
        "vacancies": show(st.get("vacancies"), 0),
        "vacancy_rate": show(st.get("vacancy_rate_pct"), 1, "%"),
        "teacher_vacancies": show(st.get("teacher_vacancies"), 0),
        "median_days": show(st.get("median_days_open"), 0),
        "supports": rows,
        "as_of_date": _iso_date(((data.run.extra.model_extra or {}).get("staffing") or {})
                                .get("as_of")),
    }


def _iso_date(text: Any) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _updated(data: DashboardData) -> dict:
    """When the figures were made and from which data: the date the run record was written
    (UTC), the school years of the school and FRPM files, and the publisher set by
    ``EQUITABLE_DASHBOARD_PUBLISHER`` (None when unset)."""
    import datetime as dt
    import os

    if "updated" not in data.cache:
        path = data.folder / "run.json"
        when = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date() \
            if path.is_file() else None
        schools = data.run.inputs.get("schools")
        data.cache["updated"] = {
            "date": when, "school_year": _present.vintage(schools.file if schools else None),
            "publisher": os.environ.get("EQUITABLE_DASHBOARD_PUBLISHER") or None}
    return data.cache["updated"]


@router.get("/schools/{cds_code}/{table}.csv")
def school_csv(request: Request, cds_code: str, table: str) -> Response:
    data, _ = _school(request, cds_code)
    tables = _school_tables(data, cds_code, request.state.lang)
    if table not in tables:
        raise HTTPException(status_code=404, detail="no such table")
    return _csv(tables[table], f"{cds_code}-{table}.csv", request.state.lang, data)


# --- map ------------------------------------------------------------------------------------

def _filtered(data: DashboardData, tier: str, span: str, district: str) -> pd.DataFrame:
    s = data.schools
    if tier:
        s = s[s["tier"] == tier]
    if span:
        s = s[s["span"] == span]
    if district == "unknown":
        s = s[s["board_district"].isna()]
    elif district:
        s = s[s["board_district"] == district]
    return s


def _map_state(data: DashboardData) -> dict:
    if "map" not in data.cache:
        proj = _map.projection_for(data.schools, data.tracts)
        hoods, hood_options = (_map.neighbourhood_layer(data.neighbourhoods)
                               if data.neighbourhoods is not None else (None, []))
        data.cache["map"] = {"proj": proj, "tracts_svg": _map.tract_layer(data.tracts, proj),
                             "hoods": hoods, "hood_options": hood_options,
                             "zip_options": _map.zip_options(data.schools)}
    return data.cache["map"]


def _map_points(data: DashboardData, rows: pd.DataFrame, lang: str) -> list[dict]:
    """The placed schools of the map, in rank order, for the page's script: CDS code, name,
    need level in words, tier position (colour), latitude, longitude, dollars per pupil in the
    page's language."""
    _ = _gettext(lang)
    fmt = Fmt(lang)
    out = []
    for cds in rows.index:
        rec = data.by_cds[cds]
        if rec.get("latitude") is None or rec.get("longitude") is None:
            continue
        out.append({"cds": cds, "name": rec["school_name"],
                    "level": _present.level_name(data.tiers, rec["tier"], _),
                    "colour": _present.tier_colour(data.tiers, rec["tier"]),
                    "lat": round(float(rec["latitude"]), 6),
                    "lon": round(float(rec["longitude"]), 6),
                    "per_pupil": fmt.money(rec.get("per_pupil_dollars"))})
    return out


def _map_filters(data: DashboardData, tier: str, span: str, district: str) -> tuple:
    spans = sorted(data.schools["span"].dropna().unique())
    districts = sorted(data.schools["board_district"].dropna().unique(),
                       key=lambda d: (len(d), d))
    if tier and tier not in data.tiers:
        raise HTTPException(status_code=422, detail="unknown tier")
    if span and span not in spans:
        raise HTTPException(status_code=422, detail="unknown span")
    if district and district != "unknown" and district not in districts:
        raise HTTPException(status_code=422, detail="unknown board district")
    return spans, districts


@router.get("/map", response_class=HTMLResponse)
async def map_page(request: Request, tier: str = "", span: str = "",
                   district: str = "") -> Response:
    return await _serve(request, _map_page, tier, span, district,
                        params=("tier", "span", "district"))


def _map_page(request: Request, tier: str, span: str, district: str) -> Response:
    data = _data(request)
    spans, districts = _map_filters(data, tier, span, district)
    rows = _filtered(data, tier, span, district)
    state = _map_state(data)
    proj = state["proj"]
    _ = _gettext(request.state.lang)
    points = _map.school_points(
        rows, proj, data.tiers, label=lambda t: _present.level_name(data.tiers, t, _),
        colour=lambda t: _present.tier_colour(data.tiers, t)) if proj else ""
    counts = rows["tier"].value_counts()
    legend = [{"tier": t, "colour": _present.tier_colour(data.tiers, t),
               "n": int(counts.get(t, 0))} for t in data.tiers]
    lang = request.state.lang
    placed = _map_points(data, rows, lang)
    initial = state.get("initial_bounds")
    if "initial_bounds" not in state:
        none = pd.Series(dtype=float)
        lat = data.schools["latitude"].dropna() if "latitude" in data.schools else none
        lon = data.schools["longitude"].dropna() if "longitude" in data.schools else none
        initial = state["initial_bounds"] = ((float(lon.min()), float(lat.min()),
                                              float(lon.max()), float(lat.max()))
                                             if len(lat) else None)
    map_config = {
        "points": placed, "bounds": initial,
        "hoods": "/map/neighbourhoods.geojson" if state["hoods"] else None,
        "text": {"need": _("Need level"), "per_pupil": _("Dollars per pupil"),
                 "page": _("Open the school's page"), "zoom_in": _("Zoom in"),
                 "zoom_out": _("Zoom out"), "close": _("Close")}}
    return _page(request, "dashboard/map.html", {
        "map_config": map_config, "hood_options": state["hood_options"],
        "zip_options": state["zip_options"],
        "hoods_problem": data.neighbourhoods_problem,
        "data": data, "tier": tier, "span": span, "district": district, "spans": spans,
        "districts": districts, "rows": [data.by_cds[c] for c in rows.index],
        "points": points, "width": _map.WIDTH, "height": proj.height if proj else _map.WIDTH,
        "legend": legend, "has_tracts": data.tracts is not None,
        "n_placed": int(rows["latitude"].notna().sum()) if "latitude" in rows else 0,
        "query": request.url.query})


@router.get("/map.csv")
def map_csv(request: Request, tier: str = "", span: str = "", district: str = "") -> Response:
    data = _data(request)
    _map_filters(data, tier, span, district)
    rows = _filtered(data, tier, span, district)
    cols = ["cds_code", "school_name", "span", "enrollment", "tier", "rank", "board_district",
            "neighbourhood", "geoid", "latitude", "longitude"]
    return _csv(rows[[c for c in cols if c in rows]], "map.csv", request.state.lang, data)


@router.get("/map/neighbourhoods.geojson")
def neighbourhoods_geojson(request: Request) -> Response:
    """The run's neighbourhood outlines, simplified (:func:`_map.neighbourhood_layer`)."""
    data = _data(request)
    text = _map_state(data)["hoods"]
    if text is None:
        raise HTTPException(status_code=404, detail="no neighbourhood outlines")
    return Response(text.encode("utf-8"), media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/map/tracts.svg")
def tracts_svg(request: Request) -> Response:
    data = _data(request)
    return Response(_map_state(data)["tracts_svg"], media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600"})


# --- allocation explorer --------------------------------------------------------------------

RULES = ("tier_weights", "score", "per_pupil")


def _explorer_param_names(data: DashboardData) -> tuple[str, ...]:
    """The query parameters the explorer reads (one weight per tier: w1, w2, ...)."""
    return ("rule", "budget", *(f"w{i + 1}" for i in range(len(data.tiers))), "base_weight",
            "need_weight")


def _explorer_params(data: DashboardData, request: Request) -> dict:
    qp = request.query_params
    rule = qp.get("rule", "tier_weights")
    if rule not in RULES:
        raise HTTPException(status_code=422, detail="unknown rule")
    budget = qp.get("budget") or _default_budget(data)
    base_weights = _default_weights(data)
    weights = {t: (qp.get(f"w{i + 1}") or base_weights[t]).strip()
               for i, t in enumerate(data.tiers)}
    return {"rule": rule, "budget": budget.strip(), "weights": weights,
            "base_weight": (qp.get("base_weight") or "1").strip(),
            "need_weight": (qp.get("need_weight") or "0.01").strip()}


def _default_budget(data: DashboardData) -> str:
    cents = data.run.extra.budget_cents
    return f"{cents // 100}.{cents % 100:02d}" if cents % 100 else str(cents // 100)


def _default_weights(data: DashboardData) -> dict[str, str]:
    weights = data.run.spec.config.allocation.get("weights") or {}
    return {t: f"{float(weights.get(t, 1.0)):g}" for t in data.tiers}


class ExplorerInputError(EquitableError):
    """A field of the explorer's form that cannot be used, with its message in either language:
    ``msgid`` (English, a catalog id) filled with ``params`` (``field`` is itself a message id,
    ``level`` a tier label shown as its need level)."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid, self.params = msgid, params
        english = dict(params)
        if "level" in english:
            english["field"] = f"weight of tier {english.pop('level')}"
        super().__init__(msgid % english)

    def translated(self, data: DashboardData, lang: str) -> str:
        _ = _gettext(lang)
        params = dict(self.params)
        if "level" in params:
            params["field"] = _("weight of “%(level)s”") % {
                "level": _present.level_name(data.tiers, params.pop("level"), _)}
        elif "field" in params:
            params["field"] = _(params["field"])
        return _(self.msgid) % params


def _rule_dict(data: DashboardData, p: dict) -> dict:
    budget = _number(p["budget"], field="budget")
    if budget <= 0:
        raise ExplorerInputError("%(field)s: must be more than zero, got '%(text)s'",
                                 field="budget", text=p["budget"])
    if p["rule"] == "tier_weights":
        return {"kind": "tier_rates", "budget": p["budget"], "solve": True,
                "weights": {t: _number(w, level=t) for t, w in p["weights"].items()}}
    if p["rule"] == "score":
        return {"kind": "proportional", "budget": p["budget"], "need_column": "score",
                "need_scale": "value",
                "base_weight": _number(p["base_weight"], field="base weight"),
                "need_weight": _number(p["need_weight"], field="need weight")}
    return {"kind": "proportional", "budget": p["budget"], "base_weight": 1.0, "need_weight": 0.0}


def _number(text: str, **what: str) -> float:
    """``text`` as a number of zero or more; ``what`` names the field (``field=`` a message id
    or ``level=`` a tier label) for the error message."""
    try:
        x = float(text)
    except ValueError:
        raise ExplorerInputError("%(field)s: '%(text)s' is not a number", text=text,
                                 **what) from None
    if not math.isfinite(x) or x < 0:
        raise ExplorerInputError("%(field)s: must be zero or more, got '%(text)s'", text=text,
                                 **what)
    return x


def _run_rule(data: DashboardData, rule_data: dict) -> pd.DataFrame:
    from equitable.allocate import allocate, parse_rule

    rule = parse_rule(rule_data, source="explorer")
    table = data.schools[["cds_code", "school_name", "span", "enrollment", "tier", "score",
                          "amount_cents"]].reset_index(drop=True)
    res = allocate(table.drop(columns=["amount_cents"]), rule)
    out = table.rename(columns={"amount_cents": "baseline_cents"})
    out["scenario_cents"] = res.table["amount_cents"].to_numpy()
    out["change_cents"] = out["scenario_cents"] - out["baseline_cents"]
    enr = out["enrollment"].where(out["enrollment"] > 0)
    out["baseline_per_pupil_dollars"] = (out["baseline_cents"] / 100 / enr).round(2)
    out["scenario_per_pupil_dollars"] = (out["scenario_cents"] / 100 / enr).round(2)
    out["change_pct"] = (100 * out["change_cents"] / out["baseline_cents"].where(
        out["baseline_cents"] > 0)).round(2)
    return out


EXPLORER_CACHE_BYTES = 32 * 1024 * 1024


def _explore(data: DashboardData, p: dict) -> pd.DataFrame:
    """The scenario table of the explorer's parameters (cached per rule, bounded in bytes)."""
    rule_data = _rule_dict(data, p)
    key = ("explore", json.dumps(rule_data, sort_keys=True))
    cache = data.cache.get("explore")
    if cache is None:
        cache = data.cache.setdefault("explore", ByteLRU(
            EXPLORER_CACHE_BYTES, lambda df: int(df.memory_usage(index=True, deep=True).sum())))
    out = cache.get(key)
    if out is None:
        out = _run_rule(data, rule_data)
        cache.put(key, out)
    return out


@router.get("/explorer", response_class=HTMLResponse)
async def explorer(request: Request) -> Response:
    return await _serve(request, _explorer, params=_explorer_param_names)


def _explorer(request: Request) -> HTMLResponse:
    data = _data(request)
    p = _explorer_params(data, request)
    error, out = None, None
    try:
        out = _explore(data, p)
    except ExplorerInputError as exc:
        error = exc.translated(data, request.state.lang)
    except EquitableError as exc:
        # the allocation refused the settings: the message is English, so a Spanish page
        # says what to do in Spanish instead
        error = str(exc) if request.state.lang == "en" else _gettext(request.state.lang)(
            "These settings cannot be used. Check that every number is zero or more and that "
            "the budget is more than zero.")
    ctx: dict[str, Any] = {"data": data, "p": p, "error": error, "rules": RULES,
                           "query": request.url.query}
    if out is not None:
        by_tier = out.groupby("tier", sort=False)[["baseline_cents", "scenario_cents"]].sum()
        ctx["by_tier"] = [{"tier": t, "baseline": by_tier.loc[t, "baseline_cents"] / 100,
                           "scenario": by_tier.loc[t, "scenario_cents"] / 100,
                           "change": (by_tier.loc[t, "scenario_cents"]
                                      - by_tier.loc[t, "baseline_cents"]) / 100}
                          for t in data.tiers if t in by_tier.index]
        ctx["n_win"] = int((out["change_cents"] > 0).sum())
        ctx["n_lose"] = int((out["change_cents"] < 0).sum())
        ctx["n_same"] = int((out["change_cents"] == 0).sum())
        ctx["total"] = int(out["scenario_cents"].sum()) / 100
        ordered = out.sort_values(["change_cents", "cds_code"], ascending=[False, True])
        ctx["winners"] = ordered[ordered["change_cents"] > 0].head(MOVERS_SHOWN) \
            .to_dict(orient="records")
        ordered = out.sort_values(["change_cents", "cds_code"], ascending=[True, True])
        ctx["losers"] = ordered[ordered["change_cents"] < 0].head(MOVERS_SHOWN) \
            .to_dict(orient="records")
    return _page(request, "dashboard/explorer.html", ctx, status_code=200 if not error else 400)


@router.get("/explorer.csv")
def explorer_csv(request: Request) -> Response:
    data = _data(request)
    try:
        out = _explore(data, _explorer_params(data, request))
    except ExplorerInputError as exc:
        return Response(f"Error: {exc.translated(data, request.state.lang)}\n",
                        status_code=400, media_type="text/plain; charset=utf-8")
    except EquitableError as exc:
        return Response(f"Error: {exc}\n", status_code=400, media_type="text/plain")
    return _csv(out, "explorer.csv", request.state.lang, data)


# --- methods --------------------------------------------------------------------------------

def _tier_table(data: DashboardData) -> pd.DataFrame:
    g = data.schools.groupby("tier", sort=False).agg(
        schools=("cds_code", "size"), students=("enrollment", "sum"),
        allocation_cents=("amount_cents", "sum"),
        min_score=("score", "min"), max_score=("score", "max"))
    g = g.reindex([t for t in data.tiers if t in g.index])
    rates = data.run.extra.rates_dollars
    g["per_pupil_dollars"] = [rates.get(t) for t in g.index]
    return g.reset_index()


@router.get("/methods", response_class=HTMLResponse)
async def methods(request: Request) -> Response:
    return await _serve(request, _methods)


def _methods(request: Request) -> HTMLResponse:
    data = _data(request)
    lang = request.state.lang
    key = ("explain", lang)
    _ = _gettext(lang)
    inputs = [{"key": k, "dataset": _present.dataset_of(k, v.file, _), **v.model_dump()}
              for k, v in sorted(data.run.inputs.items())]
    facts = [{"label": translate_label(lang, i["label"], i.get("label_es")),
              "weight": i["weight"]} for i in data.indicators]
    tiers = _tier_table(data).to_dict(orient="records")
    rates = [t["per_pupil_dollars"] or 0 for t in tiers]
    return _page(request, "dashboard/methods.html", {
        "data": data, "blocks": data.cache[key], "inputs": inputs, "facts": facts,
        "max_weight": max([f["weight"] for f in facts] + [1e-9]),
        "max_rate": max(rates + [0]), "tiers": tiers,
        "rule": data.run.spec.allocation,
        "extra": data.run.extra.model_dump(), "version": data.run.version})


@router.get("/methods/tiers.csv")
def methods_csv(request: Request) -> Response:
    data = _data(request)
    return _csv(_tier_table(data), "tiers.csv", request.state.lang, data)


def _paragraphs(text: str) -> list[dict]:
    """Split ``explain`` text into headings/paragraphs and bullet lists."""
    blocks: list[dict] = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.lstrip().startswith("- "):
            if not blocks or blocks[-1]["kind"] != "list":
                blocks.append({"kind": "list", "items": []})
            blocks[-1]["items"].append(line.lstrip()[2:])
        else:
            blocks.append({"kind": "p", "text": line})
    return blocks


def _shown(v: Any, marker: str, hidden: str, fmt: Fmt, digits: int = 0,
           suffix: str = "") -> str:
    """A published figure in the page's language: the privacy marker as ``hidden`` ("not
    shown"), a blank as "—"."""
    if v == marker:
        return hidden
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return fmt.num(v, digits) + suffix


# --- district staffing ----------------------------------------------------------------------

#: The columns of the district staffing page and its CSV, as ``staffing_tiers.csv`` names them
#: (``equitable run`` with ``[inputs] staffing``; docs/staffing.md).
STAFFING_COLUMNS = ["tier", "schools", "enrollment", "positions", "vacancies",
                    "vacancy_rate_pct", "median_days_open",
                    *(f"students_per_{cls}" for cls, _l, _s in SUPPORTS),
                    *(f"{cls}_fte" for cls, _l, _s in SUPPORTS)]
#: The run's label of the district-wide row of the tier table.
ALL_TIERS = "All"


def _staffing_rows(data: DashboardData) -> list[dict]:
    """The rows of ``staffing_tiers.csv`` in the page's order (need tiers highest first, then
    ``All``), exactly as published."""
    t = data.staffing_tiers
    if t is None:
        raise HTTPException(status_code=404, detail="this run has no staffing figures")
    by_tier = {r["tier"]: r for r in t.to_dict(orient="records")}
    order = [x for x in data.tiers if x in by_tier] + [x for x in by_tier if x not in data.tiers]
    return [by_tier[x] for x in order]


def _staffing_table(data: DashboardData, lang: str) -> pd.DataFrame:
    """The district staffing table of the page and its CSV: ``need_level`` beside the run's
    ``tier``, then the published columns (:data:`STAFFING_COLUMNS`; a suppressed figure is the
    privacy marker)."""
    _ = _gettext(lang)
    rows = _staffing_rows(data)
    df = pd.DataFrame([{c: r.get(c) for c in STAFFING_COLUMNS} for r in rows],
                      columns=STAFFING_COLUMNS)
    df.insert(1, "need_level", [_("All schools") if t == ALL_TIERS else
                                _present.level_name(data.tiers, t, _) for t in df["tier"]])
    return df


@router.get("/staffing", response_class=HTMLResponse)
async def staffing(request: Request) -> Response:
    return await _serve(request, _staffing_page)


def _staffing_page(request: Request) -> HTMLResponse:
    data = _data(request)
    lang = request.state.lang
    _ = _gettext(lang)
    fmt = Fmt(lang)
    hidden = _("not shown")

    def show(v: Any, digits: int = 0, suffix: str = "") -> str:
        return _shown(v, data.marker, hidden, fmt, digits, suffix)

    tiers = []
    for r in _staffing_rows(data):
        ratios = []
        for cls, _label, _src in SUPPORTS:
            ratio, fte = r.get(f"students_per_{cls}"), r.get(f"{cls}_fte")
            ratios.append(_("no one on staff") if ratio is None and fte in (None, 0, 0.0)
                          else show(ratio, 0))
        tiers.append({"tier": r["tier"], "all": r["tier"] == ALL_TIERS,
                      "schools": show(r.get("schools")), "students": show(r.get("enrollment")),
                      "positions": show(r.get("positions")),
                      "vacancies": show(r.get("vacancies")),
                      "vacancy_rate": show(r.get("vacancy_rate_pct"), 1, "%"),
                      "median_days": show(r.get("median_days_open"), 0),
                      "ratios": ratios})
    from equitable.staffing._layout import RATIOS

    supports = [{"label": _(label), "target": fmt.num(RATIOS[cls][0], 0), "source": _(src)}
                for cls, label, src in SUPPORTS]
    extra = (data.run.extra.model_extra or {}).get("staffing") or {}
    return _page(request, "dashboard/staffing.html", {
        "data": data, "tiers": tiers, "supports": supports,
        "as_of_date": _iso_date(extra.get("as_of"))})


@router.get("/staffing.csv")
def staffing_csv(request: Request) -> Response:
    data = _data(request)
    lang = request.state.lang
    return _csv(_staffing_table(data, lang), "staffing.csv", lang)


# --- health and vaccine sites ---------------------------------------------------------------

#: The colour of a site's marker on the sites map (contrast over 3:1 on the map's background).
SITE_COLOUR = "#1f4e99"


def _site_plan(data: DashboardData) -> dict:
    if data.site_plan is None:
        raise HTTPException(status_code=404, detail="this run has no published site plan")
    return data.site_plan


def _coverage_table(data: DashboardData, lang: str) -> pd.DataFrame:
    """The plan's ``coverage.csv`` rows by VEM quartile (and ``all``), as published."""
    _ = _gettext(lang)
    cov = _site_plan(data)["coverage"]
    cov = cov[cov["group_type"].isin(["all", "vem_quartile"])]
    cols = ["group", "schools", "students", "students_served", "served_pct", "schools_unserved"]
    out = cov[cols].reset_index(drop=True).copy()
    out.insert(1, "quartile", [_("All schools") if g == "all" else
                               _("No quartile") if g == "none" else
                               _("Quartile %(q)s") % {"q": g} for g in out["group"]])
    return out.rename(columns={"group": "vem_quartile"})


@router.get("/sites", response_class=HTMLResponse)
async def sites_page(request: Request) -> Response:
    return await _serve(request, _sites_page)


def _sites_page(request: Request) -> HTMLResponse:
    data = _data(request)
    plan = _site_plan(data)
    lang = request.state.lang
    _ = _gettext(lang)
    fmt = Fmt(lang)
    hidden = _("not shown")

    def show(v: Any, digits: int = 0, suffix: str = "") -> str:
        return _shown(v, data.marker, hidden, fmt, digits, suffix)

    sites = []
    for r in plan["sites"].to_dict(orient="records"):
        sid = r["site_id"]
        n_sch = _int(r.get("schools_served")) or 0
        served = _("%(n)s schools served") % {"n": fmt.num(n_sch, 0)} if n_sch != 1 else \
            _("1 school served")
        sites.append({"id": sid, "name": r.get("name") or sid, "served": served,
                      "schools": n_sch, "students": show(r.get("students_served")),
                      "existing": str(r.get("existing")).lower() == "true",
                      "cds": sid if sid in data.by_cds else None,
                      "lat": r.get("latitude"), "lon": r.get("longitude")})
    points = [{"cds": s["cds"], "name": s["name"], "level": s["served"],
               "per_pupil": _("%(n)s students served") % {"n": s["students"]},
               "colour": SITE_COLOUR, "lat": round(float(s["lat"]), 6),
               "lon": round(float(s["lon"]), 6)}
              for s in sites if isinstance(s["lat"], int | float)
              and isinstance(s["lon"], int | float)]
    lat = [p["lat"] for p in points]
    lon = [p["lon"] for p in points]
    state = _map_state(data)
    deserts = []
    for r in plan["deserts"].to_dict(orient="records"):
        cds = r.get("school_id")
        unit = "min" if "nearest_travel_min" in plan["deserts"].columns else "km"
        deserts.append({"cds": cds if cds in data.by_cds else None,
                        "name": r.get("school_name") or cds,
                        "students": show(r.get("students")),
                        "vem": _int(r.get("vem_quartile")),
                        "nearest": show(r.get(f"nearest_travel_{unit}"), 1), "unit": unit})
    coverage = [{**r, "schools": show(r["schools"]), "students": show(r["students"]),
                 "students_served": show(r["students_served"]),
                 "served_pct": show(r["served_pct"], 1, "%"),
                 "schools_unserved": show(r["schools_unserved"])}
                for r in _coverage_table(data, lang).to_dict(orient="records")]
    map_config = {
        "points": points,
        "bounds": (min(lon), min(lat), max(lon), max(lat)) if points else None,
        "hoods": "/map/neighbourhoods.geojson" if state["hoods"] else None,
        "text": {"need": _("Schools served"), "per_pupil": _("Students served"),
                 "page": _("Open the school's page"), "zoom_in": _("Zoom in"),
                 "zoom_out": _("Zoom out"), "close": _("Close")}}
    return _page(request, "dashboard/sites.html", {
        "data": data, "sites": sites, "deserts": deserts, "coverage": coverage,
        "map_config": map_config, "site_colour": SITE_COLOUR})


#: The columns of the sites page's downloads (the plan's own files, docs/health.md).
SITE_CSV_COLUMNS = {
    "sites": ["site_id", "name", "latitude", "longitude", "schools_served", "students_served"],
    "deserts": ["school_id", "school_name", "students", "vem_quartile", "nearest_site_id",
                "nearest_travel_km", "nearest_travel_min"],
}


@router.get("/sites/{table}.csv")
def sites_csv(request: Request, table: str) -> Response:
    data = _data(request)
    lang = request.state.lang
    plan = _site_plan(data)
    if table == "coverage":
        return _csv(_coverage_table(data, lang), "sites-coverage.csv", lang)
    if table in SITE_CSV_COLUMNS:
        df = plan[table]
        return _csv(df[[c for c in SITE_CSV_COLUMNS[table] if c in df]], f"sites-{table}.csv",
                    lang)
    raise HTTPException(status_code=404, detail="no such table")
