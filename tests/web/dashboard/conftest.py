"""Fixtures of the dashboard tests: a small results folder made by the real pipeline on
synthetic inputs (60 schools over a 6 x 6 grid of tracts), plus SVI-layout and crosswalk-layout
files in its data folder, and the app serving it (TestClient, or uvicorn on 127.0.0.1)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
import uvicorn
from fastapi.testclient import TestClient

from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_inputs
from equitable.web import create_app, load_settings
from equitable.web.dashboard import load_results

N_SCHOOLS = 60


@pytest.fixture(scope="session")
def results(tmp_path_factory) -> dict:
    """``{"out": results folder, "data": data folder, "schools": schools.csv as text columns}``."""
    base = tmp_path_factory.mktemp("dashboard")
    config = write_synthetic_inputs(base / "data", N_SCHOOLS, grid=6, n_unplaced=1)
    run(config, out_dir=base / "out", data_dir=base / "data")
    schools = pd.read_csv(base / "out" / "schools.csv", dtype={"cds_code": str, "geoid": str})
    ces = pd.read_csv(base / "data" / "ces.csv", dtype={"tract": str})
    geoids = sorted("0" + t for t in ces["tract"])
    # an SVI 2018 tract file (CDC layout, a few columns): RPL_THEMES = i / 100 for the i-th tract
    (base / "data" / "community").mkdir()
    svi = pd.DataFrame({"ST": "06", "STATE": "CALIFORNIA", "ST_ABBR": "CA", "STCNTY": "06037",
                        "COUNTY": "Los Angeles", "FIPS": geoids,
                        "LOCATION": [f"Census Tract {g[5:]}" for g in geoids],
                        "RPL_THEMES": [round(i / 100, 4) for i in range(len(geoids))],
                        "RPL_THEME1": 0.5, "RPL_THEME2": 0.25, "RPL_THEME3": -999,
                        "RPL_THEME4": 0.75})
    svi.to_csv(base / "data" / "community" / "svi2018_los_angeles_county_tracts.csv",
               index=False)
    # the crosswalk: Board District 1 for the first 10 schools by rank, 2 for the next 10
    (base / "data" / "lausd").mkdir()
    cw = pd.DataFrame({"ApplyCDSCode": schools["cds_code"][:20],
                       "ApplyBoardDistrict": ["1"] * 10 + ["2"] * 10,
                       "ApplySchool": schools["school_name"][:20]})
    cw.to_csv(base / "data" / "lausd" / "school_crosswalk_2018_19.csv", index=False)
    return {"out": base / "out", "data": base / "data", "schools": schools,
            "ces": ces, "svi": svi}


@pytest.fixture(scope="session")
def dashboard_data(results):
    return load_results(results["out"], data_folder=results["data"])


@pytest.fixture(scope="session")
def dash_app(dashboard_data, tmp_path_factory):
    db = tmp_path_factory.mktemp("dashdb") / "web.db"
    app = create_app(load_settings(dev=True, database_url=f"sqlite:///{db}"))
    app.state.dashboard_data = dashboard_data
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(dash_app):
    with TestClient(dash_app) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_url(dash_app):
    """The app under uvicorn in a thread on 127.0.0.1 and a free port."""
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(dash_app, host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield base
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from npm (package.json at the repo root; ``npm ci`` installs it)."""
    path = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        import os

        if os.environ.get("CI") or os.environ.get("EQUITABLE_REQUIRE_DATA"):
            pytest.fail(f"{path} is missing: run 'npm ci' at the repository root")
        pytest.skip(f"{path} is missing (run 'npm ci' at the repository root)")
    return str(path)
