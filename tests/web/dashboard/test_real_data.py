"""Acceptance on the real LAUSD run (examples/lausd.toml on ../shared/data): the dashboard shows
the published community figures of OEHHA and CDC/ATSDR and the LAUSD Board District."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from equitable.pipeline import run
from equitable.web import create_app, load_settings
from equitable.web.dashboard import load_results

pytestmark = pytest.mark.data
ROOT = Path(__file__).resolve().parents[3]
NINTH_STREET = "19647336104814"      # Ninth Street Elementary, tract 06037226002
ONE_HUNDRED_SEVENTH = "19647336018535"


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def lausd_client(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("lausd") / "out"
    run(ROOT / "examples" / "lausd.toml", out_dir=out, data_dir=data_dir)
    app = create_app(load_settings(
        dev=True, database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'w.db'}"))
    app.state.dashboard_data = load_results(out, data_folder=data_dir)
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def test_school_page_shows_published_community_figures(lausd_client):
    t = text_of(lausd_client.get(f"/schools/{NINTH_STREET}").text)
    assert "Ninth Street Elementary" in t and "census tract 06037226002" in t
    # OEHHA CalEnviroScreen 4.0, tract 6037226002: "CES 4.0 Percentile" = 99.72
    assert "CalEnviroScreen 4.0 percentile of the tract 99.7" in t
    # CDC/ATSDR SVI 2018, FIPS 06037226002: RPL_THEMES = 0.7863
    assert "Social Vulnerability Index (SVI) overall percentile 78.6" in t
    assert "Rank 1 of 651" in t


def test_board_district_from_the_lausd_crosswalk(lausd_client):
    # school_crosswalk_2018_19.csv: 107th Street Elementary, ApplyBoardDistrict 7
    t = text_of(lausd_client.get(f"/schools/{ONE_HUNDRED_SEVENTH}").text)
    assert "Board District 7" in t
    csv = lausd_client.get("/map.csv?district=unknown").text.splitlines()
    known = lausd_client.get("/map.csv").text.splitlines()
    assert len(known) - 1 == 651 and 0 < len(csv) - 1 < 651


def test_tier_counts_of_the_run(lausd_client):
    t = text_of(lausd_client.get("/methods").text)
    for tier, n in [("1 Highest", 131), ("2 High", 130), ("5 Lowest", 130)]:
        assert re.search(rf"{tier} {n} ", t)
