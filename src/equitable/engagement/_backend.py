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
from typing import Any

import pyarrow as pa

from equitable.errors import EquitableError

__all__ = ["Backend", "open_backend"]

_counter = itertools.count()


class Backend:
    """A connection plus the few I/O operations the pipeline needs."""

    name: str

    def __init__(self, con: Any, name: str) -> None:
        self.con = con
        self.name = name

    def _fresh(self, stem: str) -> str:
        return f"eq_{stem}_{os.getpid()}_{next(_counter)}"

    def register(self, stem: str, table: pa.Table):
        """Put an Arrow table into the backend and return it as an Ibis table."""
        raise NotImplementedError

    def read_parquet(self, stem: str, path: Path):
        """Scan a Parquet file lazily, adding ``_row`` (1-based record number)."""
        raise NotImplementedError

    def materialize(self, stem: str, expr):
        """Compute ``expr`` once and keep the result in the backend (a table or a cache)."""
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - trivial
        pass


#: DuckDB's memory limit unless one is given: the work tables and joins stay under it and spill
#: to the private temporary folder beyond it (600,000 students x 180 days peak at about 3 GB
#: for the whole process with it; without it, about 3.8 GB).
DEFAULT_MEMORY_LIMIT = "1500MB"


class DuckDBBackend(Backend):
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

    def read_parquet(self, stem: str, path: Path):
        t = self.con.read_parquet(str(path), table_name=self._fresh(stem), file_row_number=True)
        return t.mutate(_row=t.file_row_number + 1).drop("file_row_number")

    def materialize(self, stem: str, expr):
        # A temporary table: held uncompressed in memory (DuckDB spills it to the temporary
        # directory under memory pressure), which skips the compression pass of a stored table.
        return self.con.create_table(self._fresh(stem), expr, temp=True)

    def close(self) -> None:
        self.con.disconnect()
        self._tmp.cleanup()


class SparkBackend(Backend):
    def __init__(self, session: Any | None = None) -> None:
        import ibis

        if session is None:
            session = default_spark_session()
        self.session = session
        super().__init__(ibis.pyspark.connect(session), "spark")

    def register(self, stem: str, table: pa.Table):
        name = self._fresh(stem)
        df = self.session.createDataFrame(table.to_pandas(types_mapper=None))
        df.createOrReplaceTempView(name)
        return self.con.table(name)

    def materialize(self, stem: str, expr):
        return expr.cache()

    def read_parquet(self, stem: str, path: Path):
        from pyspark.sql import functions as F

        name = self._fresh(stem)
        df = self.session.read.parquet(str(path))
        df = df.select("*", (F.col("_metadata.row_index") + 1).alias("_row"))
        df.createOrReplaceTempView(name)
        return self.con.table(name)


def default_spark_session():
    """A local Spark session suited to one machine (``local[2]``, no UI, ANSI casts off).

    Reuses the active session when there is one.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is in the lock file
        raise EquitableError(
            "--backend spark needs PySpark: pip install 'equitable[spark]'"
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    session = (
        SparkSession.builder.master("local[2]")
        .appName("equitable-engagement")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def open_backend(name: str, **kwargs: Any) -> Backend:
    """Open the backend called ``name`` (``"duckdb"`` or ``"spark"``).

    Raises
    ------
    EquitableError
        For any other name.
    """
    if name == "duckdb":
        return DuckDBBackend(**kwargs)
    if name == "spark":
        return SparkBackend(**kwargs)
    raise EquitableError(
        f"The 'backend' parameter of engagement must be 'duckdb' or 'spark'. Got {name!r} instead."
    )
