"""``equitable survey ...``: read exports, weight, estimate, report, code open-ended answers."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from equitable.errors import InputError

survey_app = typer.Typer(
    help="Surveys and focus groups: read platform exports, weight to enrollment, estimate "
    "percent favorable by group, code open-ended answers, write the bilingual report.",
    no_args_is_help=True,
)
code_app = typer.Typer(
    help="Open-ended answers and focus-group notes: coded excerpts (CSV, REFI-QDA), "
    "agreement, theme suggestions.",
    no_args_is_help=True,
)
survey_app.add_typer(code_app, name="code")


def _trim(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    try:
        lo, hi = (float(x) for x in value.split(","))
    except ValueError:
        raise InputError(f"--trim must be LOWER,UPPER (multiples of the mean weight, e.g. "
                         f"0.3,5). Got '{value}' instead.") from None
    return lo, hi


def _warn_unconverged(folder: Path) -> None:
    """Say on the terminal that unconverged weights were used (they are in the run record)."""
    wj = folder / "weighting.json"
    if wj.exists() and json.loads(wj.read_text(encoding="utf-8")).get("converged") is False:
        typer.echo("WARNING: weighted figures use weights whose raking did not converge "
                   "(--allow-unconverged; see weighting.json)")


@survey_app.command("synth")
def synth_cmd(
    instrument: Path = typer.Argument(..., help="Instrument TOML."),
    out: Path = typer.Option(..., "--out", help="CSV export to write."),
    platform: str = typer.Option("qualtrics", help="qualtrics, google, surveymonkey or kobo."),
    n: int = typer.Option(200, "--n", help="Number of invented respondents."),
    seed: int = typer.Option(0, help="Random seed."),
    language: str | None = typer.Option(None, help="Only respondents of this language."),
) -> None:
    """Write a synthetic platform export (invented respondents) for trying the tools."""
    from equitable._atomic import output_folder
    from equitable.voice import load_instrument, synth_survey, write_export

    inst = load_instrument(instrument)
    data = synth_survey(inst, n, seed=seed)
    _not_a_folder(out)
    with output_folder(out.parent, whole=False) as stage:  # the file whole or not at all
        write_export(data, inst, platform, stage / out.name, language=language)
    typer.echo(f"wrote {out}")


def _not_a_folder(out: Path) -> None:
    if out.is_dir():
        raise InputError(f"{out}: is a folder; give a file name, e.g. {out / 'export.csv'}")


@survey_app.command("read")
def read_cmd(
    instrument: Path = typer.Argument(..., help="Instrument TOML."),
    exports: list[Path] = typer.Argument(..., help="One or more CSV exports."),
    out: Path = typer.Option(..., "--out", help="Survey folder to write."),
    platform: str = typer.Option("auto", help="qualtrics, google, surveymonkey, kobo or auto."),
    language: list[str] = typer.Option(
        [], "--language", help="Language of each export's respondents when it does not say "
        "(one per export, or one for all)."),
    names: Path | None = typer.Option(None, help="File of names (one a line) to scrub from "
                                      "open-ended answers, beside the built-in patterns."),
    not_asked: list[str] = typer.Option(
        [], "--not-asked", help="Item or attribute id an export may have no column for "
        "(repeat); any other question without a column is an error."),
) -> None:
    """Read platform exports into responses.csv (long), respondents.csv and columns.csv (what
    each export column became; Qualtrics' question text and ImportId)."""
    from equitable.voice._pipeline import read_to_dir

    data = read_to_dir(instrument, exports, out, platform=platform,
                       languages=language or None, names_path=names, not_asked=not_asked)
    typer.echo(f"{len(data.respondents)} respondents, {len(data.responses)} responses -> {out}")
    for note in data.notes:
        typer.echo(f"note: {note}")


@survey_app.command("scales")
def scales_cmd(
    instrument: Path = typer.Argument(..., help="Instrument TOML (e.g. "
                                      "examples/voice/chks_climate.toml)."),
    folder: Path = typer.Argument(..., help="Survey folder (from 'survey read')."),
    out: Path = typer.Option(..., "--out", help="CSV to write."),
    by: list[str] = typer.Option([], "--by", help="Respondent attribute to group by (repeat)."),
    tiers: Path | None = typer.Option(None, "--tiers", help="CSV with cds_code and tier (e.g. "
                                      "an index or run schools.csv) to report by need tier."),
    school_attribute: str = typer.Option("school", help="Attribute holding the CDS code."),
) -> None:
    """Scale scores (mean of a construct's items) with t intervals, Cronbach's alpha and
    Feldt's interval, overall, by group and by need tier; groups of 10 or fewer are '*'."""
    import pandas as pd

    from equitable.voice import load_instrument
    from equitable.voice._pipeline import load_survey_dir
    from equitable.voice._scales import scale_table

    inst = load_instrument(instrument)
    data = load_survey_dir(folder, inst)
    tier_table = None
    if tiers is not None:
        from equitable.data._common import pad_code, parse_text, read_delimited, require_columns

        t = read_delimited(tiers)
        cds = "cds_code" if "cds_code" in t.frame.columns else "cds"
        require_columns(t, [cds, "tier"])
        tier_table = pd.DataFrame({"cds_code": pad_code(t, cds, "cds_code"),
                                   "tier": parse_text(t, "tier")}).dropna()
    df = scale_table(data, inst, by=by, tiers=tier_table, school_attribute=school_attribute)
    df.to_csv(out, index=False, lineterminator="\n")
    for row in df[df["variable"] == "all"].to_dict(orient="records"):
        typer.echo(f"{row['construct']}: n {row['n']}, mean {row['mean']}, alpha {row['alpha']}")
    typer.echo(f"{len(df)} rows -> {out}")


@survey_app.command("margins")
def margins_cmd(
    out: Path = typer.Option(..., "--out", help="Margins CSV to write."),
    frpm: Path | None = typer.Option(None, help="CDE FRPM school-level file."),
    year: str = typer.Option("2023-2024", help="Academic year in the FRPM file."),
    cds_prefix: str = typer.Option("", help="Keep schools whose CDS code starts with this."),
    lausd_schools: Path | None = typer.Option(None, help="LAUSD school table "
                                              "(lausd/schools_2024_25.csv)."),
) -> None:
    """Write population margins (variable, category, population) from public files."""
    import pandas as pd

    from equitable.voice import margins_from_frpm, margins_from_lausd_schools

    parts = []
    if frpm is not None:
        parts.append(margins_from_frpm(frpm, academic_year=year, cds_prefix=cds_prefix))
    if lausd_schools is not None:
        m = margins_from_lausd_schools(lausd_schools)
        parts.append(m[m["variable"] == "grade_span"] if frpm is not None else m)
    if not parts:
        raise InputError("give --frpm or --lausd-schools (or write a margins CSV by hand)")
    df = pd.concat(parts, ignore_index=True)
    for part in parts:  # what the readers changed (codes that lost their leading zero)
        for note in part.attrs.get("notes", []):
            typer.echo(f"Note: {note}")
    from equitable._atomic import output_folder

    _not_a_folder(out)
    with output_folder(out.parent, whole=False) as stage:  # the file whole or not at all
        df.to_csv(stage / out.name, index=False, lineterminator="\n", float_format="%.0f")
    typer.echo(f"{len(df)} margin rows -> {out}")


@survey_app.command("weight")
def weight_cmd(
    instrument: Path = typer.Argument(..., help="Instrument TOML."),
    folder: Path = typer.Argument(..., help="Survey folder (from 'survey read')."),
    margins: Path = typer.Option(..., help="Margins CSV: variable, category, population."),
    by: list[str] = typer.Option(..., "--by", help="Raking variable (repeat)."),
    trim: str | None = typer.Option(None, help="LOWER,UPPER bounds as multiples of the mean "
                                    "weight, e.g. 0.3,5."),
    allow_unconverged: bool = typer.Option(
        False, "--allow-unconverged", help="Keep the weights even when raking cannot meet every "
        "margin (recorded as converged: false; 'survey estimate' then needs the same flag)."),
) -> None:
    """Rake respondent weights to population margins; report the design effect.

    Raking that cannot meet a margin exits 1 naming the margin, the category and the shortfall,
    and writes nothing, unless --allow-unconverged."""
    from equitable.voice._pipeline import weight_dir

    s = weight_dir(folder, margins, by, instrument_path=instrument, trim=_trim(trim),
                   allow_unconverged=allow_unconverged)
    typer.echo(f"design effect {s['design_effect']:.3f}, effective n {s['effective_n']:.1f} of "
               f"{s['respondents']}, {s['trimmed']} weights trimmed"
               + ("" if s["converged"] else f"; WARNING: {'; '.join(s['notes'])}"))


@survey_app.command("estimate")
def estimate_cmd(
    instrument: Path = typer.Argument(..., help="Instrument TOML."),
    folder: Path = typer.Argument(..., help="Survey folder."),
    out: Path = typer.Option(..., "--out", help="Folder for estimates.csv."),
    by: list[str] = typer.Option([], "--by", help="Breakdown (school, student_group, "
                                 "language...; repeat)."),
    enrollment: Path | None = typer.Option(None, help="Margins CSV with the 'school' variable "
                                           "for response rates."),
    allow_unconverged: bool = typer.Option(
        False, "--allow-unconverged", help="Use weights whose raking did not converge "
        "(refused otherwise)."),
) -> None:
    """Percent favorable per item and construct, overall and by group (privacy-checked)."""
    from equitable.voice._pipeline import estimate_dir

    est = estimate_dir(instrument, folder, out, by=by, enrollment_path=enrollment,
                       allow_unconverged=allow_unconverged)
    if allow_unconverged:
        _warn_unconverged(folder)
    typer.echo(f"{len(est)} rows -> {out / 'estimates.csv'}")


@survey_app.command("report")
def report_cmd(
    instrument: Path = typer.Argument(..., help="Instrument TOML."),
    folder: Path = typer.Argument(..., help="Survey folder."),
    out: Path = typer.Option(..., "--out", help="HTML file to write."),
    by: list[str] = typer.Option([], "--by", help="Breakdown to chart (repeat)."),
    margins: Path | None = typer.Option(None, help="Margins CSV (who answered vs enrolled)."),
    enrollment: Path | None = typer.Option(None, help="Margins CSV with 'school' for response "
                                           "rates."),
    themes: int = typer.Option(4, help="Number of suggested themes per language."),
    allow_unconverged: bool = typer.Option(
        False, "--allow-unconverged", help="Use weights whose raking did not converge "
        "(refused otherwise)."),
) -> None:
    """Write the offline HTML report in English (--out) and Spanish (beside it, .es.html)."""
    from equitable.voice._pipeline import report_file

    p = report_file(instrument, folder, out, by=by, margins_path=margins,
                    enrollment_path=enrollment, n_themes=themes,
                    allow_unconverged=allow_unconverged)
    if allow_unconverged:
        _warn_unconverged(folder)
    from equitable.voice._report import spanish_path

    typer.echo(f"wrote {p} and {spanish_path(p)}")


@code_app.command("import")
def code_import_cmd(
    source: Path = typer.Argument(..., help="Coded excerpts: .csv or REFI-QDA .qdpx."),
    out: Path = typer.Option(..., "--out", help="Excerpts CSV to write (scrubbed)."),
    codebook: Path | None = typer.Option(None, help="Codebook TOML to check codes against."),
) -> None:
    """Import coded excerpts (CSV or REFI-QDA) into a scrubbed excerpts CSV."""
    from equitable.voice._qual import import_qdpx, load_codebook, read_excerpts, write_excerpts

    cb = load_codebook(codebook) if codebook else None
    if source.suffix.lower() == ".qdpx":
        _, _, ex = import_qdpx(source)
        if cb is not None:
            bad = sorted(set(ex["code"]) - set(cb.ids()))
            if bad:
                raise InputError(f"{source}: codes {bad[:5]} are not in the codebook")
    else:
        ex = read_excerpts(source, cb)
    write_excerpts(ex, out)
    typer.echo(f"{len(ex)} coded excerpts -> {out}")


@code_app.command("export")
def code_export_cmd(
    excerpts: Path = typer.Argument(..., help="Coded excerpts CSV."),
    codebook: Path = typer.Option(..., help="Codebook TOML."),
    documents: Path = typer.Option(..., help="Folder of UTF-8 .txt documents (name = file "
                                   "stem)."),
    out: Path = typer.Option(..., "--out", help=".qdpx file to write."),
) -> None:
    """Export the codebook, documents and coded excerpts as a REFI-QDA project (.qdpx)."""
    from equitable.voice._qual import export_qdpx, load_codebook, read_excerpts

    cb = load_codebook(codebook)
    ex = read_excerpts(excerpts, cb)
    if not documents.is_dir():
        raise InputError(f"{documents}: not a folder of .txt documents")
    docs = {p.stem: p.read_text(encoding="utf-8") for p in sorted(documents.glob("*.txt"))}
    export_qdpx(out, cb, docs, ex)
    typer.echo(f"{len(docs)} documents, {len(ex)} codings -> {out}")


@code_app.command("agreement")
def code_agreement_cmd(
    excerpts: Path = typer.Argument(..., help="Coded excerpts CSV (two or more coders)."),
    out: Path | None = typer.Option(None, "--out", help="CSV to write (default: print)."),
    unit: list[str] = typer.Option(["document", "start", "end"], "--unit",
                                   help="Columns that make a unit (default: the excerpt span)."),
) -> None:
    """Cohen's kappa and Krippendorff's alpha per code."""
    from equitable.voice._qual import agreement, read_excerpts

    table = agreement(read_excerpts(excerpts), unit=unit)
    if out is None:
        typer.echo(table.to_csv(index=False, float_format="%.3f", lineterminator="\n"), nl=False)
    else:
        table.to_csv(out, index=False, float_format="%.6f", lineterminator="\n")
        typer.echo(f"{len(table)} codes -> {out}")


@code_app.command("themes")
def code_themes_cmd(
    instrument: Path = typer.Argument(..., help="Instrument TOML."),
    folder: Path = typer.Argument(..., help="Survey folder."),
    item: str = typer.Option(..., help="Open-ended item id."),
    language: str = typer.Option("en", help="en or es: the answers of that language."),
    themes: int = typer.Option(5, help="Number of themes."),
    out: Path | None = typer.Option(None, "--out", help="CSV to write (default: print)."),
) -> None:
    """Suggest themes in open-ended answers (TF-IDF + NMF, offline)."""
    from equitable.voice import load_instrument
    from equitable.voice._pipeline import load_survey_dir
    from equitable.voice._qual import suggest_themes

    inst = load_instrument(instrument)
    if item not in inst.item_map or inst.item_map[item].type != "text":
        raise InputError(f"'{item}' is not an open-ended (text) item of '{inst.id}'")
    data = load_survey_dir(folder, inst)
    lang = data.respondents.set_index("respondent_id")["language"]
    r = data.responses[data.responses["item"] == item]
    answers = r.loc[r["respondent_id"].map(lang) == language, "response"].tolist()
    table = suggest_themes(answers, language=language, n_themes=themes)
    if out is None:
        typer.echo(json.dumps(table.to_dict(orient="records"), ensure_ascii=False, indent=1))
    else:
        table.to_csv(out, index=False, float_format="%.3f", lineterminator="\n")
        typer.echo(f"{len(table)} themes -> {out}")


def register(app: typer.Typer) -> None:
    """Add the ``survey`` command group to the main CLI."""
    app.add_typer(survey_app, name="survey")
