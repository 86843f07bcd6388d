"""Benchmark `equitable run`: the LAUSD example on the real data, and a synthetic statewide run.

Targets (issue 3): LAUSD under 10 s; 10,000 synthetic schools under 30 s and 2 GB peak memory.
Each run is a fresh `equitable run` process (imports included), timed by wall clock; peak memory
is the child's maximum resident set size. Prints one line per measurement.

    .venv/bin/python benchmarks/bench_run.py [--schools 10000] [--skip-lausd]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None
         ) -> tuple[float, float, float]:
    """Run ``equitable`` in a child process; return (wall s, CPU s, peak RSS in MB).

    CPU seconds (user + system of the child) do not grow when other work shares the machine;
    wall seconds do.
    """
    cmd = [sys.executable, "-c", "from equitable.cli import main; main()", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"benchmark run failed:\n{r.stderr}")
    # a fresh wait4 per child: ru_maxrss of the child that just ended (KB on Linux)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # the largest child so far (KB on Linux): the run itself, as it is the largest child
    peak = after.ru_maxrss / 1024
    return dt, cpu, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=10_000)
    ap.add_argument("--skip-lausd", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    env = dict(os.environ)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        if not a.skip_lausd:
            for i in range(a.repeat):
                dt, cpu, peak = _run(["run", str(ROOT / "examples" / "lausd.toml"), "--out",
                                 str(tmpd / f"lausd{i}"), "-q"], cwd=ROOT, env=env)
                print(f"lausd: 651 schools, whole run {dt:.2f} s wall, {cpu:.2f} s CPU "
                      f"(target < 10 s), "
                      f"peak RSS {peak:.0f} MB")
        from equitable.pipeline._synthetic import write_synthetic_inputs

        folder = tmpd / "synthetic"
        t0 = time.perf_counter()
        cfg = write_synthetic_inputs(folder, a.schools, n_districts=max(1, a.schools // 200),
                                     grid=80, n_charters=a.schools // 50,
                                     n_unplaced=a.schools // 100, n_outside=a.schools // 100)
        print(f"synthetic inputs: {a.schools} schools, 6,400 tracts written in "
              f"{time.perf_counter() - t0:.1f} s")
        for i in range(a.repeat):
            dt, cpu, peak = _run(["run", str(cfg), "--data-dir", str(folder), "--out",
                             str(folder / f"out{i}"), "-q"], cwd=folder, env=env)
            print(f"synthetic: {a.schools} schools, whole run {dt:.2f} s wall, {cpu:.2f} s CPU "
                  f"(target < 30 s), "
                  f"peak RSS {peak:.0f} MB (target < 2048 MB)")


if __name__ == "__main__":
    main()
