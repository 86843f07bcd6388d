"""The engagement pipeline submitted to a real Spark standalone cluster (master + 2 workers).

The cluster runs from the PySpark installation on this machine (fixture ``spark_cluster``); the
job is started with ``spark-submit --master spark://...`` exactly as a district data engineer
would on EMR or an on-premises cluster, and its outputs must be byte-identical to DuckDB's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pytest

from equitable.cli import main as cli_main
from equitable.engagement._synth import synth_district

pytestmark = pytest.mark.spark

OUTPUTS = ("student_engagement.csv", "school_summary.csv", "outreach_queue.csv",
           "outreach_fairness.csv")


def _cli(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli_main(args)
    assert exc.value.code in (0, None)


def _partitioned_copy(src: Path, dst: Path) -> Path:
    """The synthetic folder with attendance as Parquet files partitioned by school
    (``attendance/school_id=.../part-0.parquet``), students and calendar as they are."""
    dst.mkdir()
    for name in ("students.csv", "calendar.csv", "activity.csv"):
        if (src / name).is_file():
            (dst / name).write_bytes((src / name).read_bytes())
    att = pacsv.read_csv(src / "attendance.csv", convert_options=pacsv.ConvertOptions(
        column_types={c: "string" for c in ("student_id", "school_id", "date", "status")}))
    ds.write_dataset(att, dst / "attendance", format="parquet", partitioning=["school_id"],
                     partitioning_flavor="hive", basename_template="part-{i}.parquet",
                     max_rows_per_file=20_000, max_rows_per_group=20_000)
    return dst


def test_spark_submit_to_standalone_cluster_matches_duckdb(tmp_path, data_dir, spark_cluster):
    syn = synth_district(tmp_path / "d", 3_000, 32, seed=22, data_dir=data_dir)
    folder = _partitioned_copy(syn.folder, tmp_path / "part")
    n_files = len(list((folder / "attendance").rglob("*.parquet")))
    assert n_files >= 4  # several schools, and schools split over files

    # DuckDB, in process, on the original CSV files.
    _cli(["engagement", str(syn.folder), "-o", str(tmp_path / "duck")])
    # DuckDB on the partitioned folder (row numbers differ, outputs must not).
    _cli(["engagement", str(folder), "-o", str(tmp_path / "duck_part")])

    script = tmp_path / "job.py"
    script.write_text("import sys\nfrom equitable.cli import main\nmain(sys.argv[1:])\n")
    cmd = [
        str(spark_cluster.home / "bin" / "spark-submit"), "--master", spark_cluster.url,
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.executor.cores=1",
        "--conf", "spark.executor.memory=512m", "--conf", "spark.cores.max=2",
        "--driver-memory", "1g", str(script),
        "engagement", folder.as_uri(), "-o", str(tmp_path / "spark"), "--backend", "spark",
        "--spark-conf", "spark.sql.shuffle.partitions=4",
        "--spark-conf", "spark.hadoop.fs.s3a.secret.key=NOT-A-REAL-SECRET",
    ]
    r = subprocess.run(cmd, check=False, env=spark_cluster.env, capture_output=True, text=True,
                       timeout=900, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-4000:]
    assert "3,000 students" in r.stdout
    # The terminal says where it ran and what was set on the session (spark-submit passes the
    # Python driver's standard error on its standard output).
    assert f"spark-submit session on {spark_cluster.url}; set on it: " \
        "spark.sql.ansi.enabled=false" in r.stdout

    for name in OUTPUTS:
        duck = (tmp_path / "duck" / name).read_bytes()
        assert (tmp_path / "duck_part" / name).read_bytes() == duck, name
        assert (tmp_path / "spark" / name).read_bytes() == duck, name

    run = json.loads((tmp_path / "spark" / "run.json").read_text())
    spark = run["extra"]["spark"]
    # The session spark-submit made, on the cluster's master (not a local[2] of its own).
    assert spark["mode"] == "spark-submit"
    assert spark["master"] == spark_cluster.url
    assert spark["set_by_equitable"]["spark.sql.ansi.enabled"] == "false"
    assert run["spec"]["spark"]["conf"] == {
        "spark.hadoop.fs.s3a.secret.key": "<redacted>", "spark.sql.shuffle.partitions": "4"}
    assert "NOT-A-REAL-SECRET" not in (tmp_path / "spark" / "run.json").read_text()
    assert run["extra"]["inputs_not_hashed"] == {"attendance": "attendance/"}
    # file:// is local: its files are hashed like a path's; the folder of Parquet files is named.
    assert set(run["inputs"]) == {"students", "calendar", "activity"}
    duck_run = json.loads((tmp_path / "duck" / "run.json").read_text())
    assert run["inputs"]["students"] == duck_run["inputs"]["students"]
    # Each worker ran one executor of this application (its folder app-*/<executor id>/).
    executors = [p for wd in spark_cluster.work_dirs for p in wd.glob("app-*/*") if p.is_dir()]
    assert len(executors) == 2, executors
    assert len({p.parent.parent for p in executors}) == 2  # one per worker


@pytest.fixture(scope="module")
def spark_connect(spark_cluster):
    """A Spark Connect server submitted to the standalone cluster, on 127.0.0.1 only."""
    pytest.importorskip("grpc", reason="the Spark Connect client needs pyspark[connect] "
                        "(grpcio, grpcio-status, googleapis-common-protos)")
    jars = list((spark_cluster.home / "jars").glob("spark-connect_*.jar"))
    if not jars:
        pytest.skip("this PySpark installation does not ship the Spark Connect server "
                    "(jars/spark-connect_*.jar)")
    from tests.engagement.conftest import _free_port, _wait_for

    port = _free_port()
    log = spark_cluster.base / "connect.log"
    fh = open(log, "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen([
        str(spark_cluster.home / "bin" / "spark-submit"), "--master", spark_cluster.url,
        "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=512m",
        "--conf", "spark.cores.max=2", "--driver-memory", "1g", "spark-internal",
        # The launcher sizes this server's JVM as a daemon's (SPARK_DAEMON_MEMORY), not by
        # --driver-memory: the cluster's 256m is below Spark's 450 MB minimum.
    ], env={**spark_cluster.env, "SPARK_DAEMON_MEMORY": "1g"}, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        cwd=spark_cluster.base)
    try:
        _wait_for(log, "Spark Connect server started", 1, proc)
        yield f"sc://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        fh.close()


def test_spark_connect_matches_duckdb(tmp_path, data_dir, spark_connect):
    syn = synth_district(tmp_path / "d", 1_500, 32, seed=23, data_dir=data_dir)
    _cli(["engagement", str(syn.folder), "-o", str(tmp_path / "duck")])
    # The client holds no JVM: every expression runs on the Connect server's cluster. It runs in
    # a process of its own, as a user's would: PySpark refuses a remote session in a process
    # where an earlier test left a regular (local) session running.
    proc = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom equitable.cli import main\nmain(sys.argv[1:])",
         "engagement", str(syn.folder), "-o", str(tmp_path / "connect"), "--backend", "spark",
         "--spark-remote", spark_connect, "--spark-conf", "spark.sql.shuffle.partitions=4"],
        capture_output=True, text=True, timeout=900,
        env={k: v for k, v in os.environ.items() if k != "SPARK_REMOTE"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in OUTPUTS:
        assert (tmp_path / "connect" / name).read_bytes() == \
            (tmp_path / "duck" / name).read_bytes(), name
    run = json.loads((tmp_path / "connect" / "run.json").read_text())
    assert run["extra"]["spark"]["mode"] == "connect"
    assert run["spec"]["spark"] == {"remote": spark_connect,
                                    "conf": {"spark.sql.shuffle.partitions": "4"}}
