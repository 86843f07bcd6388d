"""Benchmark: educator equity gaps and the staffing report for 1,000 schools x 60,000 positions.

Target (issue 17): gaps and report in under 5 s. Run:
.venv/bin/python benchmarks/bench_staffing.py [N_SCHOOLS] [N_POSITIONS]
Builds a synthetic district (``equitable synth staff``), tops its positions up to N_POSITIONS by
resampling rows under new ids, then times ``gaps_files`` and ``report_files`` (read, validate,
compute, suppress, write CSV + XLSX + run.json), best and median of 3 runs each.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from equitable.staffing import gaps_files, report_files
from equitable.staffing._synth import synth_staff


def build(folder: Path, n_schools: int, n_positions: int) -> tuple[Path, Path]:
    r = synth_staff(folder, n_schools, seed=17)
    pos = pd.read_csv(r.positions_path, dtype=str, keep_default_na=False)
    if len(pos) < n_positions:
        extra = pos.sample(n_positions - len(pos), replace=True, random_state=17).copy()
        extra["position_id"] = [f"X{i:07d}" for i in range(len(extra))]
        pos = pd.concat([pos, extra], ignore_index=True)
    pos.to_csv(r.positions_path, index=False, lineterminator="\n")
    return r.positions_path, r.schools_path


def main() -> None:
    n_schools = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    n_positions = int(sys.argv[2]) if len(sys.argv) > 2 else 60_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        positions, schools = build(folder / "in", n_schools, n_positions)
        n = sum(1 for _ in positions.open()) - 1
        print(f"{n_schools} schools, {n} positions")
        # import and warm up once (pandera registers its backends on first use)
        gaps_files(positions, schools, folder / "warm")
        total = []
        for name, fn in (("gaps", gaps_files), ("report", report_files)):
            times = []
            for i in range(3):
                t0 = time.perf_counter()
                fn(positions, schools, folder / f"{name}{i}")
                times.append(time.perf_counter() - t0)
            total.append(min(times))
            print(f"{name:>7}: best {min(times):.2f} s, median {statistics.median(times):.2f} s")
        print(f"gaps + report: {sum(total):.2f} s (target < 5 s)")


if __name__ == "__main__":
    main()
