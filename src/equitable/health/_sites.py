"""Clinic or information site selection: maximal covering location with OR-Tools.

The model (Church and ReVelle, "The maximal covering location problem", Papers of the Regional
Science Association 32 (1974), pp. 101-118; capacitated form after Current and Storbeck,
"Capacitated covering models", Environment and Planning B 15 (1988), pp. 153-163):

* school ``i`` has ``s_i`` students and a need weight ``w_i`` (e.g. 1 + HPI need percentile / 100);
* candidate site ``j`` reaches school ``i`` when the estimated travel from the school to the site is
  within the threshold: straight-line (great-circle) distance x a detour factor <= ``max_km``, or a
  travel time the user supplies <= ``max_minutes``;
* choose ``K`` new sites (``x_j`` binary; existing sites are fixed open and do not count towards
  ``K``) to maximise ``sum_i w_i s_i y_i``, where ``y_i`` is the share of school ``i``'s students
  served: without capacities ``y_i`` is binary and ``y_i <= sum of x_j over the sites reaching i``;
  with a capacity ``c_j`` (students per site), ``y_i = sum_j z_ij``, ``z_ij <= x_j`` and
  ``sum_i s_i z_ij <= c_j x_j``;
* optionally, at least a share ``m`` of the students served come from VEM quartile 1 (the least
  healthy HPI quartile): ``sum_{i in Q1} s_i y_i >= m sum_i s_i y_i`` - California's Vaccine Equity
  Metric (CDPH, March 2021) reserved 40% of doses for that quartile. Without capacities a school
  within reach of an open site counts as served (``y_i >= x_j``), so the share is met by where
  the sites are, not by leaving reached students out; with capacities it may also be met by
  reserving capacity for quartile 1, as the state reserved doses.

Solved exactly (branch and bound, SCIP through ``ortools.linear_solver``) with a time limit; the
optimality gap (best bound vs the solution) is reported, 0 when proven optimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from equitable.errors import InputError

__all__ = [
    "DETOUR_FACTOR",
    "EARTH_RADIUS_KM",
    "SitesResult",
    "choose_sites",
    "reach_matrix",
    "straight_line_km",
]

#: Road distance / straight-line distance. Boscoe, Henry and Zdeb, "A nationwide comparison of
#: driving distance versus straight-line distance to hospitals", The Professional Geographer 64(2)
#: (2012), pp. 188-196: the mean ratio over the United States was 1.417; 1.4 is used here.
DETOUR_FACTOR = 1.4
#: Mean Earth radius (IUGG), km, for great-circle distances.
EARTH_RADIUS_KM = 6371.0088


def straight_line_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                     lon2: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distance in km between every point 1 and every point 2.

    Returns an array of shape ``(len(lat1), len(lat2))``; degrees in (WGS 84), km out.
    """
    p1, l1 = np.radians(lat1)[:, None], np.radians(lon1)[:, None]
    p2, l2 = np.radians(lat2)[None, :], np.radians(lon2)[None, :]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def reach_matrix(schools: pd.DataFrame, sites: pd.DataFrame, *, max_km: float | None = None,
                 detour: float = DETOUR_FACTOR, travel_minutes: pd.DataFrame | None = None,
                 max_minutes: float | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """Which sites reach which schools.

    Returns ``(reach, cost, unit)``: ``reach`` boolean ``(n_schools, n_sites)``; ``cost`` the
    estimated road km (straight-line x ``detour``) or the supplied minutes (NaN for a pair the
    travel-time table does not list: unreachable); ``unit`` is ``"km"`` or ``"min"``.
    """
    if travel_minutes is not None:
        if max_minutes is None:
            raise InputError("a travel-time table needs --max-minutes")
        si = pd.Index(schools["school_id"])
        sj = pd.Index(sites["site_id"])
        cost = np.full((len(si), len(sj)), np.nan)
        r = si.get_indexer(travel_minutes["from_id"])
        c = sj.get_indexer(travel_minutes["to_id"])
        ok = (r >= 0) & (c >= 0)
        if not ok.all():
            # a pair naming a school or site not in the tables: cannot be used (said, not hidden)
            raise InputError(
                f"{travel_minutes.attrs.get('source', 'travel-time table')}, row "
                f"{int(np.flatnonzero(~ok)[0]) + 2}: "
                + ("from_id is not a school of the schools table" if r[~ok][0] < 0
                   else "to_id is not a candidate site")
                + f" ({int((~ok).sum())} such row(s))")
        cost[r[ok], c[ok]] = travel_minutes["minutes"].to_numpy(float)[ok]
        return np.nan_to_num(cost, nan=np.inf) <= max_minutes, cost, "min"
    if max_km is None:
        raise InputError("give --max-km (estimated road km) or a travel-time table")
    d = straight_line_km(schools["latitude"].to_numpy(float), schools["longitude"].to_numpy(float),
                         sites["latitude"].to_numpy(float), sites["longitude"].to_numpy(float))
    cost = d * detour
    return cost <= max_km, cost, "km"


@dataclass
class SitesResult:
    """What :func:`choose_sites` found.

    Attributes
    ----------
    sites : chosen sites (existing first, then new ones in order of marginal gain): ``site_id``,
        ``name``, ``latitude``, ``longitude``, ``existing``, ``order``, ``schools_served``,
        ``students_served``, ``marginal_weighted_gain``, ``marginal_students_gain``.
    schools : one row per school: ``school_id``, ``students``, ``need_weight``, ``vem_quartile``,
        ``reached`` (a chosen site is within reach; False = a "desert"), ``served_share`` (0-1), ``site_id`` (the serving site, nearest first), ``travel`` (its
        km or minutes), ``nearest_site_id``, ``nearest_travel`` (over the chosen sites).
    objective : weighted students served (``sum w_i s_i y_i``); ``bound`` the solver's best bound;
        ``gap`` = (bound - objective) / objective (0 when proven optimal).
    comparisons : rows ``choice, sites, weighted_served, students_served, served_pct, q1_share_pct``
        for the optimum, the optimum without the VEM rule (when one was given), the K largest
        schools and the K highest-need schools (when the candidates are the schools).
    notes : caveats printed and recorded in run.json.
    """

    sites: pd.DataFrame
    schools: pd.DataFrame
    objective: float
    bound: float
    gap: float
    status: str
    unit: str
    comparisons: pd.DataFrame
    min_q1_share: float | None
    min_share_binding: bool | None  # True when the rule lowers the weighted coverage
    notes: list[str] = field(default_factory=list)


def _solve(reach: np.ndarray, students: np.ndarray, weight: np.ndarray, q1: np.ndarray,
           k: int, existing: np.ndarray, capacity: np.ndarray | None,
           min_q1_share: float | None, fixed_open: np.ndarray | None,
           time_limit_s: float, model: str = "covering", cost: np.ndarray | None = None,
           threshold: float = 0.0) -> tuple[np.ndarray, np.ndarray, float, float, str]:
    """One MIP. Returns ``(open, served_share, objective, bound, status)``; served_share is
    ``y`` (n_schools,) or, with capacity or the median model, the ``(n_schools, n_sites)``
    matrix ``z``. The median model maximises ``sum w_i s_i (T - c_ij) z_ij``, i.e. minimises the
    need-weighted travel truncated at the threshold ``T``."""
    from ortools.linear_solver import pywraplp

    n, m = reach.shape
    solver = pywraplp.Solver.CreateSolver("SCIP")
    solver.SetTimeLimit(int(time_limit_s * 1000))
    x = []
    for j in range(m):
        if fixed_open is not None:
            lo = hi = float(fixed_open[j])
        else:
            lo, hi = (1.0, 1.0) if existing[j] else (0.0, 1.0)
        x.append(solver.IntVar(lo, hi, f"x{j}"))
    if fixed_open is None:
        new = [x[j] for j in range(m) if not existing[j]]
        # at most k: with a minimum share, a site that only reaches other quartiles can make the
        # share impossible; without one, every site that adds coverage is opened
        solver.Add(solver.Sum(new) <= k)
    pairs = [np.flatnonzero(reach[i]).tolist() for i in range(n)]  # site indices, as ints
    y: list = []
    z: dict[tuple[int, int], pywraplp.Variable] = {}
    median = model == "median"
    for i in range(n):
        if capacity is None and not median:
            yi = solver.IntVar(0.0, 1.0 if len(pairs[i]) else 0.0, f"y{i}")
            if len(pairs[i]):
                solver.Add(yi <= solver.Sum([x[j] for j in pairs[i]]))
        else:
            yi = solver.NumVar(0.0, 1.0 if len(pairs[i]) else 0.0, f"y{i}")
            terms = []
            for j in pairs[i]:
                v = solver.NumVar(0.0, 1.0, f"z{i}_{j}")
                solver.Add(v <= x[j])
                z[(i, int(j))] = v
                terms.append(v)
            if terms:
                solver.Add(yi == solver.Sum(terms))
        y.append(yi)
    if capacity is not None:
        by_site: dict[int, list] = {}
        for (i, j), v in z.items():
            by_site.setdefault(j, []).append(students[i] * v)
        for j, terms in by_site.items():
            solver.Add(solver.Sum(terms) <= float(capacity[j]) * x[j])
    if min_q1_share is not None:
        if capacity is None or median:
            # a school within reach of an open site is served (y_i >= x_j): the share cannot be
            # met by leaving reached students uncounted. Needed for schools outside quartile 1
            # only; the maximisation sets y_i = 1 for a reached quartile-1 school anyway.
            for i in range(n):
                if not q1[i]:
                    for j in pairs[i]:
                        solver.Add(y[i] >= x[j])
        solver.Add(solver.Sum([float(students[i]) * y[i] for i in range(n) if q1[i]])
                   >= min_q1_share * solver.Sum([float(students[i]) * y[i] for i in range(n)]))
    if median:
        assert cost is not None, "choose_sites passes the cost matrix to the median model"
        solver.Maximize(solver.Sum([float(weight[i] * students[i] * (threshold - cost[i, j])) * v
                                    for (i, j), v in z.items()]))
    else:
        solver.Maximize(solver.Sum([float(weight[i] * students[i]) * y[i] for i in range(n)]))
    status = solver.Solve()
    names = {pywraplp.Solver.OPTIMAL: "optimal", pywraplp.Solver.FEASIBLE: "feasible"}
    if status == pywraplp.Solver.NOT_SOLVED:
        raise InputError(f"no solution found within the time limit ({time_limit_s:g} s): give a "
                         "larger --time-limit, a smaller reach or fewer candidate sites")
    if status not in names:
        raise InputError("the site model has no solution (the solver reported status "
                         f"{status}); check K, capacities and the minimum share")
    opened = np.array([v.solution_value() > 0.5 for v in x])
    if capacity is None and not median:
        served = np.array([v.solution_value() for v in y]).round(9)
    else:
        served = np.zeros((n, m))
        for (i, j), v in z.items():
            served[i, j] = v.solution_value()
        served = served.round(9)
    obj = solver.Objective().Value()
    bound = solver.Objective().BestBound() if status != pywraplp.Solver.OPTIMAL else obj
    return opened, served, obj, bound, names[status]


def _check_vem_quartile(schools: pd.DataFrame, min_q1_share: float | None) -> None:
    """``--min-q1-share`` needs each school's VEM quartile: a file without the ``vem_quartile``
    column (or with it blank on every row) would meet the share by opening no site at all."""
    if min_q1_share is None:
        return
    source = schools.attrs.get("source", "schools table")
    absent = ("vem_quartile" not in schools.columns
              or not schools.attrs.get("has_vem_quartile", True))
    if absent:
        import difflib

        have = schools.attrs.get("columns", [str(c) for c in schools.columns])
        close = difflib.get_close_matches("vem_quartile", have, n=3, cutoff=0.6)
        hint = (" (the file has " + ", ".join(f"'{c}'" for c in close) + ": misspelt?)"
                if close else "")
        raise InputError(f"{source}: missing column 'vem_quartile'{hint}; --min-q1-share needs "
                         "each school's VEM quartile (1-4, the output of `equitable health "
                         "schools`)")
    if schools["vem_quartile"].isna().all():
        raise InputError(f"{source}, column 'vem_quartile': blank on every row; --min-q1-share "
                         "needs each school's VEM quartile (1-4)")


def _served_share(served: np.ndarray) -> np.ndarray:
    return served if served.ndim == 1 else served.sum(axis=1).clip(0, 1)


def choose_sites(
    schools: pd.DataFrame,
    sites: pd.DataFrame,
    k: int,
    *,
    max_km: float | None = None,
    detour: float = DETOUR_FACTOR,
    travel_minutes: pd.DataFrame | None = None,
    max_minutes: float | None = None,
    capacity: float | None = None,
    min_q1_share: float | None = None,
    time_limit_s: float = 60.0,
    candidates_are_schools: bool = False,
    model: str = "covering",
) -> SitesResult:
    """Choose ``k`` clinic or information sites that serve the most need-weighted students.

    Parameters
    ----------
    schools : one row per school: ``school_id``, ``students`` (int >= 0), ``latitude``,
        ``longitude`` (degrees), ``need_weight`` (> 0), ``vem_quartile`` (1-4 or missing).
    sites : candidate sites: ``site_id``, ``latitude``, ``longitude``, ``existing`` (bool: already
        open, counts as covering, not part of ``k``), optional ``capacity`` (students) and ``name``.
    k : new sites to open (1 <= k <= the candidates not already open).
    max_km : reach threshold in estimated road km (straight line x ``detour``).
    travel_minutes : optional long table ``from_id`` (school), ``to_id`` (site), ``minutes``;
        with ``max_minutes``, replaces distances (unlisted pairs are out of reach).
    capacity : students one site can serve (a site's own ``capacity`` column wins).
    min_q1_share : least share (0-1) of the students served who are in VEM quartile 1; needs
        the ``vem_quartile`` column (an error without it, or with it blank on every row).
    time_limit_s : solver time limit; the gap is reported when it stops early.
    candidates_are_schools : the sites are the schools themselves (``site_id`` = ``school_id``):
        enables the naive comparisons (K largest, K highest-need).
    model : ``"covering"`` (maximal covering: most need-weighted students within reach) or
        ``"median"`` (p-median with travel truncated at the threshold: least need-weighted
        travel to the serving site, a school out of reach counting at the threshold; Hakimi
        1964, ReVelle and Swain 1970; the truncation links it to maximal covering, Church and
        ReVelle, Geographical Analysis 8 (1976), pp. 406-415).

    Raises
    ------
    InputError
        ``k`` out of range, ``min_q1_share`` without VEM quartiles, or the model has no
        solution.
    """
    notes: list[str] = []
    n_new = int((~sites["existing"].to_numpy(bool)).sum())
    if k < 1:
        raise InputError(f"The 'k' parameter of choose_sites must be at least 1. Got {k} instead.")
    if k > n_new:
        raise InputError(f"K = {k} is more than the {n_new} candidate sites that are not already "
                         "open")
    if model not in ("covering", "median"):
        raise InputError(f"The 'model' parameter of choose_sites must be 'covering' or 'median'. "
                         f"Got {model!r} instead.")
    if min_q1_share is not None and not 0 < min_q1_share < 1:
        raise InputError("The 'min_q1_share' parameter of choose_sites must be a share between 0 "
                         f"and 1 (e.g. 0.4). Got {min_q1_share} instead.")
    reach, cost, unit = reach_matrix(schools, sites, max_km=max_km, detour=detour,
                                     travel_minutes=travel_minutes, max_minutes=max_minutes)
    students = schools["students"].to_numpy(float)
    weight = schools["need_weight"].to_numpy(float)
    _check_vem_quartile(schools, min_q1_share)
    vq = pd.to_numeric(schools["vem_quartile"], errors="coerce").to_numpy()
    q1 = vq == 1
    existing = sites["existing"].to_numpy(bool)
    cap = None
    if capacity is not None or ("capacity" in sites and sites["capacity"].notna().any()):
        col = (pd.to_numeric(sites["capacity"], errors="coerce") if "capacity" in sites
               else pd.Series(np.nan, index=sites.index))
        cap = col.fillna(capacity if capacity is not None else np.inf).to_numpy(float)
        if np.isinf(cap).any():
            notes.append(f"{int(np.isinf(cap).sum())} site(s) without a capacity: unlimited")
    if min_q1_share is not None and np.isnan(vq).any():
        notes.append(f"{int(np.isnan(vq).sum())} school(s) without a VEM quartile count as "
                     "outside quartile 1 for the minimum share")
    unreachable = ~reach.any(axis=1)
    if unreachable.any():
        notes.append(f"{int(unreachable.sum())} school(s) ({int(students[unreachable].sum())} "
                     "students) are out of reach of every candidate site")

    limit = max_minutes if unit == "min" else max_km
    assert limit is not None, "reach_matrix raises without the limit of its unit"
    threshold = float(limit)
    args = {"reach": reach, "students": students, "weight": weight, "q1": q1, "k": k,
            "existing": existing, "capacity": cap, "time_limit_s": time_limit_s,
            "model": model, "cost": cost, "threshold": threshold}
    capped = np.minimum(np.nan_to_num(cost, nan=np.inf), threshold)
    opened, served, obj, bound, status = _solve(**args, min_q1_share=min_q1_share, fixed_open=None)
    gap = 0.0 if status == "optimal" else (bound - obj) / max(abs(obj), 1e-12)
    if status != "optimal":
        notes.append(f"solver stopped at the time limit ({time_limit_s:g} s): optimality gap "
                     f"{gap:.4%}")

    def summary(choice: str, opened_: np.ndarray, served_: np.ndarray, obj_: float) -> dict:
        share = _served_share(served_)
        st = float((students * share).sum())
        q = float((students * share)[q1].sum())
        ws = students * weight
        near = capped[:, opened_].min(axis=1) if opened_.any() else np.full(len(ws), threshold)
        return {"choice": choice, "sites": int(opened_.sum()),
                "weighted_served": round(float((ws * share).sum()), 6),
                "students_served": round(st, 6),
                "served_pct": round(100 * st / students.sum(), 4) if students.sum() else 0.0,
                "q1_share_pct": round(100 * q / st, 4) if st else 0.0,
                # need-weighted mean travel to the nearest chosen site, capped at the threshold
                "weighted_mean_travel": (round(float((ws * near).sum() / ws.sum()), 4)
                                         if ws.sum() else 0.0)}

    rows = [summary("optimal", opened, served, obj)]
    binding = None
    if min_q1_share is not None:
        o2, s2, obj2, _, _ = _solve(**args, min_q1_share=None, fixed_open=None)
        r2 = summary("optimal without the minimum share", o2, s2, obj2)
        # binding: the rule costs weighted coverage (an unconstrained optimum that happens to
        # miss the share but has an equally good alternative is not binding)
        binding = obj2 - obj > 1e-6 * max(1.0, abs(obj2))
        rows.append(r2)
    if candidates_are_schools:
        pos = pd.Index(schools["school_id"]).get_indexer(sites["site_id"])
        new_idx = np.flatnonzero(~existing)
        for label, key in (("largest schools", students), ("highest-need schools", weight)):
            # K new sites by the school's own size or need (ties: more students, then id order)
            order = sorted(new_idx, key=lambda j: (-key[pos[j]], -students[pos[j]], j))
            fixed = existing.copy()
            fixed[order[:k]] = True
            of, sf, objf, _, _ = _solve(**args, min_q1_share=None, fixed_open=fixed)
            rows.append(summary(f"{k} {label}", of, sf, objf))
    comparisons = pd.DataFrame(rows)

    site_tab, school_tab = _tables(schools, sites, reach, cost, opened, served, students, weight,
                                   existing)
    return SitesResult(sites=site_tab, schools=school_tab, objective=obj, bound=bound, gap=gap,
                       status=status, unit=unit, comparisons=comparisons,
                       min_q1_share=min_q1_share, min_share_binding=binding, notes=notes)


def _tables(schools: pd.DataFrame, sites: pd.DataFrame, reach: np.ndarray, cost: np.ndarray,
            opened: np.ndarray, served: np.ndarray, students: np.ndarray, weight: np.ndarray,
            existing: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(schools)
    open_idx = np.flatnonzero(opened)
    share = _served_share(served)
    # serving site: with capacity, the site serving the largest share (nearest on ties);
    # otherwise the nearest chosen site in reach
    cost_open = np.where(reach[:, open_idx], cost[:, open_idx], np.inf)
    if served.ndim == 2:
        sv = served[:, open_idx]
        best = np.lexsort((cost_open, -sv), axis=1)[:, 0] if len(open_idx) else np.zeros(n, int)
        has = sv.max(axis=1) > 0 if len(open_idx) else np.zeros(n, bool)
    else:
        best = np.argmin(cost_open, axis=1) if len(open_idx) else np.zeros(n, int)
        has = share > 0
    site_ids = sites["site_id"].to_numpy(object)
    serving = np.where(has, site_ids[open_idx][best] if len(open_idx) else None, None)
    travel = np.where(has, cost_open[np.arange(n), best] if len(open_idx) else np.nan, np.nan)
    cost_all = np.nan_to_num(cost[:, open_idx], nan=np.inf)
    near = np.argmin(cost_all, axis=1) if len(open_idx) else np.zeros(n, int)
    near_cost = cost_all[np.arange(n), near] if len(open_idx) else np.full(n, np.inf)
    school_tab = pd.DataFrame({
        "school_id": schools["school_id"].to_numpy(),
        "students": students.astype(np.int64),
        "need_weight": weight,
        "vem_quartile": schools["vem_quartile"].to_numpy(),
        "reached": reach[:, open_idx].any(axis=1) if len(open_idx) else np.zeros(n, bool),
        "served_share": share.round(6),
        "site_id": pd.array(serving, dtype="string"),
        "travel": np.round(travel, 3),
        "nearest_site_id": pd.array(np.where(np.isfinite(near_cost), site_ids[open_idx][near]
                                             if len(open_idx) else None, None), dtype="string"),
        "nearest_travel": np.round(np.where(np.isfinite(near_cost), near_cost, np.nan), 3),
    })
    # marginal gain, greedy over the chosen new sites (existing ones first), reach only
    covered = reach[:, existing & opened].any(axis=1) if existing.any() else np.zeros(n, bool)
    order: list[tuple[int, float, float]] = []
    remaining = [j for j in open_idx.tolist() if not existing[j]]
    while remaining:
        gains = [(float((weight * students)[reach[:, j] & ~covered].sum()), -j) for j in remaining]
        g, negj = max(gains)
        j = -negj
        order.append((j, g, float(students[reach[:, j] & ~covered].sum())))
        covered |= reach[:, j]
        remaining.remove(j)
    rows: list[tuple[int, float | None, float | None]] = []
    for j in np.flatnonzero(existing & opened).tolist():
        rows.append((j, None, None))
    rows += [(j, g, s) for j, g, s in order]
    sid = school_tab["site_id"].fillna("").to_numpy(object)
    per_site_students = [
        float((served[:, j] * students).sum()) if served.ndim == 2
        else float(students[sid == site_ids[j]].sum())
        for j, _, _ in rows
    ]
    site_tab = pd.DataFrame({
        "order": np.arange(1, len(rows) + 1),
        "site_id": [site_ids[j] for j, _, _ in rows],
        "name": [sites["name"].iloc[j] if "name" in sites else None for j, _, _ in rows],
        "latitude": [float(sites["latitude"].iloc[j]) for j, _, _ in rows],
        "longitude": [float(sites["longitude"].iloc[j]) for j, _, _ in rows],
        "existing": [bool(existing[j]) for j, _, _ in rows],
        "schools_served": [int((sid == site_ids[j]).sum()) for j, _, _ in rows],
        "students_served": np.round(per_site_students, 3),
        "marginal_weighted_gain": [None if g is None else round(g, 6) for _, g, _ in rows],
        "marginal_students_gain": [None if s is None else round(s, 3) for _, _, s in rows],
    })
    for c in ("marginal_weighted_gain", "marginal_students_gain"):
        site_tab[c] = pd.to_numeric(site_tab[c])  # existing sites: missing (NaN)
    return site_tab, school_tab
