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
    for tier, n in [("Highest need", 131), ("High need", 130), ("Lowest need", 130)]:
        assert re.search(rf"{tier} {n} ", t)


GARFIELD = "19647331933381"  # James A. Garfield Senior High


def test_search_forgives_typos_and_finds_zip_and_level(lausd_client, data_dir):
    import io

    import pandas as pd

    schools = pd.read_csv(io.StringIO(lausd_client.get("/schools.csv").content.decode("utf-8-sig")),
                          dtype={"cds_code": str})
    # a typo and the right spelling both find Garfield first
    for q in ("garfeld", "Garfield"):
        t = lausd_client.get(f"/schools.csv?q={q}").content.decode("utf-8-sig")
        assert t.splitlines()[1].startswith(GARFIELD + ",James A. Garfield Senior High")
    # level words in either language: as many schools as the run has of that span
    for q, span in (("primaria", "elementary"), ("secundaria", "middle"),
                    ("preparatoria", "high"), ("elementary", "elementary")):
        got = pd.read_csv(io.StringIO(lausd_client.get(f"/schools.csv?q={q}").content
                                      .decode("utf-8-sig")), dtype={"cds_code": str})
        assert (got["span"] == span).sum() == (schools["span"] == span).sum(), q
    # ZIP code 90011: the ranked schools whose CDE directory row has Zip 90011 (hand count)
    d = pd.read_csv(data_dir / "cde" / "pubschls_2018_los_angeles_county.csv", dtype=str,
                    usecols=["CDSCode", "Zip"])
    want = set(d.loc[d["Zip"].str[:5] == "90011", "CDSCode"]) & set(schools["cds_code"])
    got = pd.read_csv(io.StringIO(lausd_client.get("/schools.csv?q=90011").content
                                  .decode("utf-8-sig")), dtype={"cds_code": str})
    assert set(got["cds_code"]) == want and len(want) == 23


def test_ninth_street_opens_with_one_plain_sentence(lausd_client):
    # budget $700,000,000 over the 651 schools' enrollment; Ninth Street: $2,970.96 per pupil
    t = text_of(lausd_client.get(f"/schools/{NINTH_STREET}?lang=en").text)
    assert ("Ninth Street Elementary is in the “Highest need” group (group 1 of 5, of about "
            "equal size) among the 651 schools ranked. Under this plan it would receive $2,971 "
            "per student, $1,061 more than the average of $1,910") in t
    assert "This is a scenario, not the district's budget." in t
    t = text_of(lausd_client.get(f"/schools/{NINTH_STREET}?lang=es").text)
    assert ("Ninth Street Elementary está en el grupo «Necesidad más alta» (grupo 1 de 5, de "
            "tamaño similar) entre las 651 escuelas clasificadas. Con este plan recibiría $2,971 "
            "por estudiante, $1,061 más que el promedio de $1,910") in t
    assert "CDE, datos de comidas gratuitas o a precio reducido 2024-25" in t
    assert "reweighted" not in t and ".csv" not in t.split("Descargar")[0]


def test_csv_opens_right_in_excel(lausd_client):
    r = lausd_client.get("/schools.csv?q=90011&lang=es")
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    head = r.content.decode("utf-8-sig").splitlines()[0]
    assert head.startswith("Código CDS,Escuela,Vecindario,Etapa,Estudiantes,Posición,Nivel,"
                           "Nivel de necesidad,")
    assert "Necesidad más alta" in r.content.decode("utf-8-sig")


def test_school_page_shows_the_published_healthy_places_index(lausd_client, data_dir):
    """examples/lausd.toml has [health]: the school page shows the HPI 2.0 percentile and the
    quarter of its tract as published in the HPI master file (read here with plain csv)."""
    import csv

    with open(data_dir / "community" / "hpi2_los_angeles_county_tracts.csv",
              encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["CensusTract"] == "6037226002")
    pct, quartile = float(row["hpi2_pctile_pos"]), int(row["quartiles"])
    assert quartile == 4  # the file's least healthy quartile: VEM quartile 1
    t = text_of(lausd_client.get(f"/schools/{NINTH_STREET}?lang=en").text)
    assert ("This school's neighbourhood is in the least healthy quarter of California "
            "(Healthy Places Index).") in t
    assert f"Healthy Places Index percentile {pct:.1f}" in t
    assert "Vaccine Equity Metric quartile 1 of 4" in t
    es = text_of(lausd_client.get(f"/schools/{NINTH_STREET}?lang=es").text)
    assert "está en la cuarta parte menos saludable de California" in es
