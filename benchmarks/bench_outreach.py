"""Benchmark: the staff console's queue page at 100,000 open cases and 50 concurrent users.

Builds a SQLite database through the Alembic migrations, imports a 100,000-student roster and a
100,000-row outreach queue (timed), starts ``equitable serve`` (uvicorn) in a separate process on
127.0.0.1, signs in 50 users (each with their own session) and has them load queue pages at once
(by default each user pauses about 1 s between clicks, as a person working the queue does;
``--think 0`` is a closed-loop stress test: each user sends the next request as soon as the
previous answer arrives), for
``--seconds`` seconds. The server runs ``--workers`` uvicorn processes (default 2, one per core). Prints p50/p95/p99 latency and throughput; the target is
p95 < 200 ms.

    .venv/bin/python benchmarks/bench_outreach.py [--cases 100000] [--users 50] [--seconds 30]
        [--workers 2] [--think 0] [--db URL] [--reuse DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(db_url: str, n_cases: int, n_users: int, tmp: Path) -> None:
    from equitable.outreach import create_user, import_queue, import_roster, make_engine, migrate
    from equitable.outreach._testing import write_queue, write_roster

    engine = make_engine(db_url)
    migrate(engine)
    roster = write_roster(tmp / "students.csv", n_cases, n_schools=200, seed=1)
    write_queue(tmp / "outreach_queue.csv", roster)
    t0 = time.perf_counter()
    import_roster(engine, tmp / "students.csv")
    t1 = time.perf_counter()
    res = import_queue(engine, tmp / "outreach_queue.csv")
    t2 = time.perf_counter()
    print(f"roster import: {n_cases:,} students in {t1 - t0:.2f} s")
    print(f"queue import:  {res.opened:,} cases in {t2 - t1:.2f} s")
    for i in range(n_users):
        create_user(engine, f"admin{i:02d}", "benchmark password", "admin")
    engine.dispose()


async def sign_in(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/login", data={"username": username, "password": "benchmark password",
                                          "csrf_token": token})
    if r.status_code != 200 or not str(r.url).endswith("/staff/"):
        raise SystemExit(f"sign-in of {username} failed: HTTP {r.status_code}")
    return client


async def user_loop(client: httpx.AsyncClient, clock: dict, latencies: list[float],
                    errors: list[int], rng: random.Random, think: float) -> None:
    try:
        while time.perf_counter() < clock["stop"]:
            # mostly the first pages (the work of the day), sometimes deep pages
            pg = rng.choice([1, 1, 1, 2, 3, 5, 10, 40, 400])
            t = time.perf_counter()
            r = await client.get(f"/staff/?status=open&page={pg}")
            latencies.append(time.perf_counter() - t)
            if r.status_code != 200 or "<tbody>" not in r.text:
                errors.append(r.status_code)
            if think:
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    finally:
        await client.aclose()


async def load(base: str, users: int, seconds: float, think: float) -> tuple[list[float], list[int], float]:
    latencies: list[float] = []
    errors: list[int] = []
    clients = [await sign_in(base, f"admin{i:02d}") for i in range(users)]
    start = time.perf_counter()
    clock = {"stop": start + seconds}
    await asyncio.gather(*(user_loop(c, clock, latencies, errors, random.Random(i), think)
                           for i, c in enumerate(clients)))
    return latencies, errors, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean pause in seconds between a user's clicks (default 1 s: a person "
                         "working the queue; 0: a closed-loop stress test, where p95 is about "
                         "users / throughput)")
    ap.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    ap.add_argument("--reuse", default=None, help="a folder of an earlier run: reuse its bench.db")
    args = ap.parse_args()

    if args.reuse:
        db_url = f"sqlite:///{Path(args.reuse) / 'bench.db'}"
    else:
        tmp = Path(tempfile.mkdtemp(prefix="bench_outreach_"))
        db_url = args.db or f"sqlite:///{tmp / 'bench.db'}"
        build(db_url, args.cases, args.users, tmp)
        print(f"database: {db_url} (rerun with --reuse {tmp})")

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
        deadline = time.monotonic() + 300  # a loaded machine starts slowly
        while True:
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        latencies, errors, elapsed = asyncio.run(load(base, args.users, args.seconds, args.think))
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    p50, p95, p99 = q[49] * 1000, q[94] * 1000, q[98] * 1000
    print(f"open cases: {args.cases:,}; concurrent users: {args.users}; think time: "
          f"{args.think:g} s; server workers: {args.workers}; backend: {db_url.split(':')[0]}; "
          f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"requests: {len(latencies):,} in {elapsed:.1f} s ({len(latencies) / elapsed:.0f}/s); "
          f"errors: {len(errors)}")
    print(f"queue page latency: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms "
          f"(target p95 < 200 ms: {'met' if p95 < 200 else 'NOT met'})")


if __name__ == "__main__":
    main()
