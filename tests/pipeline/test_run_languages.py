"""`equitable run` writes its report and workbook in every language of `[report] languages` that
has a message catalogue: a new language is one catalogue file (docs/translating.md)."""

from __future__ import annotations

import json

import pytest
from babel.numbers import format_currency

from equitable.errors import SpecError
from equitable.pipeline import run
from equitable.pipeline._synthetic import write_synthetic_inputs


@pytest.fixture
def french(new_language):
    """The Spanish catalogue copied as French (``fr``), each translation marked ``FR``."""
    new_language("fr", "FR ")


def _config(folder, languages):
    cfg = write_synthetic_inputs(folder, 30, seed=3)
    text = cfg.read_text()
    assert "[report]" not in text
    cfg.write_text(text + f"\n[report]\nlanguages = {json.dumps(languages)}\n")
    return cfg


def test_a_third_language_gets_its_report_and_workbook(french, tmp_path):
    cfg = _config(tmp_path / "d", ["en", "es", "fr"])
    run(cfg, out_dir=tmp_path / "out", data_dir=tmp_path / "d")
    out = tmp_path / "out"
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [f for f in record["outputs"] if f.startswith(("report", "allocation"))] == [
        "allocation.es.xlsx", "allocation.fr.xlsx", "allocation.xlsx", "report.es.html",
        "report.fr.html", "report.html"]
    page = (out / "report.fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in page
    assert "<h2>FR Resumen</h2>" in page  # the "summary" message, from the new catalogue
    # money in French as CLDR writes it (a narrow no-break space groups the digits)
    budget = format_currency(100_000_000, "USD", format="¤#,##0", locale="fr",
                             currency_digits=False)
    assert budget != "$100,000,000" and budget in page
    # the French page links back to English; the Spanish page is unchanged by the new language
    assert 'href="report.html"' in page
    assert (out / "report.es.html").read_text(encoding="utf-8").count("FR ") == 0


def test_a_language_without_a_catalogue_is_refused(tmp_path):
    cfg = _config(tmp_path / "d", ["en", "de"])
    with pytest.raises(SpecError) as exc:
        run(cfg, out_dir=tmp_path / "out", data_dir=tmp_path / "d")
    assert "report.languages" in str(exc.value)
    assert "'de' has no message catalogue (languages: en, es" in str(exc.value)
    assert not (tmp_path / "out").exists()
