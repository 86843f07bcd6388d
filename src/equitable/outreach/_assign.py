"""Caseload assignment: active cases to outreach workers, solved as a min-cost flow (OR-Tools).

The network (Ahuja, Magnanti and Orlin, *Network Flows*, 1993, ch. 9-10; OR-Tools'
``SimpleMinCostFlow``): source -> each case (capacity 1) -> each worker who speaks the family's
home language (capacity 1, cost below) -> sink (capacity = the worker's free capacity); and each
case -> "unassigned" -> sink (capacity 1, a penalty larger than any assignment cost). Integer flows
are optimal because the constraint matrix is totally unimodular, so the solution is an exact
optimum of the integer assignment problem.

Costs, in lexicographic order of importance:

1. Assign as many cases as possible, higher-priority cases (lower ``priority_rank``) first: the
   penalty for leaving a case unassigned is ``UNASSIGNED_BASE + (n - position) * PRIORITY_STEP``
   with ``PRIORITY_STEP`` larger than any assignment cost.
2. Continuity: a worker who already holds the case or has logged a contact on it saves
   ``CONTINUITY_BONUS`` (worth ``CONTINUITY_BONUS / KM_COST`` km of travel).
3. Proximity: ``KM_COST`` per kilometre (great-circle, capped at ``MAX_KM``) from the worker's base
   school to the case's school; without coordinates, 0 km at the same school and ``UNKNOWN_KM``
   otherwise.

Language is a hard rule: a worker is eligible only if they speak the family's home language
(a case without a home language can go to anyone). Workers' capacity counts all active
(``open`` and ``referred``) cases.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select, update

from equitable.errors import EquitableError
from equitable.outreach._access import _agreement_in_force
from equitable.outreach._db import read_session, write_session
from equitable.outreach._models import Case, ContactAttempt, School, User, language_name

__all__ = ["ASSIGNMENT_RULES", "AssignmentResult", "WorkerLoad", "assign_caseloads",
           "assignment_rules_broken"]

ACTIVE = ("open", "referred")
KM_COST = 10
MAX_KM = 100
UNKNOWN_KM = 25
CONTINUITY_BONUS = 500
BASE_COST = CONTINUITY_BONUS + 1  # keeps every arc cost positive
PRIORITY_STEP = BASE_COST + KM_COST * MAX_KM + 1
UNASSIGNED_BASE = PRIORITY_STEP


#: The rules of an assignment, the same for ``equitable outreach assign`` and for one case
#: assigned in the console: (code, may an administrator override it).
ASSIGNMENT_RULES = {
    "language": True,  # the worker speaks the family's home language
    "capacity": True,  # the worker has room for another active case
    "agreement": False,  # a data-sharing agreement with the partner is in force (FERPA)
}


def assignment_rules_broken(session, case: Case, *, worker: User | None,
                            organization_id: int | None, today: dt.date | None = None
                            ) -> list[str]:
    """The assignment rules that giving ``case`` to ``worker`` and/or a partner would break.

    The same rules as :func:`assign_caseloads`: ``"language"``, the worker does not speak the
    family's home language (a case without one can go to anyone); ``"capacity"``, the case is
    active (``open`` or ``referred``) and the worker already carries as many active cases as
    their capacity; and, for a partner organisation, ``"agreement"``, no data-sharing agreement
    with it is in force today (signed on or before, expiring on or after; 34 CFR 99.31(a)(6)),
    the rule :func:`equitable.outreach._access.scope_cases` applies to what partners see. Only
    what changes is checked: keeping the case's worker or partner breaks nothing new.
    """
    today = today or dt.date.today()
    broken = []
    if worker is not None and worker.id != case.assigned_worker_id:
        lang = language_name(case.home_language)
        if lang and lang not in worker.spoken_languages():
            broken.append("language")
        if case.status in ACTIVE:
            load = session.scalar(select(func.count(Case.id)).where(
                Case.assigned_worker_id == worker.id, Case.status.in_(ACTIVE),
                Case.id != case.id))
            if load >= max(0, worker.capacity or 0):
                broken.append("capacity")
    if (organization_id is not None and organization_id != case.partner_organization_id
            and not session.scalar(select(_agreement_in_force(organization_id, today)))):
        broken.append("agreement")
    return broken


@dataclass
class WorkerLoad:
    worker_id: int
    username: str
    languages: str
    capacity: int
    assigned: int
    kept: int  # cases the worker already held or had contacted
    mean_km: float | None


@dataclass
class AssignmentResult:
    assignments: dict[int, int]  # case id -> worker id
    unassigned: dict[int, str]  # case id -> reason
    workload: list[WorkerLoad]
    changed: int
    reasons_count: dict[str, int] = field(default_factory=dict)


def _km(a: tuple[float, float] | None, b: tuple[float, float] | None, same: bool) -> float:
    if same:
        return 0.0
    if a is None or b is None:
        return float(UNKNOWN_KM)
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def assign_caseloads(engine: Engine, *, apply: bool = True) -> AssignmentResult:
    """Assign every active case to an outreach worker (or report why it cannot be).

    Parameters
    ----------
    engine : a migrated outreach database.
    apply : write the assignments (``Case.assigned_worker_id``); False for a dry run.

    Returns
    -------
    AssignmentResult with case -> worker, unassignable case -> reason (``"no worker speaks X"``
    or ``"every worker who speaks X is at capacity"``), and the workload per worker.

    Raises
    ------
    EquitableError
        No active outreach workers, or the solver fails.
    """
    from ortools.graph.python import min_cost_flow

    with read_session(engine) as s:
        workers = list(s.scalars(
            select(User).where(User.role == "outreach_worker", User.active.is_(True))
            .order_by(User.id)))
        cases = s.execute(
            select(Case.id, Case.school_id, Case.home_language, Case.assigned_worker_id,
                   Case.priority_rank)
            .where(Case.status.in_(ACTIVE)).order_by(Case.priority_rank, Case.id)
        ).all()
        contacted = defaultdict(set)
        for case_id, user_id in s.execute(select(ContactAttempt.case_id, ContactAttempt.user_id)
                                          .distinct()):
            contacted[case_id].add(user_id)
        coords = {sid: (lat, lon) for sid, lat, lon in s.execute(
            select(School.school_id, School.latitude, School.longitude))
            if lat is not None and lon is not None}
    if not workers:
        raise EquitableError("no active outreach workers: add them with "
                             "'equitable outreach user add --role outreach_worker'")
    n = len(cases)
    speaks = {w.id: w.spoken_languages() for w in workers}
    cap = {w.id: max(0, w.capacity) for w in workers}
    all_langs = set().union(*speaks.values())

    smcf = min_cost_flow.SimpleMinCostFlow()
    source, sink, unassigned_node = 0, 1, 2
    case_node = {c.id: 3 + i for i, c in enumerate(cases)}
    worker_node = {w.id: 3 + n + j for j, w in enumerate(workers)}
    arcs: dict[int, tuple[int, int, float, bool]] = {}  # arc index -> (case, worker, km, kept)
    for i, c in enumerate(cases):
        smcf.add_arc_with_capacity_and_unit_cost(source, case_node[c.id], 1, 0)
        lang = language_name(c.home_language)
        for w in workers:
            if lang and lang not in speaks[w.id]:
                continue
            if cap[w.id] == 0:
                continue
            base = coords.get(w.base_school_id) if w.base_school_id is not None else None
            km = min(_km(base, coords.get(c.school_id), same=w.base_school_id == c.school_id),
                     MAX_KM)
            kept = c.assigned_worker_id == w.id or w.id in contacted.get(c.id, ())
            cost = BASE_COST + round(km * KM_COST) - (CONTINUITY_BONUS if kept else 0)
            a = smcf.add_arc_with_capacity_and_unit_cost(case_node[c.id], worker_node[w.id], 1,
                                                         cost)
            arcs[a] = (c.id, w.id, km, kept)
        smcf.add_arc_with_capacity_and_unit_cost(
            case_node[c.id], unassigned_node, 1, UNASSIGNED_BASE + (n - i) * PRIORITY_STEP)
    for w in workers:
        smcf.add_arc_with_capacity_and_unit_cost(worker_node[w.id], sink, cap[w.id], 0)
    smcf.add_arc_with_capacity_and_unit_cost(unassigned_node, sink, n, 0)
    smcf.set_node_supply(source, n)
    smcf.set_node_supply(sink, -n)
    if n:
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            raise EquitableError(f"the caseload solver failed (status {status})")

    assignments: dict[int, int] = {}
    km_by_worker: dict[int, list[float]] = defaultdict(list)
    kept_by_worker: Counter = Counter()
    for a, (cid, wid, km, kept) in arcs.items():
        if smcf.flow(a) == 1:
            assignments[cid] = wid
            km_by_worker[wid].append(km)
            kept_by_worker[wid] += kept
    unassigned: dict[int, str] = {}
    for c in cases:
        if c.id in assignments:
            continue
        lang = language_name(c.home_language)
        if lang and lang not in all_langs:
            unassigned[c.id] = f"no worker speaks {lang}"
        elif lang:
            unassigned[c.id] = f"every worker who speaks {lang} is at capacity"
        else:
            unassigned[c.id] = "every worker is at capacity"
    changed = sum(1 for c in cases if assignments.get(c.id) != c.assigned_worker_id)
    if apply and changed:
        rows = [{"id": c.id, "assigned_worker_id": assignments.get(c.id)} for c in cases
                if assignments.get(c.id) != c.assigned_worker_id]
        with write_session(engine) as s:
            for i in range(0, len(rows), 2000):
                s.execute(update(Case), rows[i : i + 2000])
    workload = [
        WorkerLoad(w.id, w.username, ",".join(sorted(speaks[w.id])), cap[w.id],
                   len(km_by_worker[w.id]), kept_by_worker[w.id],
                   (sum(km_by_worker[w.id]) / len(km_by_worker[w.id]))
                   if km_by_worker[w.id] else None)
        for w in workers
    ]
    return AssignmentResult(assignments, unassigned, workload, changed,
                            dict(Counter(unassigned.values())))
