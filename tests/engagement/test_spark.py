"""DuckDB and Spark run the same Ibis expressions and must give identical outputs."""

from __future__ import annotations

import pytest

from equitable.engagement import compute_engagement
from equitable.engagement._backend import SparkBackend
from equitable.engagement._synth import synth_district

pytestmark = pytest.mark.spark


def test_duckdb_and_spark_identical_on_10000_students(tmp_path, data_dir, spark_session):
    # 10,000 students (the size) over 32 days: enough for chronic eligibility (31+),
    # SB 98 weeks and the 10-day missing window, and a quarter fewer rows than 40 days.
    syn = synth_district(tmp_path / "d", 10_000, 32, seed=21, data_dir=data_dir)
    # Spark really executes the expressions: the backend is Ibis' PySpark backend.
    be = SparkBackend(spark_session)
    assert be.con.name == "pyspark"
    spark = compute_engagement(syn.folder, backend=be)
    duck = compute_engagement(syn.folder, backend="duckdb")
    assert len(duck.students) == 10_000
    assert duck.counts == spark.counts
    for name in ("students", "summary", "queue", "fairness"):
        a, b = getattr(duck, name), getattr(spark, name)
        assert a.to_csv(index=False) == b.to_csv(index=False), name
    # The data exercise every rule on both backends.
    raw = duck.raw
    assert raw["never_engaged"].sum() > 0 and raw["missing"].sum() > 0
    assert (raw["sb98_weeks_flagged"] > 0).sum() > 0
    assert raw["last_activity_date"].ne("").sum() > 0
    assert raw["chronically_absent"].eq(True).sum() > 0


def test_spark_reports_the_same_bad_rows(district, spark_session):
    d = district(n_days=10)
    d.add("SECRET01", "PPPPPPPPPP")
    d.attendance += ["SECRET01,19647330000001,2021-01-05,present",
                     "SECRET01,19647330000001,2021-01-06,late"]
    folder = d.write()
    from equitable.errors import InputError

    msgs = []
    for backend in ("duckdb", SparkBackend(spark_session)):
        with pytest.raises(InputError) as exc:
            compute_engagement(folder, backend=backend)
        msgs.append(str(exc.value))
    assert msgs[0] == msgs[1]
    assert "(row 13)" in msgs[0] and "(row 12)" in msgs[0]


def test_spark_matches_duckdb_with_one_and_two_period_students(district, spark_session):
    """The id table's one-period shortcut and the join for students with several periods give
    the same rows, counts and set-aside rows on Spark as on DuckDB (counts by hand)."""
    school, other = "19647330000001", "19647330000002"
    d = district(n_days=30)
    d.add("tr", "UUUPPPPPPPPPPPP", exit=True)  # school 1, days 0-14
    d.add("tr", "PPPPPPPPPPPPUUU", first=15, school=other)  # school 2, days 15-29
    d.add("one", "PPUUPPPPPP", first=5, exit=True)  # school 1, days 5-14 (lines 32-41)
    d.attendance += [
        f"one,{other},{d.days[6].isoformat()},present",  # line 42: not enrolled there
        f"one,{school},{d.days[20].isoformat()},absent_excused",  # line 43: after the exit
        f"one,{school},{d.days[7].isoformat()},absent_unexcused",  # line 44: day 7 again
    ]
    folder = d.write()
    duck = compute_engagement(folder, lenient=True)
    spark = compute_engagement(folder, backend=SparkBackend(spark_session), lenient=True)
    assert spark.students.equals(duck.students)
    assert [i.as_dict() for i in spark.dropped] == [i.as_dict() for i in duck.dropped]
    got = {(r.student_id, r.school_id, r.days_enrolled, r.days_absent, r.longest_absence_streak)
           for r in spark.raw.itertuples()}
    assert got == {("tr", school, 15, 3, 3), ("tr", other, 15, 3, 3), ("one", school, 10, 2, 2)}
