"""Benchmark: "My day" for outreach workers with 300 cases each, in a district of 100,000 cases,
with 50 workers using it at once (issue 21.8; a script, not a timed test).

Builds a SQLite database through the Alembic migrations: a 100,000-student roster and queue
(with reason codes), 50 outreach workers holding 300 cases each (15,000 cases), a contact
attempt on two cases in three (some reached, with follow-up dates before and after today).
Then starts ``equitable serve`` (uvicorn, ``--workers`` processes) on 127.0.0.1, signs the 50
workers in and has each load their day (first page, sometimes a filter or the next page) with a
think time of about ``--think`` seconds, for ``--seconds`` seconds. Before the clock starts,
each user opens each view once, one after another (``--no-warmup`` to measure from cold
servers: the first requests of each process compile templates and load the catalogue). By
default all users then click first in the same millisecond (a burst of ``--users`` requests,
which alone queues about ``--users`` x the CPU time of a request); ``--ramp S`` spreads their
first clicks over S seconds instead, as people's are. Prints p50/p95/p99 latency and throughput;
the target is p95 < 150 ms. Also prints the CPU time the server processes spent per request
(from /proc, Linux): it depends less than the latency on what else the machine runs, though it
too grows with the load, so compare runs made together.

    .venv/bin/python benchmarks/bench_my_day.py [--cases 100000] [--users 50] [--per-worker 300]
        [--seconds 30] [--workers 2] [--think 1] [--ramp SECONDS] [--no-warmup]
        [--database-url URL] [--reuse DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_outreach import free_port

PASSWORD = "benchmark password"
CODES = ["absent_streak{days=12}", "chronic{absent=15, enrolled=60}", "missing{days=10}",
         "never_engaged", "sb98_weeks{weeks=2}", "login_only"]


def build(db_url: str, n_cases: int, n_users: int, per_worker: int, tmp: Path) -> None:
    import csv

    from sqlalchemy import insert, select, update

    from equitable.outreach import create_user, import_queue, import_roster, make_engine, migrate
    from equitable.outreach._db import write_session
    from equitable.outreach._models import Case, ContactAttempt
    from equitable.outreach._testing import write_roster

    engine = make_engine(db_url)
    migrate(engine)
    roster = write_roster(tmp / "students.csv", n_cases, n_schools=200, seed=1)
    rng = random.Random(2)
    with open(tmp / "outreach_queue.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["priority_rank", "student_id", "school_id", "grade", "home_language",
                    "reasons", "reason_codes"])
        for rank, (sid, sch, lang) in enumerate(roster, start=1):
            w.writerow([rank, sid, sch, "9", lang, "x",
                        "; ".join(sorted(rng.sample(CODES, 2), key=CODES.index))])
    t0 = time.perf_counter()
    import_roster(engine, tmp / "students.csv")
    import_queue(engine, tmp / "outreach_queue.csv")
    print(f"roster and queue import: {n_cases:,} cases in {time.perf_counter() - t0:.1f} s")
    wids = [create_user(engine, f"worker{i:02d}", PASSWORD, "outreach_worker",
                        languages="english,spanish", capacity=per_worker)
            for i in range(n_users)]
    today = dt.date.today()
    with write_session(engine) as s:
        ids = list(s.scalars(select(Case.id).order_by(Case.id)))
        rows, contacts = [], []
        for k, wid in enumerate(wids):
            for cid in ids[k * per_worker:(k + 1) * per_worker]:
                fu = rng.choice([None, None, today - dt.timedelta(days=rng.randint(0, 9)),
                                 today + dt.timedelta(days=rng.randint(1, 9))])
                rows.append({"id": cid, "assigned_worker_id": wid, "follow_up_date": fu})
                if rng.random() < 2 / 3:
                    for _ in range(rng.randint(1, 3)):
                        contacts.append({
                            "case_id": cid, "user_id": wid,
                            "contacted_on": today - dt.timedelta(days=rng.randint(0, 30)),
                            "mode": rng.choice(["phone", "text", "home_visit"]),
                            "language": "english",
                            "outcome": rng.choice(["reached", "no_answer", "no_answer"])})
        for i in range(0, len(rows), 2000):
            s.execute(update(Case), rows[i:i + 2000])
        for i in range(0, len(contacts), 2000):
            s.execute(insert(ContactAttempt), contacts[i:i + 2000])
    print(f"workers: {n_users} x {per_worker} cases; contact attempts: {len(contacts):,}")
    engine.dispose()


#: What a worker clicks (the day three times in six, its second page, two filters).
CLICKS = ["/staff/day", "/staff/day", "/staff/day", "/staff/day?page=2",
          "/staff/day?reason=chronic", "/staff/day?language=spanish"]
PATHS = sorted(set(CLICKS))


async def sign_in(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/login", data={"username": username, "password": PASSWORD,
                                          "csrf_token": token})
    if r.status_code != 200:
        raise SystemExit(f"sign-in of {username} failed: HTTP {r.status_code}")
    return client


async def user_loop(client, clock, latencies, errors, rng, think, ramp) -> None:
    try:
        if ramp:  # users start one by one over the ramp, not all in the same millisecond
            await asyncio.sleep(rng.uniform(0, ramp))
        while time.perf_counter() < clock["stop"]:
            path = rng.choice(CLICKS)
            t = time.perf_counter()
            r = await client.get(path)
            latencies.append(time.perf_counter() - t)
            if r.status_code != 200 or 'id="day"' not in r.text:
                errors.append(r.status_code)
            if think:
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    finally:
        await client.aclose()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` and all its descendants (Linux /proc; None
    elsewhere)."""
    try:
        stats = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    text = (d / "stat").read_text()
                except OSError:
                    continue
                f = text[text.rindex(")") + 2:].split()  # fields from the 3rd on (state, ppid...)
                stats[int(d.name)] = (int(f[1]), int(f[11]) + int(f[12]))  # ppid, utime + stime
    except OSError:
        return None
    tree, todo = set(), [pid]
    while todo:
        p = todo.pop()
        tree.add(p)
        todo += [c for c, (pp, _) in stats.items() if pp == p and c not in tree]
    return sum(stats[p][1] for p in tree if p in stats) / os.sysconf("SC_CLK_TCK")


async def load(base, users, seconds, think, ramp, server_pid, warmup=True):
    latencies: list[float] = []
    errors: list[int] = []
    clients = [await sign_in(base, f"worker{i:02d}") for i in range(users)]
    if warmup:  # each user opens each view once, one after another, before the clock starts:
        # the server processes compile templates, load the catalogue and fill their statement
        # caches on first use (cold, several hundred ms), which is not the steady state measured
        for c in clients:
            for path in PATHS:
                await c.get(path)
    cpu0, own0 = cpu_seconds(server_pid), time.process_time()
    start = time.perf_counter()
    clock = {"stop": start + seconds}
    await asyncio.gather(*(user_loop(c, clock, latencies, errors, random.Random(i), think, ramp)
                           for i, c in enumerate(clients)))
    elapsed = time.perf_counter() - start
    cpu1 = cpu_seconds(server_pid)
    cpu = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
    return latencies, errors, elapsed, cpu, time.process_time() - own0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--per-worker", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--think", type=float, default=1.0, help="mean pause between clicks (s)")
    ap.add_argument("--ramp", type=float, default=0.0,
                    help="spread the users' first clicks over this many seconds (default 0: "
                         "all at once, a burst of --users requests)")
    ap.add_argument("--no-warmup", action="store_true",
                    help="measure from the servers' first requests (cold templates, catalogue "
                         "and statement caches) instead of after each user opened each view once")
    ap.add_argument("--database-url", default=None,
                    help="an empty PostgreSQL database to build and serve from (e.g. "
                         "postgresql+psycopg://postgres@127.0.0.1:54329/bench), as a district "
                         "of this size runs (docs/deploy.md); default a new SQLite file")
    ap.add_argument("--reuse", default=None, help="a folder of an earlier run: reuse its bench.db")
    args = ap.parse_args()
    if args.database_url:
        db_url = args.database_url
        if not args.reuse:
            tmp = Path(tempfile.mkdtemp(prefix="bench_my_day_"))
            build(db_url, args.cases, args.users, args.per_worker, tmp)
    elif args.reuse:
        db_url = f"sqlite:///{Path(args.reuse) / 'bench.db'}"
    else:
        tmp = Path(tempfile.mkdtemp(prefix="bench_my_day_"))
        db_url = f"sqlite:///{tmp / 'bench.db'}"
        build(db_url, args.cases, args.users, args.per_worker, tmp)
        print(f"database: {db_url} (rerun with --reuse {tmp})")
    ramp = args.ramp
    port = free_port()
    env = os.environ.copy()
    env["EQUITABLE_SESSION_SECRET"] = secrets.token_urlsafe(48)
    env["EQUITABLE_COOKIE_SECURE"] = "false"
    env["EQUITABLE_DATABASE_URL"] = db_url
    server = subprocess.Popen(
        [sys.executable, "-m", "equitable.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--workers", str(args.workers)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        latencies, errors, elapsed, cpu, own = asyncio.run(
            load(base, args.users, args.seconds, args.think, ramp, server.pid,
                 warmup=not args.no_warmup))
    finally:
        server.terminate()
        server.wait(timeout=30)
    q = statistics.quantiles(sorted(latencies), n=100, method="inclusive")
    p50, p95, p99 = q[49] * 1000, q[94] * 1000, q[98] * 1000
    print(f"cases: {args.cases:,}; workers using it: {args.users} x {args.per_worker} cases; "
          f"think: {args.think:g} s; start spread over {ramp:g} s; warm-up: "
          f"{'none' if args.no_warmup else 'each user opened each view once'}; server workers: "
          f"{args.workers}; load average: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"requests: {len(latencies):,} in {elapsed:.1f} s ({len(latencies) / elapsed:.0f}/s); "
          f"errors: {len(errors)}")
    if cpu is not None and latencies:
        print(f"server CPU: {cpu * 1000 / len(latencies):.1f} ms per request "
              f"({cpu / elapsed:.2f} CPUs busy); load generator: "
              f"{own * 1000 / len(latencies):.1f} ms per request")
    print(f"My day latency: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms "
          f"(target p95 < 150 ms: {'met' if p95 < 150 else 'NOT met'})")


if __name__ == "__main__":
    main()
