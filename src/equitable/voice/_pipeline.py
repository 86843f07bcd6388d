"""File-to-file steps behind the ``equitable survey`` commands.

A survey folder holds ``responses.csv`` (long: respondent_id, item, response) and
``respondents.csv`` (one row per respondent; a ``weight`` column once weighted), plus the
``run.json`` of the step that wrote it. Every step writes deterministic bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from equitable._atomic import output_folder
from equitable.errors import InputError
from equitable.provenance import write_run_record
from equitable.voice._estimate import favorable_matrix, published_tables
from equitable.voice._instrument import Instrument, load_instrument
from equitable.voice._readers import SurveyData, read_csv_strings, read_export, validate
from equitable.voice._weight import WeightingSummary, rake, read_margins

__all__ = [
    "FLOAT_FORMAT",
    "estimate_dir",
    "load_survey_dir",
    "read_names",
    "read_to_dir",
    "report_file",
    "weight_dir",
]

FLOAT_FORMAT = "%.10g"


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False, lineterminator="\n", float_format=FLOAT_FORMAT)
    return path


def read_to_dir(
    instrument_path: str | Path,
    exports: Sequence[str | Path],
    out_dir: str | Path,
    *,
    platform: str = "auto",
    languages: Sequence[str | None] | None = None,
    names_path: str | Path | None = None,
    not_asked: Sequence[str] = (),
) -> SurveyData:
    """Read one or more exports of an instrument and write the survey folder.

    ``languages`` gives, per export, the language of its respondents when the export does not
    record it (e.g. the English and the Spanish Google Form). ``names_path`` is a UTF-8 file of
    names to scrub from open-ended answers (one a line), beside the patterns. ``not_asked``
    names the items and attributes an export may lack a column for (see :func:`read_export`).
    Writes ``responses.csv``, ``respondents.csv``, ``columns.csv`` (every export column: its
    question text, Qualtrics ImportId and what it became) and ``run.json``.
    """
    inst = load_instrument(instrument_path)
    names = read_names(names_path) if names_path is not None else []
    langs = list(languages) if languages else [None] * len(exports)
    if len(langs) == 1 and len(exports) > 1:
        langs = langs * len(exports)
    if len(langs) != len(exports):
        raise InputError(f"give one language per export ({len(exports)} exports, "
                         f"{len(langs)} languages)")
    data: SurveyData | None = None
    for path, lang in zip(exports, langs):
        d = read_export(path, inst, platform, language=lang, names=names, not_asked=not_asked)
        data = d if data is None else data.concat(d)
    assert data is not None
    with output_folder(out_dir, whole=False) as out:  # the files appear together or not at all
        _write_csv(data.responses, out / "responses.csv")
        _write_csv(data.respondents, out / "respondents.csv")
        _write_csv(data.columns, out / "columns.csv")
        fin = data.respondents["finished"]
        write_run_record(
            out, command="survey read",
            spec={"instrument": inst.model_dump(), "platform": platform, "languages": langs,
                  "names_scrubbed": len(names), "not_asked": list(not_asked)},
            inputs={"instrument": instrument_path,
                    **{f"export_{k + 1}": p for k, p in enumerate(exports)}},
            outputs=["responses.csv", "respondents.csv", "columns.csv"],
            extra={"respondents": len(data.respondents), "response_rows": len(data.responses),
                   "finished": int((fin == "true").sum()),
                   "unfinished": int((fin == "false").sum()),
                   "notes": data.notes},
        )
    return data


def read_names(path: str | Path) -> list[str]:
    """Names to scrub, one a line (blank lines and ``#`` comments ignored)."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(f"{p}: file not found") from None
    return [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")]


def load_survey_dir(folder: str | Path, instrument: Instrument) -> SurveyData:
    """Read a survey folder written by :func:`read_to_dir` (validated again)."""
    f = Path(folder)
    paths = [f / "responses.csv", f / "respondents.csv"]
    for p in paths:
        if not p.exists():
            raise InputError(f"{p}: file not found (run 'equitable survey read' first)")
    responses = read_csv_strings(paths[0])
    respondents = read_csv_strings(paths[1])
    respondents["source_row"] = pd.to_numeric(respondents["source_row"]).astype(int)
    if "weight" in respondents.columns:
        respondents["weight"] = pd.to_numeric(respondents["weight"])
    data = SurveyData(responses, respondents, instrument.id, [str(f)])
    validate(data, instrument, f)
    return data


class WeightDirSummary(WeightingSummary):
    """``weighting.json``: the raking summary, the margin variables and the trimming bounds."""

    variables: list[str]
    trim: list[float] | None


def weight_dir(
    folder: str | Path,
    margins_path: str | Path,
    variables: Sequence[str],
    *,
    instrument_path: str | Path,
    trim: tuple[float, float] | None = None,
    out_dir: str | Path | None = None,
    allow_unconverged: bool = False,
) -> WeightDirSummary:
    """Rake the respondents of a survey folder; write ``respondents.csv`` with ``weight``,
    ``weighting.json`` (summary, with ``converged`` and ``unmet_margin``) and
    ``weighting_margins.csv`` (privacy-checked).

    Raises
    ------
    NotConvergedError
        Raking does not meet the margins (naming the margin, category and shortfall) and
        ``allow_unconverged`` is False; nothing is written.
    """
    inst = load_instrument(instrument_path)
    data = load_survey_dir(folder, inst)
    margins = read_margins(margins_path)
    res = rake(data.respondents, margins, variables, trim=trim,
               allow_unconverged=allow_unconverged)
    dest = Path(out_dir or folder)
    resp = data.respondents.drop(columns=["weight"], errors="ignore").copy()
    resp["weight"] = np.round(res.weights, 10)
    summary: WeightDirSummary = {**res.summary(), "variables": list(variables),
                                 "trim": list(trim) if trim else None}
    with output_folder(dest, whole=False) as out:  # the files appear together or not at all
        _write_csv(resp, out / "respondents.csv")
        if dest != Path(folder):
            _write_csv(data.responses, out / "responses.csv")
        (out / "weighting.json").write_text(
            json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _write_csv(res.margin_table(), out / "weighting_margins.csv")
        write_run_record(
            out, command="survey weight",
            spec={"variables": list(variables), "trim": trim,
                  "allow_unconverged": allow_unconverged},
            inputs={"respondents": Path(folder) / "respondents.csv", "margins": margins_path,
                    "instrument": instrument_path},
            outputs=["respondents.csv", "weighting.json", "weighting_margins.csv"],
            extra={"converged": res.converged, "iterations": res.iterations,
                   "unmet_margin": summary["unmet_margin"]},
            filename="run_weight.json",
        )
    return summary


def _weights_state(folder: str | Path, data: SurveyData,
                   allow_unconverged: bool) -> tuple[np.ndarray | None, dict[str, object] | None]:
    """The folder's weights and what ``weighting.json`` says of them (for the run record).

    Raises
    ------
    InputError
        ``weighting.json`` records weights that did not converge and ``allow_unconverged`` is
        False (naming the margin, category and shortfall).
    """
    if "weight" not in data.respondents:
        return None, None
    w = data.respondents["weight"].to_numpy(float)
    wj = Path(folder) / "weighting.json"
    if not wj.exists():
        return w, {"converged": None, "source": "respondents.csv (no weighting.json)"}
    try:
        s = json.loads(wj.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"{wj}: not a weighting record written by 'equitable survey weight' "
                         "(not JSON)") from None
    converged = s.get("converged") if isinstance(s, dict) else None
    if not isinstance(converged, bool):
        raise InputError(f"{wj}: has no 'converged' true/false (re-run 'equitable survey "
                         "weight')")
    unmet = s.get("unmet_margin")
    if not converged and not allow_unconverged:
        what = ""
        if isinstance(unmet, dict):
            short = float(unmet.get("shortfall", 0))
            how = f"short by {short:,.1f}" if short >= 0 else f"over by {-short:,.1f}"
            what = (f" (margin '{unmet.get('variable')}', category '{unmet.get('category')}' "
                    f"{how} of {float(unmet.get('population', 0)):,.1f})")
        raise InputError(f"{wj}: the weights did not converge{what}; re-weight, or pass "
                         "--allow-unconverged to use them")
    return w, {"converged": converged, "unmet_margin": unmet,
               "allow_unconverged": allow_unconverged}


def _enrolled_groups(enrollment: pd.DataFrame | None, var: str,
                     by: Sequence[str]) -> dict[str, list[str]]:
    """The enrolled groups of ``var`` (listed by :func:`response_rates`) for :func:`estimate`,
    so that a group with no respondents is a suppressed row in both tables, not a 0 derivable
    from the estimate's overall row."""
    if enrollment is None or var not in by:
        return {}
    if "variable" in enrollment.columns:
        enrollment = enrollment[enrollment["variable"] == var]
    return {var: sorted(enrollment["category"].astype(str).unique())}


def estimate_dir(
    instrument_path: str | Path,
    folder: str | Path,
    out_dir: str | Path,
    *,
    by: Sequence[str] = (),
    enrollment_path: str | Path | None = None,
    rates_by: str = "school",
    level: float = 0.95,
    allow_unconverged: bool = False,
) -> pd.DataFrame:
    """Write ``estimates.csv`` (and ``response_rates.csv`` given enrollment) for a folder.

    Uses the ``weight`` column when present (both unweighted and weighted rows are written);
    weights that ``weighting.json`` records as not converged are refused (:class:`InputError`)
    unless ``allow_unconverged``. The run record's ``extra.weights`` keeps their state.
    """
    inst = load_instrument(instrument_path)
    data = load_survey_dir(folder, inst)
    w, wstate = _weights_state(folder, data, allow_unconverged)
    enr = read_margins(enrollment_path) if enrollment_path is not None else None
    # estimates.csv and response_rates.csv are protected together (one linked set)
    tables = published_tables(data, inst, by=by, weights=w, level=level, enrollment=enr,
                              rates_by=rates_by, groups=_enrolled_groups(enr, rates_by, by))
    est = tables["estimates"]
    outputs = ["estimates.csv"]
    inputs = {"instrument": instrument_path, "respondents": Path(folder) / "respondents.csv",
              "responses": Path(folder) / "responses.csv"}
    with output_folder(out_dir, whole=False) as out:  # the files appear together or not at all
        _write_csv(est, out / "estimates.csv")
        if enr is not None:
            _write_csv(tables["rates"], out / "response_rates.csv")
            outputs.append("response_rates.csv")
            assert enrollment_path is not None, "enr is read from it"
            inputs["enrollment"] = enrollment_path
        if wstate is not None and (Path(folder) / "weighting.json").exists():
            inputs["weighting"] = Path(folder) / "weighting.json"
        write_run_record(out, command="survey estimate",
                         spec={"by": list(by), "level": level, "rates_by": rates_by,
                               "allow_unconverged": allow_unconverged},
                         inputs=inputs, outputs=outputs, extra={"weights": wstate},
                         filename="run_estimate.json")
    return est


def report_file(
    instrument_path: str | Path,
    folder: str | Path,
    out_path: str | Path,
    *,
    by: Sequence[str] = (),
    margins_path: str | Path | None = None,
    represent: Sequence[str] = (),
    enrollment_path: str | Path | None = None,
    text_items: Sequence[str] | None = None,
    n_themes: int = 4,
    allow_unconverged: bool = False,
) -> Path:
    """Write the HTML report of a survey folder in English at ``out_path`` and in Spanish
    beside it (``report.html`` -> ``report.es.html``, :func:`~equitable.voice._report.spanish_path`),
    each page linking to the other (see :func:`build_report`). Returns ``out_path``.

    Weights recorded as not converged are refused as by :func:`estimate_dir`.
    """
    from equitable.voice._qual import suggest_themes
    from equitable.voice._report import build_report, spanish_path

    inst = load_instrument(instrument_path)
    data = load_survey_dir(folder, inst)
    w, wstate = _weights_state(folder, data, allow_unconverged)
    enr = read_margins(enrollment_path) if enrollment_path is not None else None
    inputs = {"instrument": instrument_path, "respondents": Path(folder) / "respondents.csv",
              "responses": Path(folder) / "responses.csv"}
    margins = None
    variables: list[str] = []
    if margins_path is not None:
        margins = read_margins(margins_path)
        inputs["margins"] = margins_path
        variables = list(represent) or [v for v in margins["variable"].unique()
                                        if v in data.respondents.columns and v != "school"]
    if enr is not None:
        assert enrollment_path is not None, "enr is read from it"
        inputs["enrollment"] = enrollment_path
    # the report's tables are protected together (one linked set)
    tables = published_tables(data, inst, by=by, weights=w, matrix=favorable_matrix(data, inst),
                              groups=_enrolled_groups(enr, "school", by), enrollment=enr,
                              margins=margins, represent=variables)
    est, rep, rates = tables["estimates"], tables["representation"], tables["rates"]
    themes = {}
    items = list(text_items) if text_items is not None else [
        i.id for i in inst.items if i.type == "text"]
    if items:
        lang = data.respondents.set_index("respondent_id")["language"]
        txt = data.responses[data.responses["item"].isin(items)]
        txt = txt.assign(language=txt["respondent_id"].map(lang))
        for L in ("en", "es"):
            answers = txt.loc[txt["language"] == L, "response"].tolist()
            if len(answers) > 10:  # fewer answers than the privacy threshold: no themes
                themes[L] = suggest_themes(answers, language=L, n_themes=n_themes)
    weighting = None
    wj = Path(folder) / "weighting.json"
    if w is not None and wj.exists():
        weighting = json.loads(wj.read_text(encoding="utf-8"))
    out = Path(out_path)
    if out.is_dir():
        raise InputError(f"{out}: is a folder; give the report's file name, e.g. "
                         f"{out / 'report.html'}")
    es = spanish_path(out)
    sources = [{"label": k, "file": Path(v).name} for k, v in inputs.items()]
    pages = {
        name: build_report(inst, est, representation=rep, rates=rates, themes=themes,
                           weighting=weighting, breakdowns=by, lang=lang, other_href=other,
                           sources=sources)
        for name, lang, other in ((out.name, "en", es.name), (es.name, "es", out.name))
    }
    with output_folder(out.parent, whole=False) as stage:  # together or not at all
        for name, html in pages.items():
            (stage / name).write_text(html, encoding="utf-8")
        write_run_record(stage, command="survey report",
                         spec={"by": list(by), "represent": list(represent),
                               "n_themes": n_themes, "allow_unconverged": allow_unconverged},
                         inputs=inputs, outputs=list(pages), extra={"weights": wstate},
                         filename="run_report.json")
    return out

