"""Engagement backends are a typing.Protocol: the pipeline takes any object with the members of
:class:`equitable.engagement._backend.Backend`, and the Spark settings are named parameters."""

from __future__ import annotations

import pytest

from equitable.engagement import compute_engagement
from equitable.engagement._backend import Backend, DuckDBBackend, open_backend
from equitable.errors import EquitableError


class CountingBackend:
    """A backend that is no subclass of anything: it wraps DuckDB and counts the tables."""

    def __init__(self) -> None:
        self._inner = DuckDBBackend()
        self.name = "duckdb"
        self.con = self._inner.con
        self.registered = 0

    def register(self, stem, table):
        self.registered += 1
        return self._inner.register(stem, table)

    def read_parquet(self, stem, path):
        return self._inner.read_parquet(stem, path)

    def materialize(self, stem, expr):
        return self._inner.materialize(stem, expr)

    def fetch(self, uri):
        return self._inner.fetch(uri)

    def close(self):
        self._inner.close()


def test_any_object_with_the_members_is_a_backend(district):
    d = district(n_days=20)
    d.add("s1", "U" * 4 + "P" * 16)  # 4 of 20 days absent: 20%, chronically absent
    d.add("s2", "P" * 20)
    be = CountingBackend()
    assert isinstance(be, Backend)
    result = compute_engagement(d.write(), backend=be)
    by_id = {r.student_id: r for r in result.students.itertuples(index=False)}
    assert (by_id["s1"].days_absent, by_id["s2"].days_absent) == (4, 0)
    assert be.registered >= 2  # students and calendar at the least went through it
    be.close()


def test_spark_settings_are_for_spark_only():
    with pytest.raises(EquitableError, match="Spark settings .* not 'duckdb'"):
        open_backend("duckdb", master="local[1]")
    with pytest.raises(EquitableError, match="must be 'duckdb' or 'spark'. Got 'sqlite'"):
        open_backend("sqlite")
