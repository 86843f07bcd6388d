"""Fixtures for the engagement tests: a tiny-district builder and one shared Spark session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

SCHOOL = "19647330000001"
SCHOOL2 = "19647330000002"
CODES = {
    "P": "present", "E": "absent_excused", "U": "absent_unexcused", "O": "suspended_out",
    "I": "suspended_in", "D": "distance_present", "X": "distance_absent",
}
STUDENT_HEADER = (
    "student_id,school_id,grade,enroll_date,exit_date,english_learner,low_income,foster,"
    "homeless,disability,race_ethnicity,home_language"
)


def weekdays(start: dt.date, n: int) -> list[dt.date]:
    """The first ``n`` weekdays from ``start``."""
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


class District:
    """Write a small input folder: one calendar, students given as day-code strings.

    ``add(sid, codes, first=0, ...)``: the student enrolls on instructional day ``first`` and
    exits after ``len(codes)`` days (``exit=False`` leaves exit_date empty, i.e. still enrolled
    when the codes reach the last calendar day). Codes: P present, E excused, U unexcused,
    O suspended out, I suspended in, D distance present, X distance absent, '.' no row.
    """

    def __init__(self, folder: Path, n_days: int = 45, start: dt.date = dt.date(2021, 1, 4),
                 holidays: tuple[dt.date, ...] = ()):
        self.folder = folder
        self.start = start
        self.holidays = set(holidays)
        all_days = weekdays(start, n_days + len(holidays))
        self.days = [d for d in all_days if d not in self.holidays]
        self.calendar_span = (start, all_days[-1])
        self.students: list[str] = []
        self.attendance: list[str] = []
        self.activity: list[str] = []
        self.schools = {SCHOOL}

    def add(self, sid, codes, first=0, school=SCHOOL, exit=None, grade="3", foster="N",
            homeless="N", race="RH", el="N", sed="Y", swd="N", absences_only=False):
        self.schools.add(school)
        last = first + len(codes) - 1
        if exit is None:
            exit = last < len(self.days) - 1
        exit_date = self.days[last].isoformat() if exit else ""
        self.students.append(
            f"{sid},{school},{grade},{self.days[first].isoformat()},{exit_date},{el},{sed},"
            f"{foster},{homeless},{swd},{race},en"
        )
        for i, c in enumerate(codes):
            if c == ".":
                continue
            if absences_only and CODES[c] in ("present", "suspended_in", "distance_present"):
                continue
            self.attendance.append(f"{sid},{school},{self.days[first + i].isoformat()},{CODES[c]}")
        return self

    def act(self, sid, day_index, kind="login", time="10:00:00-08:00"):
        self.activity.append(f"{sid},{self.days[day_index].isoformat()}T{time},{kind}")
        return self

    def write(self, activity: bool | None = None) -> Path:
        f = self.folder
        f.mkdir(parents=True, exist_ok=True)
        (f / "students.csv").write_text(STUDENT_HEADER + "\n" + "\n".join(self.students) + "\n")
        rows = ["school_id,date,instructional"]
        for s in sorted(self.schools):
            d = self.calendar_span[0]
            while d <= self.calendar_span[1]:
                ins = "Y" if d.weekday() < 5 and d not in self.holidays else "N"
                rows.append(f"{s},{d.isoformat()},{ins}")
                d += dt.timedelta(days=1)
        (f / "calendar.csv").write_text("\n".join(rows) + "\n")
        (f / "attendance.csv").write_text(
            "student_id,school_id,date,status\n" + "\n".join(self.attendance) + "\n"
        )
        if activity or (activity is None and self.activity):
            (f / "activity.csv").write_text(
                "student_id,timestamp,kind\n" + "\n".join(self.activity) + "\n"
            )
        return f


@pytest.fixture
def district(tmp_path):
    """A builder for a small input folder (see :class:`District`)."""
    return lambda name="in", **kw: District(tmp_path / name, **kw)


@pytest.fixture(scope="session")
def spark_session():
    """One local[2] Spark session for every Spark test (it takes ~20 s to start)."""
    pytest.importorskip("pyspark")
    from equitable.engagement._backend import default_spark_session

    spark = default_spark_session()
    yield spark
    spark.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(log: Path, text: str, count: int, proc, timeout: float = 180.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.is_file() and log.read_text(errors="replace").count(text) >= count:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise RuntimeError(f"Spark standalone: {text!r} not seen in {log.name}:\n"
                       + (log.read_text(errors="replace")[-3000:] if log.is_file() else ""))


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    """A Spark standalone cluster started from the PySpark installation: one master and two
    workers (1 core and 768 MB each), every port on 127.0.0.1, stopped at the end.

    Yields a namespace: ``url`` (spark://127.0.0.1:PORT), ``home`` (SPARK_HOME), ``env`` (for
    spark-submit) and ``work_dirs`` (one per worker; executors write their logs there).
    """
    import os
    import subprocess
    import sys
    from types import SimpleNamespace

    pyspark = pytest.importorskip("pyspark")
    home = Path(pyspark.__file__).parent
    spark_class = str(home / "bin" / "spark-class")
    base = tmp_path_factory.mktemp("spark-cluster")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_DAEMON_MEMORY": "256m", "PYSPARK_PYTHON": sys.executable,
           "PYSPARK_DRIVER_PYTHON": sys.executable, "SPARK_CONF_DIR": str(base / "conf"),
           "SPARK_NO_DAEMONIZE": "1"}
    env.pop("SPARK_REMOTE", None)
    (base / "conf").mkdir()
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    procs = []

    def start(name: str, args: list[str]):
        log = base / f"{name}.log"
        fh = open(log, "wb")  # noqa: SIM115 - closed at teardown
        p = subprocess.Popen([spark_class, *args], env=env, stdout=fh, stderr=subprocess.STDOUT,
                             cwd=base, start_new_session=True)
        procs.append((p, fh))
        return p, log

    try:
        master, mlog = start("master", ["org.apache.spark.deploy.master.Master", "--host",
                                        "127.0.0.1", "--port", str(port), "--webui-port",
                                        str(_free_port())])
        _wait_for(mlog, "I have been elected leader", 1, master)
        work_dirs = []
        for i in (1, 2):
            wd = base / f"worker{i}"
            wd.mkdir()
            work_dirs.append(wd)
            start(f"worker{i}", ["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                                 "--cores", "1", "--memory", "768m", "--webui-port",
                                 str(_free_port()), "--work-dir", str(wd), url])
        _wait_for(mlog, "Registering worker", 2, master)
        yield SimpleNamespace(url=url, home=home, env=env, work_dirs=work_dirs, base=base)
    finally:
        for p, fh in reversed(procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            fh.close()
