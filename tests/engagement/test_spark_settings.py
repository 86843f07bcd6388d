"""Spark settings, session choice and Parquet folders, checked without starting Spark."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from equitable.engagement import compute_engagement, run_engagement
from equitable.engagement._backend import (
    _submitted_master,
    parse_spark_conf,
    redact_conf,
    redact_url,
)
from equitable.errors import InputError


def test_spark_conf_from_file_and_items(tmp_path):
    f = tmp_path / "spark-defaults.conf"
    f.write_text("# cluster settings\n\nspark.executor.memory   4g\n"
                 "spark.sql.shuffle.partitions=400\n")
    conf = parse_spark_conf(["spark.sql.shuffle.partitions=8", "spark.a=b=c"], f)
    # The command line wins over the file; a value may hold '='.
    assert conf == {"spark.executor.memory": "4g", "spark.sql.shuffle.partitions": "8",
                    "spark.a": "b=c"}


def test_spark_conf_bad_line_names_the_row(tmp_path):
    f = tmp_path / "s.conf"
    f.write_text("spark.executor.memory 4g\n# c\nspark.lonely\n")
    with pytest.raises(InputError, match=r"^s\.conf: row 3 is not 'key value'"):
        parse_spark_conf([], f)
    with pytest.raises(InputError, match="--spark-conf must be key=value"):
        parse_spark_conf(["spark.executor.memory"])


def test_secrets_are_redacted():
    conf = {"spark.hadoop.fs.s3a.secret.key": "S", "spark.hadoop.fs.s3a.access.key": "A",
            "spark.hadoop.fs.azure.sas.c.a.blob.core.windows.net": "T",
            "spark.executor.memory": "4g"}
    assert redact_conf(conf) == {
        "spark.executor.memory": "4g",
        "spark.hadoop.fs.azure.sas.c.a.blob.core.windows.net": "<redacted>",
        "spark.hadoop.fs.s3a.access.key": "<redacted>",
        "spark.hadoop.fs.s3a.secret.key": "<redacted>",
    }
    assert redact_url("sc://h:443/;use_ssl=true;token=abc;user_id=x") == \
        "sc://h:443/;use_ssl=true;token=<redacted>;user_id=x"


def test_master_set_by_spark_submit_or_defaults_is_not_overridden(tmp_path, monkeypatch):
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    monkeypatch.delenv("SPARK_HOME", raising=False)
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert _submitted_master() is False
    (tmp_path / "spark-defaults.conf").write_text("spark.executor.memory 1g\n")
    assert _submitted_master() is False
    (tmp_path / "spark-defaults.conf").write_text("# x\nspark.master  spark://h:7077\n")
    assert _submitted_master() is True
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "40000")  # what spark-submit's launcher sets
    assert _submitted_master() is True


def _split_attendance(folder, layout):
    """Move attendance.csv into Parquet files under attendance/ (``layout``: list of
    (relative file, list of data line indices))."""
    lines = (folder / "attendance.csv").read_text().splitlines()
    header, data = lines[0].split(","), [line.split(",") for line in lines[1:]]
    for rel, idx in layout:
        p = folder / "attendance" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        cols = {h: [data[i][k] for i in idx] for k, h in enumerate(header)}
        if "school_id=" in rel:
            del cols["school_id"]
        pq.write_table(pa.table(cols), p)
    (folder / "attendance.csv").unlink()


def test_parquet_folder_row_numbers_follow_path_order(district):
    d = district(n_days=5)
    d.add("S1", "PPPPP").add("S2", "PPEPP")
    d.attendance[8] = d.attendance[8].replace("present", "late")  # S2's 4th day: record 9
    folder = d.write()
    # Files sorted by path: a.parquet holds lines 1-4, b/c.parquet lines 5-10.
    _split_attendance(folder, [("b/c.parquet", range(4, 10)), ("a.parquet", range(4))])
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    # The bad record is the 5th of b/c.parquet: 4 records of a.parquet + 5 = row 9.
    assert "attendance: 1 row with an unknown status" in str(exc.value)
    assert "(row 9)" in str(exc.value)


def test_hive_partitioned_folder_by_uri_gives_the_csv_results(district, tmp_path):
    d = district(n_days=5)
    d.add("S1", "PPEEP").add("S2", "PPPPP", school="01611190000001")
    folder = d.write()
    ref = run_engagement(folder, tmp_path / "ref")
    first = [i for i, a in enumerate(d.attendance) if ",01611190000001," in a]
    other = [i for i in range(len(d.attendance)) if i not in first]
    _split_attendance(folder, [("school_id=01611190000001/part-0.parquet", first),
                               ("school_id=19647330000001/part-0.parquet", other)])
    got = run_engagement(folder.as_uri(), tmp_path / "out")
    # The CDS code with a leading zero, taken from the folder name, stays text.
    assert got.students.to_csv(index=False) == ref.students.to_csv(index=False)
    assert list(got.students["school_id"]) == ["01611190000001", "19647330000001"]
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["extra"]["inputs_not_hashed"] == {"attendance": "attendance/"}
    assert sorted(run["inputs"]) == ["calendar", "students"]


def test_spark_options_need_the_spark_backend(district, tmp_path, capsys):
    from equitable.cli import main

    folder = district(n_days=3).add("S1", "PPP").write()
    with pytest.raises(SystemExit) as exc:
        main(["engagement", str(folder), "-o", str(tmp_path / "o"),
              "--spark-conf", "spark.executor.memory=4g"])
    assert exc.value.code == 1
    assert capsys.readouterr().err.strip() == (
        "Error: --spark-master, --spark-remote and --spark-conf need --backend spark")
    assert not (tmp_path / "o").exists()
