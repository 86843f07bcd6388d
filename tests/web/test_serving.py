"""Issue 21.8: what a serving process sets up so that "My day" keeps its p95 with 50 staff
(the figures are measured by benchmarks/bench_my_day.py, not here): the handlers' thread pool
sized by ``EQUITABLE_REQUEST_THREADS``, the garbage collector tuned by ``prepare_to_serve``, and
one lock per SQLite file for the writers of a process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from equitable.errors import SpecError
from equitable.outreach import make_engine, migrate
from equitable.outreach._db import _write_lock, write_connection, write_session
from equitable.web import create_app, load_settings
from equitable.web._app import SERVING_GC_THRESHOLD


def _app_with_probe(tmp_path, **settings):
    app = create_app(load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'web.db'}",
                                   **settings))

    @app.get("/_probe/threads")
    async def threads() -> dict:
        return {"tokens": anyio.to_thread.current_default_thread_limiter().total_tokens}

    return app


@pytest.mark.parametrize(("given", "expected"), [({}, 2), ({"request_threads": 5}, 5)])
def test_the_handlers_thread_pool_has_request_threads_threads(tmp_path, given, expected):
    app = _app_with_probe(tmp_path, **given)
    with TestClient(app) as c:  # the lifespan runs, as under uvicorn
        assert c.get("/_probe/threads").json() == {"tokens": expected}  # AnyIO's default: 40
    app.state.engine.dispose()


def test_request_threads_from_the_environment_and_refused_when_impossible(monkeypatch):
    monkeypatch.setenv("EQUITABLE_REQUEST_THREADS", "3")
    assert load_settings(dev=True).request_threads == 3
    monkeypatch.setenv("EQUITABLE_REQUEST_THREADS", "0")
    with pytest.raises(SpecError, match="request_threads"):
        load_settings(dev=True)


def test_a_serving_worker_process_freezes_its_objects_and_raises_the_gc_threshold(tmp_path):
    # the entry point of `equitable serve --workers N`'s processes, imported as uvicorn does
    env = {**os.environ, "EQUITABLE_SESSION_SECRET": "s" * 40,
           "EQUITABLE_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    migrate(make_engine(env["EQUITABLE_DATABASE_URL"]))
    code = ("import gc, equitable.web._asgi; "
            "print(gc.get_threshold(), gc.get_freeze_count() > 100_000)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split("\n")[0]
    assert out == f"{SERVING_GC_THRESHOLD} True"
    # a library user's process keeps Python's defaults
    out = subprocess.run([sys.executable, "-c", "import gc, equitable.web; "
                          "equitable.web.create_app; print(gc.get_threshold(), "
                          "gc.get_freeze_count())"], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "(700, 10, 10) 0"


def test_one_write_lock_per_sqlite_file_and_none_for_memory_or_postgresql(tmp_path):
    a = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    a2 = make_engine(f"sqlite:///{tmp_path}/./a.db")
    b = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert _write_lock(a) is _write_lock(a2)
    assert _write_lock(a) is not _write_lock(b)
    assert not hasattr(_write_lock(make_engine("sqlite://")), "acquire")
    assert not hasattr(_write_lock(make_engine("postgresql+psycopg://u@h/d")), "acquire")


def test_a_second_writer_waits_on_the_process_lock_then_writes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    migrate(engine)
    from sqlalchemy import text

    inside, release, order = threading.Event(), threading.Event(), []

    def first():
        with write_connection(engine) as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            inside.set()
            release.wait(10)
            order.append("first commits")

    def second():
        inside.wait(10)
        with write_session(engine) as s:  # the ORM path takes the same lock
            order.append("second writes")
            s.execute(text("INSERT INTO t VALUES (1)"))

    t1, t2 = threading.Thread(target=first), threading.Thread(target=second)
    t1.start(), t2.start()
    inside.wait(10)
    t2.join(0.3)
    assert t2.is_alive() and order == []  # waiting for the lock, not failing
    release.set()
    t1.join(10), t2.join(10)
    assert order == ["first commits", "second writes"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t")).scalar_one() == 1
    engine.dispose()
