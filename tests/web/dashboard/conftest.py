"""Fixtures of the dashboard tests: a small results folder made by the real pipeline on
synthetic inputs (60 schools over a 6 x 6 grid of tracts), plus SVI-layout and crosswalk-layout
files in its data folder, and the app serving it (TestClient, or uvicorn on 127.0.0.1)."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pandas as pd
import pytest
import uvicorn
from fastapi.testclient import TestClient

from equitable.health import sites_files
from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_hpi, write_synthetic_inputs
from equitable.web import create_app, load_settings
from equitable.web.dashboard import load_results

N_SCHOOLS = 60
#: School 1 and School 2 of the synthetic inputs (CDS codes of write_synthetic_inputs)
SCHOOL_A, SCHOOL_B = "19100011000000", "19100011000001"
#: A small staffing export (docs/staffing.md layout): at School 1, counselors of 1.0 and 0.5 FTE
#: filled and one vacant, a nurse at 0.5 FTE, a teacher filled and one vacant (opened 2024-08-02
#: and 2024-08-22: 30 and 10 days open on 2024-09-01, the latest date in the file)
STAFF_HEADER = ("position_id,cds_code,job_class,subject,fte,status,date_opened,date_filled,"
                "credential,in_field,years_experience\n")
STAFF_ROWS = (
    "C1,{A},counselor,,1.0,filled,2023-08-01,2023-08-20,,,",
    "C2,{A},counselor,,0.5,filled,2024-07-15,2024-08-01,,,",
    "C3,{A},counselor,,1.0,vacant,2024-08-02,,,,",
    "T1,{A},teacher,math,1.0,filled,2022-08-01,2022-08-10,clear,yes,5",
    "T2,{A},teacher,english,1.0,vacant,2024-08-22,,,,",
    "N1,{A},nurse,,0.5,filled,2020-01-01,2020-02-01,,,",
    "T3,{B},teacher,science,1.0,filled,2021-08-01,2024-09-01,clear,yes,3",
)


@pytest.fixture(scope="session")
def results(tmp_path_factory) -> dict:
    """``{"out": results folder, "data": data folder, "schools": schools.csv as text columns}``."""
    base = tmp_path_factory.mktemp("dashboard")
    data = base / "data"
    config = write_synthetic_inputs(data, N_SCHOOLS, grid=6, n_unplaced=1, n_outside=1)
    ces = pd.read_csv(data / "ces.csv", dtype={"tract": str})
    geoids = sorted("0" + t for t in ces["tract"])
    # an SVI 2018 tract file (CDC layout, a few columns): RPL_THEMES = i / 100 for the i-th tract
    (data / "community").mkdir()
    svi = pd.DataFrame({"ST": "06", "STATE": "CALIFORNIA", "ST_ABBR": "CA", "STCNTY": "06037",
                        "COUNTY": "Los Angeles", "FIPS": geoids,
                        "LOCATION": [f"Census Tract {g[5:]}" for g in geoids],
                        "RPL_THEMES": [round(i / 100, 4) for i in range(len(geoids))],
                        "RPL_THEME1": 0.5, "RPL_THEME2": 0.25, "RPL_THEME3": -999,
                        "RPL_THEME4": 0.75})
    svi.to_csv(data / "community" / "svi2018_los_angeles_county_tracts.csv", index=False)
    # [health]: a synthetic HPI 2.0 file, and a site plan made by `equitable sites` from the
    # health.csv of a first run
    write_synthetic_hpi(data, blank=1, seed=2)
    health = ('\n[health]\nhpi = "hpi.csv"\n'
              'svi = "community/svi2018_los_angeles_county_tracts.csv"\n')
    pre_cfg = data / "pre.toml"
    pre_cfg.write_text(config.read_text() + health)
    run(pre_cfg, out_dir=base / "pre", data_dir=data)
    sites_files(base / "pre" / "health.csv", data / "plan", 3, max_km=2.0)
    # a small staffing export written by hand (STAFF_ROWS) for School 1 and School 2
    (data / "staff").mkdir()
    (data / "staff" / "positions.csv").write_text(STAFF_HEADER + "".join(
        f"{r}\n".replace("{A}", SCHOOL_A).replace("{B}", SCHOOL_B) for r in STAFF_ROWS))
    final = data / "final.toml"
    final.write_text(config.read_text().replace(
        "[inputs]\n", '[inputs]\nstaffing = "staff/positions.csv"\n') + health
        + 'sites = "plan"\n')
    run(final, out_dir=base / "out", data_dir=data)
    schools = pd.read_csv(base / "out" / "schools.csv", dtype={"cds_code": str, "geoid": str})
    # the crosswalk: Board District 1 for the first 10 schools by rank, 2 for the next 10
    (base / "data" / "lausd").mkdir()
    cw = pd.DataFrame({"ApplyCDSCode": schools["cds_code"][:20],
                       "ApplyBoardDistrict": ["1"] * 10 + ["2"] * 10,
                       "ApplySchool": schools["school_name"][:20]})
    cw.to_csv(base / "data" / "lausd" / "school_crosswalk_2018_19.csv", index=False)
    return {"out": base / "out", "data": base / "data", "schools": schools,
            "ces": ces, "svi": svi, "plan": data / "plan"}


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
    from tests.report.pages import axe_path

    return axe_path()
