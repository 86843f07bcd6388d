"""Benchmark: the engagement pipeline on a large synthetic district (prints its figures).

    .venv/bin/python benchmarks/bench_engagement.py [--students 600000] [--days 180]
        [--folder /tmp/eq-bench-engagement] [--threads 2]

1. Writes (once; reused when present) a synthetic district with ``equitable synth district``
   in Parquet: 600,000 students x 180 instructional days is about 105 million attendance rows
   (some students enroll late or leave early).
2. Runs ``compute_engagement`` on DuckDB in a child process and prints its wall time and peak
   resident memory (the child's ru_maxrss). Targets: < 30 s and < 4 GB on a 2-core machine.
3. Runs a straightforward pandas implementation of the same rules (days enrolled, days absent,
   chronic status, tier, longest and current streak, last present day, SB 98 weeks, missing) on a
   10% sample of the students, scales its time by 10, and prints the ratio; it also checks that
   the two implementations agree on that sample.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import json, logging, os, resource, sys, time
logging.basicConfig(level=logging.INFO, format="%(message)s")
from equitable.engagement import compute_engagement
from equitable.engagement._backend import DuckDBBackend
t = time.perf_counter()
be = DuckDBBackend(threads=int(sys.argv[2]))
r = compute_engagement(sys.argv[1], backend=be)
elapsed = time.perf_counter() - t
r.raw.to_parquet(sys.argv[3])
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": elapsed, "rows": len(r.raw), "queue": len(r.queue),
                  "cpu": u.ru_utime + u.ru_stime, "peak_kb": u.ru_maxrss,
                  "load": os.getloadavg()[0]}))
"""


def pandas_rules(folder: Path, sample_ids, missing_days: int = 10):
    """The rules written plainly in pandas (one frame of every attendance row)."""
    import pandas as pd
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    t_load = time.perf_counter()
    att = ds.dataset(folder / "attendance.parquet").to_table(
        filter=pc.field("student_id").isin(sample_ids)).to_pandas()
    st = pd.read_parquet(folder / "students.parquet")
    st = st[st["student_id"].isin(set(sample_ids))]
    cal = pd.read_parquet(folder / "calendar.parquet")
    load = time.perf_counter() - t_load

    t = time.perf_counter()
    cal = cal[cal["instructional"] == "Y"].copy()
    cal["date"] = pd.to_datetime(cal["date"])
    cal = cal.sort_values(["school_id", "date"])
    cal["idx"] = cal.groupby("school_id").cumcount() + 1
    as_of = cal["date"].max()
    att["date"] = pd.to_datetime(att["date"])
    att = att.merge(cal[["school_id", "date", "idx"]], on=["school_id", "date"])
    att["absent"] = att["status"].isin(
        ["absent_excused", "absent_unexcused", "suspended_out", "distance_absent"])
    att["present"] = ~att["absent"]
    att = att.sort_values(["student_id", "school_id", "idx"])
    g = att.groupby(["student_id", "school_id"])
    out = g.agg(days_enrolled=("idx", "size"), days_absent=("absent", "sum"),
                last_idx=("idx", "max"))
    out["last_present_date"] = att[att["present"]].groupby(["student_id", "school_id"])[
        "date"].max()
    # Streaks: a new run starts where the day is absent and the previous day was not.
    a = att[att["absent"]].copy()
    a["grp"] = a["idx"] - a.groupby(["student_id", "school_id"]).cumcount()
    runs = a.groupby(["student_id", "school_id", "grp"]).agg(run=("idx", "size"),
                                                             end=("idx", "max"))
    out["longest_absence_streak"] = runs.groupby(["student_id", "school_id"])["run"].max()
    runs = runs.reset_index().merge(out[["last_idx"]].reset_index(), on=["student_id",
                                                                        "school_id"])
    cur = runs[runs["end"] == runs["last_idx"]].set_index(["student_id", "school_id"])["run"]
    out["current_absence_streak"] = cur
    out = out.fillna({"longest_absence_streak": 0, "current_absence_streak": 0})
    # SB 98 weeks.
    att["week"] = att["date"] - pd.to_timedelta(att["date"].dt.weekday, unit="D")
    wk = att.groupby(["student_id", "school_id", "week"]).agg(n=("idx", "size"),
                                                              ab=("absent", "sum"))
    wk["flag"] = (wk["ab"] > 3) | (wk["ab"] * 5 >= wk["n"] * 3)
    out["sb98_weeks_flagged"] = wk.groupby(["student_id", "school_id"])["flag"].sum()
    eligible = out["days_enrolled"] >= 31
    out["chronically_absent"] = (out["days_absent"] * 10 >= out["days_enrolled"]).where(eligible)
    out["attendance_tier"] = "satisfactory"
    out.loc[out["days_absent"] * 20 >= out["days_enrolled"], "attendance_tier"] = "at_risk"
    out.loc[out["days_absent"] * 10 >= out["days_enrolled"], "attendance_tier"] = "moderate"
    out.loc[out["days_absent"] * 5 >= out["days_enrolled"], "attendance_tier"] = "severe"
    out.loc[~eligible, "attendance_tier"] = "not_applicable"
    win = cal[cal["date"] <= as_of].groupby("school_id")["date"].apply(
        lambda s: s.sort_values().iloc[-missing_days])
    out = out.reset_index()
    out["window_start"] = out["school_id"].map(win)
    out["missing"] = ~(out["last_present_date"] >= out["window_start"])
    return out, time.perf_counter() - t, load


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=600_000)
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--folder", default="/tmp/eq-bench-engagement")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    folder = Path(args.folder)
    py = sys.executable
    if not (folder / "attendance.parquet").exists():
        t = time.perf_counter()
        subprocess.run([py, "-m", "equitable.cli", "synth", "district", "--students",
                        str(args.students), "--days", str(args.days), "-o", str(folder),
                        "--format", "parquet", "--seed", str(args.seed)], check=True)
        print(f"generated in {time.perf_counter() - t:.1f} s")
    import pyarrow.parquet as pq

    n_rows = pq.ParquetFile(folder / "attendance.parquet").metadata.num_rows
    n_students = pq.ParquetFile(folder / "students.parquet").metadata.num_rows
    print(f"input: {n_students:,} students, {n_rows:,} attendance rows (Parquet), "
          f"{os.cpu_count()} cores")

    result_path = folder.parent / (folder.name + "-result.parquet")
    proc = subprocess.run([py, "-c", CHILD, str(folder), str(args.threads), str(result_path)],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        print(proc.stderr, file=sys.stderr)
        sys.exit(1)
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    # The child's own figures (RUSAGE_CHILDREN would also count the generator run above).
    peak_kb, cpu = info["peak_kb"], info["cpu"]
    print(proc.stderr.strip())
    print(f"equitable engagement (DuckDB, {args.threads} threads): {info['seconds']:.1f} s wall, "
          f"{cpu:.1f} s CPU (user+system, whole process), peak memory {peak_kb / 1024 / 1024:.2f} "
          f"GB, {info['rows']:,} student rows, queue {info['queue']:,}  "
          f"[targets: < 30 s, < 4 GB]")
    print(f"load average (1 min) at the end of the run: {info['load']:.1f} (other work on the machine "
          "slows the wall time; CPU / cores is the time on an idle machine, at best)")

    import numpy as np
    import pandas as pd

    ids = pq.read_table(folder / "students.parquet", columns=["student_id"])["student_id"]
    rng = np.random.default_rng(0)
    sample = ids.take(np.sort(rng.choice(len(ids), size=len(ids) // 10, replace=False)))
    out, secs, load = pandas_rules(folder, sample)
    print(f"pandas, 10% sample ({len(out):,} students): {secs:.1f} s (+{load:.1f} s to load); "
          f"scaled x10: {secs * 10:.1f} s")
    print(f"ratio pandas (scaled) / equitable: {secs * 10 / info['seconds']:.1f}x")
    ours = pd.read_parquet(result_path).set_index(["student_id", "school_id"])
    theirs = out.set_index(["student_id", "school_id"])
    common = theirs.index.intersection(ours.index)
    cols = ["days_enrolled", "days_absent", "longest_absence_streak", "current_absence_streak",
            "sb98_weeks_flagged"]
    same = (ours.loc[common, cols].astype("int64") == theirs.loc[common, cols].astype("int64"))
    tier_same = ours.loc[common, "attendance_tier"] == theirs.loc[common, "attendance_tier"]
    print(f"agreement on the sample ({len(common):,} rows): counts and streaks "
          f"{same.all(axis=1).mean() * 100:.2f}%, tiers {tier_same.mean() * 100:.2f}%")


if __name__ == "__main__":
    main()
