"""Ibis backends for the engagement pipeline: DuckDB (default, in process) and PySpark.

The computation in :mod:`equitable.engagement._rules` is one set of Ibis expressions; this module
only knows how to open a connection and how to put a table into it. Every table registered here
carries ``_row``: the 1-based line number of the record in its file (CSV: header = line 1, so the
first data row is 2; Parquet: the record's 1-based position in the file).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

from equitable.errors import EquitableError

__all__ = ["Backend", "DuckDBBackend", "SparkBackend", "open_backend"]

_counter = itertools.count()


@runtime_checkable
class Backend(Protocol):
    """What the engagement pipeline needs of an engine: an Ibis connection (``con``), its
    ``name`` (``"duckdb"``, ``"spark"``) and four I/O operations. :class:`DuckDBBackend` and
    :class:`SparkBackend` are the two the tool ships; any object with these members works."""

    name: str
    con: Any

    def register(self, stem: str, table: pa.Table) -> Any:
        """Put an Arrow table into the backend and return it as an Ibis table."""
        ...

    def read_parquet(self, stem: str, path: str | Path) -> Any:
        """Scan a Parquet file (or folder) lazily as an Ibis table, adding ``_row`` (1-based
        record number)."""
        ...

    def materialize(self, stem: str, expr: Any) -> Any:
        """Compute the Ibis expression ``expr`` once and keep the result in the backend (a
        table or a cache); return it as an Ibis table."""
        ...

    def fetch(self, uri: str) -> bytes | None:
        """The bytes of one small file at ``uri`` read by the engine (so any file system the
        engine is set up for works), or None when there is no such file."""
        ...

    def close(self) -> None:
        """Release the connection and its temporary files."""
        ...


class _BackendBase:
    """The part :class:`DuckDBBackend` and :class:`SparkBackend` share: the connection, fresh
    table names, and a ``close`` that does nothing."""

    name: str

    def __init__(self, con: Any, name: str) -> None:
        self.con = con
        self.name = name

    def _fresh(self, stem: str) -> str:
        return f"eq_{stem}_{os.getpid()}_{next(_counter)}"

    def close(self) -> None:  # pragma: no cover - trivial
        pass


#: DuckDB's memory limit unless one is given: the work tables and joins stay under it and spill
#: to the private temporary folder beyond it (600,000 students x 180 days peak at about 3 GB
#: for the whole process with it; without it, about 3.8 GB).
DEFAULT_MEMORY_LIMIT = "1500MB"


class DuckDBBackend(_BackendBase):
    """DuckDB through Ibis, in process, on a database file in a private temporary folder."""

    def __init__(self, threads: int | None = None,
                 memory_limit: str | None = DEFAULT_MEMORY_LIMIT) -> None:
        import ibis

        kwargs: dict[str, Any] = {}
        if threads:
            kwargs["threads"] = threads
        if memory_limit:
            kwargs["memory_limit"] = memory_limit
        import tempfile

        # A database file in a private temporary folder, with its own spill folder: the work
        # tables (temporary, uncompressed in memory) move there when memory runs short.
        self._tmp = tempfile.TemporaryDirectory(prefix="equitable-engagement-")
        super().__init__(
            ibis.duckdb.connect(database=f"{self._tmp.name}/work.duckdb", **kwargs), "duckdb"
        )
        self.con.raw_sql("SET enable_progress_bar = false")
        self.con.raw_sql(f"SET temp_directory = '{self._tmp.name}/spill'")

    def register(self, stem: str, table: pa.Table):
        return self.con.create_table(self._fresh(stem), table, temp=True)

    def read_parquet(self, stem: str, path: str | Path):
        """One Parquet file, or a folder of them (``**/*.parquet``, hive-partitioned or not;
        partition values stay text). ``_row`` is the record's 1-based position when the files
        are taken in path order (one file: its record number). A URI (``s3://``, ``gs://``,
        ``https://``...) is read through DuckDB's httpfs extension."""
        src = str(path)
        single = not _is_folder(path)
        if not single:
            src = src.rstrip("/") + "/**/*.parquet"
        t = self.con.read_parquet(src, table_name=self._fresh(stem), file_row_number=True,
                                  filename=not single, hive_partitioning=not single,
                                  hive_types_autocast=False)
        if single:
            return t.mutate(_row=t.file_row_number + 1).drop("file_row_number")
        per_file = t.group_by("filename").agg(_n=t.count())
        offsets = per_file.select(
            _f=per_file.filename,
            _off=per_file._n.cumsum(order_by=per_file.filename) - per_file._n)
        j = t.join(offsets, t.filename == offsets._f)
        return j.mutate(_row=j._off + j.file_row_number + 1).drop(
            "file_row_number", "filename", "_f", "_off")

    def materialize(self, stem: str, expr):
        # A temporary table: held uncompressed in memory (DuckDB spills it to the temporary
        # directory under memory pressure), which skips the compression pass of a stored table.
        return self.con.create_table(self._fresh(stem), expr, temp=True)

    def fetch(self, uri: str) -> bytes | None:
        try:
            rows = self.con.raw_sql("SELECT content FROM read_blob(?)", parameters=[uri]).fetchall()
        except Exception as exc:  # noqa: BLE001 - duckdb raises several types; re-raised
            if "No files found" in str(exc) or "does not exist" in str(exc):
                return None
            raise EquitableError(f"{uri}: DuckDB cannot read it ({str(exc).splitlines()[0]})"
                                 ) from None
        return bytes(rows[0][0]) if rows else None

    def close(self) -> None:
        self.con.disconnect()
        self._tmp.cleanup()


class SparkBackend(_BackendBase):
    """Ibis' PySpark backend on the session it is given (see :func:`spark_session`)."""

    def __init__(self, session: Any | None = None, *, master: str | None = None,
                 remote: str | None = None, conf: dict[str, str] | None = None) -> None:
        import ibis

        if session is None:
            session, self.settings = spark_session(master=master, remote=remote, conf=conf)
        else:
            self.settings = {"mode": "given", **_apply_required(session)}
        self.session = session
        super().__init__(ibis.pyspark.connect(session), "spark")

    def register(self, stem: str, table: pa.Table):
        name = self._fresh(stem)
        df = self.session.createDataFrame(table.to_pandas(types_mapper=None))
        df.createOrReplaceTempView(name)
        return self.con.table(name)

    def materialize(self, stem: str, expr):
        return expr.cache()

    def fetch(self, uri: str) -> bytes | None:
        try:
            rows = self.session.read.format("binaryFile").load(uri).select("content").collect()
        except Exception as exc:  # noqa: BLE001 - py4j and Connect errors differ; re-raised
            if "PATH_NOT_FOUND" in str(exc) or "does not exist" in str(exc):
                return None
            raise EquitableError(f"{uri}: Spark cannot read it ({str(exc).splitlines()[0]})"
                                 ) from None
        return bytes(rows[0][0]) if rows else None

    def read_parquet(self, stem: str, path: str | Path):
        """One Parquet file, or a folder of them (hive-partitioned or not), read by Spark.

        ``_row`` is the record's 1-based position when the files are taken in path order: the
        per-file counts (one row per file) are the only thing the driver sees.
        """
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        name = self._fresh(stem)
        df = self.session.read.parquet(_uri(path))
        df = df.select("*", F.col("_metadata.file_path").alias("_file"),
                       F.col("_metadata.row_index").alias("_idx"))
        per_file = df.groupBy("_file").agg(F.count(F.lit(1)).alias("_n"))
        w = Window.orderBy("_file").rowsBetween(Window.unboundedPreceding, -1)
        offsets = per_file.select("_file", F.coalesce(F.sum("_n").over(w), F.lit(0))
                                  .alias("_off"))
        df = df.join(F.broadcast(offsets), "_file").select(
            *[c for c in df.columns if c not in ("_file", "_idx")],
            (F.col("_off") + F.col("_idx") + 1).alias("_row"))
        df.createOrReplaceTempView(name)
        return self.con.table(name)


#: Settings the pipeline's expressions rely on, set on every session it uses (runtime SQL
#: settings, so they can be changed on an active, submitted or Connect session): text that is not
#: a number becomes null (the checks count it) instead of failing the job; timestamps are read
#: in UTC; partition values (a 14-digit CDS code in ``school_id=...``) stay text.
REQUIRED_SQL_CONF = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
}

#: Defaults of the session started when none is given (``local[*]`` on this machine).
LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "2g",
}

#: Setting names whose values are never written to run.json or a message.
_SECRET = ("secret", "password", "passwd", "token", "credential", "access.key", "accesskey",
           "sas", "auth", "private")


def redact_conf(conf: dict[str, str]) -> dict[str, str]:
    """``conf`` with the value of every secret-looking key (``...secret.key``, ``...password``,
    ``...token``, SAS keys, ...) replaced by ``"<redacted>"``; sorted by key."""
    return {k: ("<redacted>" if any(w in k.lower() for w in _SECRET) else v)
            for k, v in sorted(conf.items())}


def redact_url(url: str) -> str:
    """A Spark Connect URL without its ``;token=...`` (or any secret) parameter."""
    head, *params = url.split(";")
    kept = [p if not any(w in p.split("=", 1)[0].lower() for w in _SECRET)
            else p.split("=", 1)[0] + "=<redacted>" for p in params]
    return ";".join([head, *kept])


def parse_spark_conf(items: list[str] | tuple[str, ...] = (),
                     file: str | Path | None = None) -> dict[str, str]:
    """Spark settings from ``key=value`` items and a properties file.

    The file has the layout of Spark's ``spark-defaults.conf``: one ``key value`` (or
    ``key=value``) per line, ``#`` comments and blank lines ignored. Items given on the
    command line win over the file.

    Raises
    ------
    InputError
        An item without ``=``, a file line without a value, or a missing file (naming the file
        and its line).
    """
    from equitable.errors import InputError

    conf: dict[str, str] = {}
    if file is not None:
        path = Path(file)
        if not path.is_file():
            raise InputError(f"{path}: Spark settings file not found")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            parts = text.split("=", 1) if "=" in text.split()[0] else text.split(None, 1)
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                raise InputError(f"{path.name}: row {n} is not 'key value' (a Spark setting)")
            conf[parts[0].strip()] = parts[1].strip()
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f"--spark-conf must be key=value. Got {item.split('=')[0][:60]!r} instead.")
        conf[key.strip()] = value.strip()
    return conf


def _is_folder(path: str | Path) -> bool:
    """A local folder, or a URI that does not end in ``.parquet`` (a dataset folder)."""
    if isinstance(path, str) and "://" in path:
        return not path.rstrip("/").endswith(".parquet") or path.endswith("/")
    return Path(path).is_dir()


def _uri(path: str | Path) -> str:
    """What Spark is given: a URI as is, a local path as an absolute ``file://`` URI (what the
    driver checked), so that a cluster whose default file system is HDFS reads the same file."""
    if isinstance(path, str) and "://" in path:
        return path
    return Path(path).resolve().as_uri()


def _apply_required(session: Any) -> dict[str, Any]:
    """Set :data:`REQUIRED_SQL_CONF` on ``session``; return what run.json records about it."""
    for k, v in REQUIRED_SQL_CONF.items():
        session.conf.set(k, v)
    info: dict[str, Any] = {"spark_version": session.version,
                            "set_by_equitable": dict(sorted(REQUIRED_SQL_CONF.items()))}
    try:
        info["master"] = session.sparkContext.master
    except Exception:  # noqa: BLE001 - Spark Connect: no SparkContext on the client
        info["master"] = None
    return info


def spark_session(master: str | None = None, remote: str | None = None,
                  conf: dict[str, str] | None = None) -> tuple[Any, dict[str, Any]]:
    """The Spark session to run on, and what run.json records about it.

    In this order: Spark Connect when ``remote`` (or ``SPARK_REMOTE``) gives a ``sc://`` URL;
    else the active session (a notebook's, a Databricks job's); else a session on ``master``;
    else the master ``spark-submit`` (or ``spark-defaults.conf``) set; else ``local[*]`` with
    :data:`LOCAL_DEFAULTS`. ``conf`` is applied to a new session's builder; on an existing
    session only runtime (SQL) settings can change, and a static one is an error.

    Raises
    ------
    EquitableError
        PySpark is not installed, ``master`` differs from the active session's master, or a
        setting cannot be changed on the running session.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is in the lock file
        raise EquitableError(
            "--backend spark needs PySpark: pip install 'equitable[spark]'"
        ) from exc
    conf = dict(conf or {})
    remote = remote or os.environ.get("SPARK_REMOTE") or None
    if remote:
        builder = SparkSession.builder.remote(remote).appName("equitable-engagement")
        for k, v in conf.items():
            builder = builder.config(k, v)
        try:
            session = builder.getOrCreate()
        except ImportError as exc:
            raise EquitableError(
                f"--spark-remote needs the Spark Connect client: pip install "
                f"'pyspark[connect]=={_pyspark_version()}' ({exc})") from None
        mode, shown = "connect", redact_url(remote)
    else:
        active = SparkSession.getActiveSession()
        if active is not None:
            session = active
            if master and session.sparkContext.master != master:
                raise EquitableError(
                    f"--spark-master {master} was given but a Spark session on "
                    f"{session.sparkContext.master} is already running in this process")
            for k, v in conf.items():
                try:
                    session.conf.set(k, v)
                except Exception:  # noqa: BLE001 - re-raised with the key
                    raise EquitableError(
                        f"Spark setting {k} cannot be changed on the running session; pass it "
                        "when the session starts (spark-submit --conf)") from None
            mode = "active"
        else:
            builder = SparkSession.builder.appName("equitable-engagement")
            if master:
                mode = "master"
                builder = builder.master(master)
            elif _submitted_master():
                mode = "spark-submit"
            else:
                mode = "local"
                builder = builder.master("local[*]")
                for k, v in LOCAL_DEFAULTS.items():
                    if k not in conf:
                        builder = builder.config(k, v)
            for k, v in conf.items():
                builder = builder.config(k, v)
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")
        shown = None
    info = {"mode": mode, **_apply_required(session), "conf": redact_conf(conf)}
    if shown:
        info["remote"] = shown
    return session, info


def _pyspark_version() -> str:
    import pyspark

    return pyspark.__version__


def _submitted_master() -> bool:
    """Whether a master is already chosen outside this call: ``spark-submit`` started this
    Python (its launcher passes the JVM gateway in ``PYSPARK_GATEWAY_PORT``, and the JVM holds
    ``--master``), or ``spark-defaults.conf`` (in ``SPARK_CONF_DIR`` or ``SPARK_HOME/conf``)
    sets ``spark.master``. Starts no JVM."""
    if os.environ.get("PYSPARK_GATEWAY_PORT"):
        return True
    conf_dir = os.environ.get("SPARK_CONF_DIR") or (
        os.path.join(os.environ["SPARK_HOME"], "conf") if os.environ.get("SPARK_HOME") else None)
    if conf_dir:
        defaults = Path(conf_dir) / "spark-defaults.conf"
        if defaults.is_file():
            for line in defaults.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.split("=", 1)[0].split(None, 1)[:1] == ["spark.master"]:
                    return True
    return False


def default_spark_session():
    """The session :func:`spark_session` picks with nothing given (kept for callers)."""
    return spark_session()[0]


def open_backend(name: str, *, master: str | None = None, remote: str | None = None,
                 conf: dict[str, str] | None = None) -> Backend:
    """Open the backend called ``name``: ``"duckdb"`` (:class:`DuckDBBackend` with its
    defaults) or ``"spark"`` (:class:`SparkBackend` on the session :func:`spark_session` makes
    from ``master``, ``remote`` and ``conf``; those three are for Spark only).

    Raises
    ------
    EquitableError
        For any other name, or Spark settings given for DuckDB.
    """
    if name == "duckdb":
        if master or remote or conf:
            raise EquitableError("Spark settings (master, remote, conf) are for the 'spark' "
                                 "backend of engagement, not 'duckdb'")
        return DuckDBBackend()
    if name == "spark":
        return SparkBackend(master=master, remote=remote, conf=conf)
    raise EquitableError(
        f"The 'backend' parameter of engagement must be 'duckdb' or 'spark'. Got {name!r} instead."
    )
