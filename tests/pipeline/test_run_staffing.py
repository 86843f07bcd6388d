"""`equitable run` with `[inputs] staffing = ...`: the staffing sheets, CSV and bilingual page
beside the allocation, with the run's own tiers; positions at schools the run does not rank are
left out and counted (never silently)."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_inputs
from equitable.staffing._synth import synth_staff


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runstaff")
    cfg = write_synthetic_inputs(folder, 30, seed=3)
    synth_staff(folder / "staff", schools_file=folder / "schools.csv", seed=4)
    pos = pd.read_csv(folder / "staff" / "positions.csv", dtype=str, keep_default_na=False)
    extra = pos.iloc[[0]].copy()
    extra["position_id"] = "EXTRA1"
    extra["cds_code"] = "19999999999999"  # a school the run does not rank
    pd.concat([pos, extra]).to_csv(folder / "staff" / "positions.csv", index=False,
                                   lineterminator="\n")
    text = cfg.read_text().replace("[inputs]\n", '[inputs]\nstaffing = "staff/positions.csv"\n')
    staff_cfg = folder / "staff.toml"
    staff_cfg.write_text(text)
    return folder, cfg, staff_cfg, pos


def test_run_writes_the_staffing_section(setup, tmp_path):
    folder, _, staff_cfg, pos = setup
    r = run(staff_cfg, out_dir=tmp_path / "out", data_dir=folder)
    for name in ("staffing.xlsx", "staffing_schools.csv", "staffing.html", "staffing.es.html"):
        assert (tmp_path / "out" / name).is_file(), name
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    st = record["extra"]["staffing"]
    # every vacancy of the file, counted by hand, except the one at the unranked school
    vacant = int((pos["status"] == "vacant").sum())
    assert st["vacancies"]["All"] == vacant
    assert (st["positions"], st["positions_left_out"]) == (len(pos) + 1, 1)
    assert st["notes"][0] == ("1 position(s) at 1 school(s) not ranked in this run left out of "
                              "the staffing section")
    # tiers are the run's own
    schools = pd.read_csv(tmp_path / "out" / "schools.csv", dtype={"cds_code": str})
    assert set(st["vacancies"]) == set(schools["tier"]) | {"All"}
    wb = openpyxl.load_workbook(tmp_path / "out" / "staffing.xlsx", read_only=True)
    assert wb.sheetnames == ["Educator Equity", "Tiers", "Schools"]
    es = (tmp_path / "out" / "staffing.es.html").read_text(encoding="utf-8")
    assert "Vacantes y apoyos estudiantiles por nivel de necesidad" in es
    assert r.computation.staffing == st


def test_run_without_staffing_is_unchanged(setup, tmp_path):
    folder, cfg, _, _ = setup
    r = run(cfg, out_dir=tmp_path / "plain", data_dir=folder)
    assert not any(n.startswith("staffing") for n in r.files)
    assert "staffing" not in json.loads((tmp_path / "plain" / "run.json").read_text())["extra"]


@pytest.fixture(scope="module")
def staffing_pages(setup, tmp_path_factory):
    folder, _, staff_cfg, pos = setup
    out = tmp_path_factory.mktemp("staffpages") / "out"
    run(staff_cfg, out_dir=out, data_dir=folder)
    return out, pos


def test_staffing_pages_share_the_report_frame_and_count_every_vacancy(staffing_pages):
    """Both pages on the shared writer (lang, viewport, skip link, the link to the other page,
    nothing from the network); the All row's vacancies are those counted by hand in
    positions.csv (less the one at the unranked school), in both languages."""
    from tests.report.pages import as_records, check_page_frame, read_tables

    out, pos = staffing_pages
    vacant = int((pos["status"] == "vacant").sum())
    for lang, name, other, all_label, col in (
            ("en", "staffing.html", "staffing.es.html", "All schools", "Vacancies"),
            ("es", "staffing.es.html", "staffing.html", "Todas las escuelas", "Vacantes")):
        html = (out / name).read_text(encoding="utf-8")
        check_page_frame(html, lang, other)
        rows = {r[next(iter(r))]: r for r in as_records(read_tables(html)["supports-table"])}
        assert rows[all_label][col] == str(vacant)


@pytest.mark.browser
@pytest.mark.parametrize("name", ["staffing.html", "staffing.es.html"])
def test_staffing_page_on_a_phone_has_no_sideways_scroll_and_no_axe_violation(
        staffing_pages, chromium_browser, name):
    from tests.report.pages import check_in_chromium

    check_in_chromium(chromium_browser, staffing_pages[0] / name, 390, 844)
