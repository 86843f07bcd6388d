"""Benchmark of the public dashboard: p50/p95 per page at 50 concurrent users.

Builds a results folder (``equitable run examples/lausd.toml`` on the real data when the data
folder exists, else the pipeline on 651 synthetic schools), starts ``equitable serve`` in a
subprocess on 127.0.0.1 and a free port, and drives it with 50 httpx async clients with no think
time, each making ``--rounds`` passes over the public pages (English and Spanish; a bounded
number of requests). Prints p50/p95/p99 per page and overall. Target: every page's p95 < 150 ms.

    .venv/bin/python benchmarks/bench_dashboard.py [--users 50] [--rounds 4] [--results DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_results(tmp: Path) -> tuple[Path, Path | None]:
    from equitable.errors import InputError
    from equitable.paths import data_dir
    from equitable.pipeline import run

    try:
        data = data_dir()
        if (data / "lausd" / "schools_2024_25.csv").is_file():
            run(ROOT / "examples" / "lausd.toml", out_dir=tmp / "lausd", data_dir=data)
            return tmp / "lausd", data
    except InputError:
        pass
    from equitable.pipeline._synthetic import write_synthetic_inputs

    config = write_synthetic_inputs(tmp / "data", 651, grid=30)
    run(config, out_dir=tmp / "synthetic", data_dir=tmp / "data")
    return tmp / "synthetic", tmp / "data"


def pages(cds_codes: list[str]) -> list[tuple[str, str]]:
    rng = random.Random(0)
    base = [("finder", "/"), ("search", "/?q=elementary"), ("map", "/map"),
            ("map filtered", "/map?tier=1+Highest&span=elementary"), ("explorer", "/explorer"),
            ("explorer score", "/explorer?rule=score&need_weight=0.02"),
            ("methods", "/methods")]
    base += [("school", f"/schools/{c}") for c in rng.sample(cds_codes, 5)]
    return [(name, f"{path}{'&' if '?' in path else '?'}lang={lang}")
            for name, path in base for lang in ("en", "es")]


async def user(base: str, plan: list[tuple[str, str]], rounds: int, seed: int,
               times: dict[str, list[float]], errors: list[str]) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(rounds):
            order = plan[:]
            rng.shuffle(order)
            for name, path in order:
                t0 = time.perf_counter()
                r = await client.get(path)
                dt = time.perf_counter() - t0
                if r.status_code != 200:
                    errors.append(f"{path}: {r.status_code}")
                times.setdefault(name, []).append(dt * 1000)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--results", help="an existing results folder (default: build one)")
    ap.add_argument("--workers", type=int, default=2,
                    help="uvicorn worker processes (default 2: one per core)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        if args.results:
            results, data = Path(args.results), None
        else:
            t0 = time.perf_counter()
            results, data = build_results(tmp)
            print(f"results folder built in {time.perf_counter() - t0:.1f} s: {results}")
        import pandas as pd

        cds = pd.read_csv(results / "schools.csv", dtype={"cds_code": str})["cds_code"].tolist()
        port = free_port()
        env = {**os.environ, "EQUITABLE_DASHBOARD_RESULTS": str(results)}
        mode = ["--dev"]
        if args.workers > 1:  # several processes need a fixed session secret (no --dev)
            import secrets

            env["EQUITABLE_SESSION_SECRET"] = secrets.token_urlsafe(48)
            env["EQUITABLE_COOKIE_SECURE"] = "false"
            mode = ["--workers", str(args.workers)]
        if data is not None:
            env["EQUITABLE_DATA_DIR"] = str(data)
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("equitable")), "serve", *mode, "--host", "127.0.0.1",
             "--port", str(port), "--db", f"sqlite:///{tmp / 'web.db'}"],
            env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            t0 = time.perf_counter()
            for _ in range(args.workers * 4):  # loads the results (once per process)
                httpx.get(base + "/", timeout=120)
            print(f"first requests (load the results): {time.perf_counter() - t0:.2f} s")
            plan = pages(cds)
            single: dict[str, list[float]] = {}
            with httpx.Client(base_url=base, timeout=30) as c:
                for rep in range(3):  # warm passes; the last one times one user alone
                    for name, path in plan:
                        t1 = time.perf_counter()
                        c.get(path)
                        if rep == 2:
                            single.setdefault(name, []).append(
                                (time.perf_counter() - t1) * 1000)
            times: dict[str, list[float]] = {}
            errors: list[str] = []

            async def drive():
                await asyncio.gather(*(user(base, plan, args.rounds, i, times, errors)
                                       for i in range(args.users)))

            t0 = time.perf_counter()
            asyncio.run(drive())
            wall = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    n = sum(len(v) for v in times.values())
    import importlib.util

    fast = [m for m in ("httptools", "uvloop") if importlib.util.find_spec(m)]
    print("uvicorn HTTP parser / event loop: " + (", ".join(fast) if fast else
          "h11 + asyncio (pure Python; install httptools and uvloop for speed)"))
    print("one user alone (service time): " + ", ".join(
        f"{k} {np.median(v):.1f} ms" for k, v in sorted(single.items())))
    print(f"{args.workers} worker process(es); {args.users} concurrent users, {n} requests in {wall:.1f} s "
          f"({n / wall:.0f} requests/s), {len(errors)} errors")
    print(f"{'page':<16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    worst = 0.0
    for name, v in sorted(times.items()):
        a = np.array(v)
        p50, p95, p99 = np.percentile(a, [50, 95, 99])
        worst = max(worst, p95)
        print(f"{name:<16} {len(a):>5} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    a = np.concatenate([np.array(v) for v in times.values()])
    print(f"{'all':<16} {len(a):>5} {np.percentile(a, 50):>8.1f} {np.percentile(a, 95):>8.1f} "
          f"{np.percentile(a, 99):>8.1f}")
    print(f"worst page p95: {worst:.1f} ms (target < 150 ms): {'OK' if worst < 150 else 'MISSED'}")
    if errors:
        print("errors:", errors[:5])


if __name__ == "__main__":
    main()
