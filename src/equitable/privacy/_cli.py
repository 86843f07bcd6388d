"""Commands: ``equitable privacy audit``, ``equitable privacy protect``,
``equitable privacy pseudonymize``."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]

privacy_app = typer.Typer(
    name="privacy",
    help="Small-cell suppression, its audit, and pseudonymous student ids (see PRIVACY.md).",
    no_args_is_help=True,
)


def _split(s: str | None) -> list[str]:
    return [c.strip() for c in s.split(",") if c.strip()] if s else []


def _config(config: Path | None, threshold: int | None, protection: float | None):
    from equitable.privacy._config import load_config

    cfg = load_config(config)
    changes: dict[str, float] = {}  # threshold (int) and protection
    if threshold is not None:
        changes["threshold"] = threshold
    if protection is not None:
        changes["protection"] = protection
    if changes:
        from equitable.privacy._config import parse_config

        cfg = parse_config({**cfg.model_dump(), **changes}, source="command line")
    return cfg


_CONFIG = typer.Option(None, "--config", help="TOML file with a [privacy] table (threshold, "
                       "protection, caps, ...).")
_THRESHOLD = typer.Option(None, "--threshold", help="Groups of n <= THRESHOLD are suppressed "
                          "(default 10).")
_PROTECTION = typer.Option(None, "--protection", help="Protection level: the attacker's interval "
                           "for a suppressed cell must reach +-PROTECTION (default 3).")
_TOTAL = typer.Option("Total", "--total-label", help="Label of the margin rows and columns.")
_COUNT = typer.Option(None, "--count-col", help="Long tables: the column of group sizes n "
                      "(without it, files are crosstabs, unless the run.json beside a table "
                      "records its audit options: then those are used).")
_GROUPS = typer.Option(None, "--group-cols", help="Long tables: comma-separated group columns.")
_COLNAME = typer.Option(None, "--columns-name", help="Crosstabs: the name of the column "
                        "dimension (default: each file's stem).")


@privacy_app.command("audit")
def _audit(
    tables: list[Path] = typer.Argument(..., help="Published CSV tables (suppressed cells '*'), "
                                        "audited together."),
    threshold: int | None = _THRESHOLD,
    protection: float | None = _PROTECTION,
    total_label: str = _TOTAL,
    count_col: str | None = _COUNT,
    group_cols: str | None = _GROUPS,
    columns_name: str | None = _COLNAME,
    config: Path | None = _CONFIG,
    cells: Path | None = typer.Option(None, "--cells", help="Write every suppressed cell's "
                                         "attacker interval to this CSV."),
    subset: list[str] = typer.Option([], "--subset", help="Long files of one linked set: "
                                     "'SUB:SUP' (file names or 1-based positions), every group "
                                     "of SUB is part of the group of SUP with the same labels "
                                     "on SUP's group columns (repeat for several)."),
    sensitive: bool = typer.Option(False, "--sensitive-differences", help="The differences "
                                   "SUP - SUB are groups of students to protect too (e.g. "
                                   "students who left)."),
) -> None:
    """Compute the tightest interval an attacker can derive for every suppressed cell; fail
    (exit 1) when one is narrower than the protection level or a small group is published.

    Several files are audited as one linked set: cells with the same group labels are one
    cell, shared margins link the tables, and --subset states that one file's groups are parts
    of another's."""
    from equitable.privacy._audit import DisclosureError, audit_files

    cfg = _config(config, threshold, protection)
    if count_col is None and group_cols is None and columns_name is None and not subset:
        recorded = [_recorded_audits(t) for t in tables]
        if recorded and all(r is not None for r in recorded):
            _audit_recorded(tables, recorded, cfg, cells, sensitive)
            return
    pairs = [_subset_pair(s, tables) for s in subset]
    report = audit_files(tables, count_col=count_col, group_cols=_split(group_cols),
                         columns_name=columns_name, total_label=total_label, config=cfg,
                         subsets=pairs, sensitive=sensitive)
    if cells is not None:
        report.cells.to_csv(cells, index=False, lineterminator="\n")
    typer.echo(report.summary())
    if not report.ok:
        raise DisclosureError(f"audit failed: {len(report.problems)} problem(s)")


def _recorded_audits(table: Path) -> tuple[Path, list[dict]] | None:
    """The audit options the command that wrote ``table`` recorded in its run record.

    Looked up in ``run.json`` beside the table, then ``<stem>.run.json``, under
    ``extra.privacy_audit[<file name>]``: a list of option sets (``count_col``, ``group_cols``,
    optional ``total_label``), each audited in turn. None when no record names the table.
    """
    import json

    from equitable.errors import InputError

    for record in (table.parent / "run.json", table.parent / f"{table.stem}.run.json"):
        if not record.is_file():
            continue
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise InputError(f"{record}: not a valid run record (JSON)") from None
        audits = ((data.get("extra") or {}).get("privacy_audit") or {}).get(table.name)
        if audits:
            return record, list(audits)
    return None


def _audit_recorded(tables: list[Path], recorded: list, cfg, cells: Path | None,
                    sensitive: bool) -> None:
    """Audit each table with each option set its run record names (no option given)."""
    import pandas as pd

    from equitable.privacy._audit import DisclosureError, audit_files

    problems = 0
    frames = []
    for table, (record, audits) in zip(tables, recorded):
        for opts in audits:
            groups = list(opts.get("group_cols") or [])
            label = opts.get("total_label", "Total")
            typer.echo(f"{table.name}: --count-col {opts['count_col']} --group-cols "
                       f"{','.join(groups)} (as recorded in {record.name})")
            report = audit_files([table], count_col=opts["count_col"], group_cols=groups,
                                 columns_name=None, total_label=label, config=cfg, subsets=[],
                                 sensitive=sensitive)
            typer.echo("  " + report.summary().replace("\n", "\n  "))
            problems += len(report.problems)
            frames.append(report.cells)
    if cells is not None:
        pd.concat(frames, ignore_index=True).to_csv(cells, index=False, lineterminator="\n")
    if problems:
        raise DisclosureError(f"audit failed: {problems} problem(s)")


def _subset_pair(spec: str, tables: list[Path]) -> tuple[int, int]:
    from equitable.errors import InputError

    def which(ref: str) -> int:
        ref = ref.strip()
        if ref.isdigit() and 1 <= int(ref) <= len(tables):
            return int(ref) - 1
        hits = [i for i, t in enumerate(tables) if ref in (str(t), t.name)]
        if len(hits) != 1:
            raise InputError(f"--subset '{spec}': '{ref}' is not one of the files audited")
        return hits[0]

    sub, sep, sup = spec.rpartition(":")
    if not sep or not sub or not sup:
        raise InputError(f"--subset '{spec}': expected SUB:SUP (two of the files audited)")
    return which(sub), which(sup)


@privacy_app.command("protect")
def _protect(
    tables: list[Path] = typer.Argument(..., help="CSV tables of true counts; crosstabs are "
                                        "protected together."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the protected tables "
                             "(same file names) and run.json."),
    threshold: int | None = _THRESHOLD,
    protection: float | None = _PROTECTION,
    total_label: str = _TOTAL,
    count_col: str | None = _COUNT,
    group_cols: str | None = _GROUPS,
    rate_cols: str | None = typer.Option(None, "--rate-cols", help="Long tables: rate "
                                            "columns (percent) to cap by group size."),
    columns_name: str | None = _COLNAME,
    config: Path | None = _CONFIG,
) -> None:
    """Suppress small groups (n <= threshold) and the complementary cells that protect them."""
    from equitable.privacy._files import protect_files

    cfg = _config(config, threshold, protection)
    results = protect_files(tables, out, count_col=count_col, group_cols=_split(group_cols),
                            rate_cols=_split(rate_cols), columns_name=columns_name,
                            total_label=total_label, config=cfg)
    for path, r in zip(tables, results):
        s = int(r.suppressed.to_numpy().sum())
        p = int(r.primary.to_numpy().sum())
        typer.echo(f"{path.name}: {s} suppressed ({p} primary, {s - p} complementary) -> "
                   f"{out / path.name}")


@privacy_app.command("pseudonymize")
def _pseudonymize(
    src: Path = typer.Argument(..., help="CSV with student ids."),
    column: list[str] = typer.Option(..., "--column", "-c", help="Id column to replace "
                                     "(repeat for several)."),
    out: Path = typer.Option(..., "--out", "-o", help="CSV to write."),
    key_file: Path | None = typer.Option(None, "--key-file", help="File holding the secret "
                                            "key (default: $EQUITABLE_PSEUDONYM_KEY)."),
    recipient: str | None = typer.Option(None, "--recipient", help="Who receives the file: "
                                            "recorded in disclosures.jsonl (34 CFR 99.32)."),
    purpose: str | None = typer.Option(None, "--purpose", help="Why (the recipient's "
                                          "legitimate interest); recorded with --recipient."),
    date: str | None = typer.Option(None, "--date", help="Date of the disclosure, "
                                       "YYYY-MM-DD (default: today)."),
    log: Path | None = typer.Option(None, "--log", help="Disclosure record to append to "
                                       "(default: disclosures.jsonl beside OUT)."),
) -> None:
    """Replace student ids by keyed pseudonyms (HMAC-SHA256) before a file leaves the district."""
    import datetime

    from equitable.errors import InputError
    from equitable.privacy._pseudonym import load_key, pseudonymize_file, record_disclosure

    if (recipient is None) != (purpose is None):
        raise InputError("--recipient and --purpose go together (34 CFR 99.32 records both)")
    key = load_key(key_file)
    n = pseudonymize_file(src, out, columns=column, key=key)
    typer.echo(f"{n} rows: {', '.join(column)} pseudonymized -> {out}")
    if recipient is not None and purpose is not None:
        import pandas as pd

        cols = list(pd.read_csv(out, nrows=0).columns)
        path = record_disclosure(
            log or out.parent / "disclosures.jsonl", file=out, rows=n, columns=cols,
            recipient=recipient, purpose=purpose,
            date=date or datetime.date.today().isoformat(),
        )
        typer.echo(f"disclosure recorded in {path}")


def register(app: typer.Typer) -> None:
    """Add the ``privacy`` command group to the ``equitable`` command."""
    app.add_typer(privacy_app, name="privacy")
