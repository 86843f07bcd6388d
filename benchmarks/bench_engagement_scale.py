"""Benchmark: how the engagement pipeline scales, DuckDB (one process) vs a Spark standalone
cluster (master + 2 workers on this machine), next to the plain-SQL floor (prints its figures).

    .venv/bin/python benchmarks/bench_engagement_scale.py [--sizes 150000,600000,2400000]
        [--days 180] [--root /tmp/eq-bench-scale] [--threads 2] [--no-spark | --no-duckdb]
        [--worker-memory 4g] [--executor-memory 3g]

For each size it writes (once; reused when present) a synthetic district in Parquet with
``equitable synth district`` and prints, per engine: wall seconds, attendance rows per second,
and the peak resident memory of each process (DuckDB: the child process; Spark: the driver's
JVM and Python, and each executor JVM, sampled from /proc every 0.2 s). Then, per engine, the
log-log slope of time against rows (1.0 = linear), and, for each size, DuckDB's time next to the
**floor**: the fastest plain DuckDB SQL for the same per-student core figures (days enrolled,
days absent, longest absence streak: counts over all rows with no join, and the join to the
calendar's day numbers and the streak window over the absent rows only), measured in the same
run. (Joining every row to the calendar first, as an earlier version of this floor did, took
twice as long and 5x the memory: 11.4 s and 1.4 GB against 5.6 s and 0.3 GB at 150,000
students, same figures.)

Spark runs with ``spark-submit --master spark://127.0.0.1:PORT`` against a cluster started here
from the PySpark installation (ports on 127.0.0.1, UIs off where Spark allows, stopped at the
end); each worker has 1 core and ``--worker-memory``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DUCK_CHILD = r"""
import json, resource, sys, time
from equitable.engagement import compute_engagement
from equitable.engagement._backend import DuckDBBackend
t = time.perf_counter()
r = compute_engagement(sys.argv[1], backend=DuckDBBackend(threads=int(sys.argv[2])))
s = time.perf_counter() - t
print(json.dumps({"seconds": s, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "student_rows": len(r.raw)}))
"""

FLOOR_CHILD = r"""
import json, resource, sys, time
import duckdb
f, threads = sys.argv[1], int(sys.argv[2])
con = duckdb.connect(config={"threads": threads})
con.execute("SET enable_progress_bar = false")
t = time.perf_counter()
row = con.execute(f'''
WITH cal AS (
  SELECT school_id, date, row_number() OVER (PARTITION BY school_id ORDER BY date) AS d
  FROM read_parquet('{f}/calendar.parquet') WHERE instructional = 'Y'),
counts AS (
  SELECT student_id, school_id, count(*) AS n,
         count(*) FILTER (status IN ('absent_excused','absent_unexcused','suspended_out','distance_absent')) AS absent
  FROM read_parquet('{f}/attendance.parquet') GROUP BY ALL),
ab AS (
  SELECT a.student_id, a.school_id, c.d
  FROM read_parquet('{f}/attendance.parquet') a
  JOIN cal c ON a.school_id = c.school_id AND a.date = c.date
  WHERE a.status IN ('absent_excused','absent_unexcused','suspended_out','distance_absent')),
runs AS (SELECT student_id, school_id,
                d - row_number() OVER (PARTITION BY student_id, school_id ORDER BY d) AS g
         FROM ab),
streak AS (SELECT student_id, school_id, max(n) AS s
           FROM (SELECT student_id, school_id, g, count(*) AS n FROM runs GROUP BY ALL)
           GROUP BY ALL)
SELECT count(*), sum(n), sum(absent), max(s)
FROM counts LEFT JOIN streak USING (student_id, school_id)''').fetchone()
s = time.perf_counter() - t
print(json.dumps({"seconds": s, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "students": row[0], "rows": row[1]}))
"""

SPARK_JOB = r"""
import json, sys, time
from equitable.engagement import compute_engagement
t = time.perf_counter()
r = compute_engagement(sys.argv[1], backend="spark")
print("RESULT " + json.dumps({"seconds": time.perf_counter() - t, "student_rows": len(r.raw)}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _role(pid: int) -> str | None:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    if "CoarseGrainedExecutorBackend" in cmd:
        return f"executor {pid}"
    if "org.apache.spark.deploy.SparkSubmit" in cmd:
        return "driver JVM"
    if "python" in cmd and "job.py" in cmd:
        return "driver Python"
    return None


class RssSampler(threading.Thread):
    """Peak resident memory (MB) of each Spark process under the given roots."""

    def __init__(self, roots: list[int]) -> None:
        super().__init__(daemon=True)
        self.roots, self.peak, self.stop = roots, {}, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for root in list(self.roots):
                for pid in _tree(root):
                    role = _role(pid)
                    if role is None:
                        continue
                    try:
                        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                            if line.startswith("VmRSS:"):
                                mb = int(line.split()[1]) / 1024
                                self.peak[role] = max(self.peak.get(role, 0), mb)
                    except OSError:
                        pass
            time.sleep(0.2)


class Cluster:
    """A Spark standalone master and two 1-core workers on 127.0.0.1 (the test fixture's
    layout, tests/engagement/conftest.py)."""

    def __init__(self, base: Path, worker_memory: str) -> None:
        import pyspark

        self.home = Path(pyspark.__file__).parent
        self.base = base
        self.env = {**os.environ, "SPARK_HOME": str(self.home), "SPARK_LOCAL_IP": "127.0.0.1",
                    "SPARK_DAEMON_MEMORY": "256m", "PYSPARK_PYTHON": sys.executable,
                    "PYSPARK_DRIVER_PYTHON": sys.executable, "SPARK_NO_DAEMONIZE": "1",
                    "SPARK_CONF_DIR": str(base)}
        self.env.pop("SPARK_REMOTE", None)
        self.url = f"spark://127.0.0.1:{_free_port()}"
        self.procs: list[subprocess.Popen] = []
        self.worker_memory = worker_memory

    def _start(self, name: str, args: list[str]) -> Path:
        log = self.base / f"{name}.log"
        with open(log, "wb") as fh:
            self.procs.append(subprocess.Popen(
                [str(self.home / "bin" / "spark-class"), *args], env=self.env, stdout=fh,
                stderr=subprocess.STDOUT, cwd=self.base, start_new_session=True))
        return log

    def _wait(self, log: Path, text: str, n: int) -> None:
        for _ in range(600):
            if log.is_file() and log.read_text(errors="replace").count(text) >= n:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{text!r} not in {log}")

    def __enter__(self) -> Cluster:  # noqa: PYI034
        port = self.url.rsplit(":", 1)[1]
        mlog = self._start("master", ["org.apache.spark.deploy.master.Master", "--host",
                                      "127.0.0.1", "--port", port, "--webui-port",
                                      str(_free_port())])
        self._wait(mlog, "I have been elected leader", 1)
        for i in (1, 2):
            (self.base / f"w{i}").mkdir(exist_ok=True)
            self._start(f"worker{i}", ["org.apache.spark.deploy.worker.Worker", "--host",
                                       "127.0.0.1", "--cores", "1", "--memory",
                                       self.worker_memory, "--webui-port", str(_free_port()),
                                       "--work-dir", str(self.base / f"w{i}"), self.url])
        self._wait(mlog, "Registering worker", 2)
        return self

    def __exit__(self, *exc) -> None:
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _district(root: Path, n: int, days: int) -> tuple[Path, int]:
    import pyarrow.parquet as pq

    folder = root / f"district-{n}x{days}"
    if not (folder / "attendance.parquet").is_file():
        subprocess.run([str(Path(sys.executable).parent / "equitable"), "synth", "district",
                        "--students", str(n), "--days", str(days), "--format", "parquet",
                        "--no-activity", "--seed", "4", "-o", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
    return folder, pq.ParquetFile(folder / "attendance.parquet").metadata.num_rows


def _spark(cluster: Cluster, folder: Path, executor_memory: str) -> dict:
    job = cluster.base / "job.py"
    job.write_text(SPARK_JOB)
    cmd = [str(cluster.home / "bin" / "spark-submit"), "--master", cluster.url,
           "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
           "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.executor.cores=1",
           "--conf", f"spark.executor.memory={executor_memory}", "--conf", "spark.cores.max=2",
           "--conf", "spark.sql.shuffle.partitions=8", "--driver-memory", "4g", str(job),
           folder.as_uri()]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    sampler = RssSampler([p.pid, *[q.pid for q in cluster.procs]])
    sampler.start()
    out, err = p.communicate()
    wall = time.perf_counter() - t
    sampler.stop.set()
    if p.returncode:
        raise RuntimeError(err[-3000:])
    res = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
    res["submit_wall"] = wall
    res["peak_mb"] = sampler.peak
    return res


def _slope(points: list[tuple[int, float]]) -> float | None:
    if len(points) < 2:
        return None
    xs = [math.log(r) for r, _ in points]
    ys = [math.log(s) for _, s in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="150000,600000,2400000")
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--root", type=Path, default=Path("/tmp/eq-bench-scale"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--no-duckdb", action="store_true",
                    help="only the Spark cluster (the districts are still written when absent)")
    ap.add_argument("--worker-memory", default="4g")
    ap.add_argument("--executor-memory", default="3g")
    a = ap.parse_args()
    a.root.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in a.sizes.split(",")]
    print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores; "
          f"DuckDB threads {a.threads}")
    duck, spark, rows_of = [], [], {}
    for n in sizes:
        folder, rows = _district(a.root, n, a.days)
        rows_of[n] = rows
        if a.no_duckdb:
            continue
        d = _child(DUCK_CHILD, str(folder), str(a.threads))
        f = _child(FLOOR_CHILD, str(folder), str(a.threads))
        duck.append((rows, d["seconds"]))
        print(f"duckdb  {n:>9,} students {rows:>13,} rows: {d['seconds']:7.1f} s "
              f"({rows / d['seconds']:,.0f} rows/s), peak {d['peak_kb'] / 1024:6.0f} MB"
              f" | floor (plain SQL) {f['seconds']:6.1f} s, {f['peak_kb'] / 1024:5.0f} MB;"
              f" product / floor {d['seconds'] / f['seconds']:4.1f}x")
    if not a.no_spark:
        with tempfile.TemporaryDirectory(prefix="eq-bench-spark-") as tmp, \
                Cluster(Path(tmp), a.worker_memory) as cluster:
            for n in sizes:
                folder = a.root / f"district-{n}x{a.days}"
                s = _spark(cluster, folder, a.executor_memory)
                spark.append((rows_of[n], s["seconds"]))
                peaks = ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(s["peak_mb"].items()))
                print(f"spark   {n:>9,} students {rows_of[n]:>13,} rows: {s['seconds']:7.1f} s "
                      f"in the job ({rows_of[n] / s['seconds']:,.0f} rows/s), "
                      f"{s['submit_wall']:.1f} s with spark-submit; peaks: {peaks}")
    for name, pts in (("duckdb", duck), ("spark", spark)):
        sl = _slope(pts)
        if sl is not None:
            print(f"log-log slope of time against rows, {name}: {sl:.2f}")


if __name__ == "__main__":
    main()
