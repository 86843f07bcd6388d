"""Byte-identity proof for refactors of the index and allocation core (issue 19, item 8).

Runs every index preset on its real public file, ``equitable run examples/lausd.toml``,
``equitable sensitivity`` (declared weights and the normalisation / tie / missing-rule
alternatives), ``equitable audit`` and a spec that exercises every other method
(tests/data/identity_mix.toml), all on the real data in ../shared/data, and records the SHA-256 of
every output file and of each command's terminal output. Fields of run.json that change from
build to build for a legitimate reason (the tool's version) and the scratch folder's path are
replaced by placeholders before hashing; nothing else is.

    python benchmarks/check_identical.py            # compare with tests/data/identical_outputs.json
    python benchmarks/check_identical.py --write    # record the reference (on the untouched code)

Exit code 0 when every file is byte-identical to the reference, 1 otherwise (each differing,
missing or new file is listed). tests/index/test_identical.py runs the same check in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "identical_outputs.json"
MIX_SPEC = ROOT / "tests" / "data" / "identity_mix.toml"

# preset -> its real public input (relative to the data folder), "run" = the run's schools.csv
PRESET_INPUTS = {
    "svi-2022": "community/svi2022_us_county.csv",
    "svi-2020": "community/svi2020_us_county.csv",
    "svi-2020-documented": "community/svi2020_us_county.csv",
    "svi-2018": "community/svi2018_us_county_inputs.csv",
    "calenviroscreen-4.0": "community/calenviroscreen40_results_tract.csv",
    "calenviroscreen-4.0-pctl": "community/calenviroscreen40_results_tract.csv",
    "hpi-2.0": "community/hpi2_los_angeles_county_tracts.csv",
    "seni-style": "run",
    "seni-style-chronic": "chronic",
}


def _cli(argv: list[str], terminal: Path, name: str) -> None:
    """Run ``equitable ARGV`` in this process; its stdout and stderr are kept as an output."""
    from equitable.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    terminal.mkdir(parents=True, exist_ok=True)
    (terminal / f"{name}.txt").write_text(f"exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}",
                                          encoding="utf-8")
    if code != 0:
        raise RuntimeError(f"equitable {' '.join(argv)} exited {code}: {err.getvalue().strip()}")


def produce(data: Path, work: Path) -> None:
    """Write every output into ``work`` (an empty folder)."""
    import numpy as np
    import pandas as pd

    term = work / "_terminal"
    run = work / "run"
    _cli(["run", str(ROOT / "examples" / "lausd.toml"), "--out", str(run), "--data-dir", str(data)],
         term, "run")
    schools = run / "schools.csv"
    # seni-style-chronic needs a chronic absence rate: a fixed synthetic one (5% missing)
    df = pd.read_csv(schools, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(19)
    rate = np.round(rng.uniform(2, 60, len(df)), 1).astype(str).astype(object)
    rate[rng.random(len(df)) < 0.05] = ""
    # the index's inputs from the run's output: the CAASPP percents met, back from "not met"
    for col in ("ela", "math"):
        nm = pd.to_numeric(df[f"{col}_not_met_pct"], errors="coerce")
        df[f"{col}_met_pct"] = (100 - nm).round(2).map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    seni = work / "schools_seni.csv"
    df.to_csv(seni, index=False, lineterminator="\n")
    df["chronic_absence_pct"] = rate
    chronic = work / "schools_chronic.csv"
    df.to_csv(chronic, index=False, lineterminator="\n")
    inputs = {"run": seni, "chronic": chronic}

    idx = work / "index"
    for preset, rel in PRESET_INPUTS.items():
        src = inputs.get(rel) or data / rel
        _cli(["index", preset, str(src), "-o", str(idx / f"{preset}.csv")], term, f"index-{preset}")
        _cli(["index", preset, "--explain"], term, f"explain-{preset}")
    # a separate reference population: California's counties ranked against the nation
    us = pd.read_csv(data / PRESET_INPUTS["svi-2022"], dtype=str, keep_default_na=False)
    ca = work / "svi2022_ca.csv"
    us[us["ST_ABBR"] == "CA"].to_csv(ca, index=False, lineterminator="\n")
    _cli(["index", "svi-2022", str(ca), "--reference", str(data / PRESET_INPUTS["svi-2022"]),
          "-o", str(idx / "svi-2022-ca-vs-us.csv")], term, "index-svi-2022-reference")
    # every other method, on its own and against a reference (Los Angeles County vs the state)
    ces_path = data / PRESET_INPUTS["calenviroscreen-4.0"]
    _cli(["index", str(MIX_SPEC), str(ces_path), "-o", str(idx / "mix.csv")], term, "index-mix")
    ces = pd.read_csv(ces_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    la = work / "ces_la.csv"
    ces[ces["county"].str.strip() == "Los Angeles"].to_csv(la, index=False, lineterminator="\n")
    _cli(["index", str(MIX_SPEC), str(la), "--reference", str(ces_path), "-o", str(idx / "mix-la-vs-ca.csv")],
         term, "index-mix-reference")

    sens = work / "sensitivity"
    _cli(["sensitivity", "seni-style", str(schools), "-n", "200", "--seed", "2", "-o", str(sens / "seni")],
         term, "sensitivity-seni")
    _cli(["sensitivity", "seni-style", str(schools), "-n", "150", "--seed", "3", "--sobol-n", "64",
          "--normalisation", "declared,percentile,zscore,minmax", "--ties", "min,max,average",
          "--missing", "exclude,reweight,impute_mean,impute_median,impute_zero",
          "-o", str(sens / "seni-alternatives")], term, "sensitivity-seni-alternatives")
    _cli(["sensitivity", "svi-2022", str(data / PRESET_INPUTS["svi-2022"]), "-n", "100", "--seed", "1",
          "--sobol-n", "32", "--weights", "uniform", "-o", str(sens / "svi-2022")], term, "sensitivity-svi")
    _cli(["sensitivity", "calenviroscreen-4.0", str(ces_path), "-n", "60", "--seed", "4", "--no-sobol",
          "--ties", "min,max", "-o", str(sens / "ces")], term, "sensitivity-ces")
    # (the analysis re-ranks no node: the mix spec without pass_percentile)
    mix = work / "mix_nopass.toml"
    mix.write_text(MIX_SPEC.read_text(encoding="utf-8").replace("pass_percentile = true", ""), encoding="utf-8")
    _cli(["sensitivity", str(mix), str(la), "-n", "80", "--seed", "5", "--sobol-n", "32",
          "--missing", "reweight,impute_mean", "-o", str(sens / "mix")], term, "sensitivity-mix")
    _cli(["audit", str(schools), "--spec", "seni-style", "-o", str(work / "audit")], term, "audit-seni")
    _cli(["audit", str(ces_path), "--spec", "calenviroscreen-4.0", "--score-tolerance", "0.5",
          "-o", str(work / "audit-ces")], term, "audit-ces")


def _normalised(path: Path, work: Path) -> bytes:
    """The file's bytes, with the scratch folder and the tool's version replaced."""
    from equitable import __version__

    data = path.read_bytes()
    if path.suffix == ".xlsx":  # a zip: its members, with the workbook's own timestamps blanked
        import re
        import zipfile

        parts = []
        with zipfile.ZipFile(path) as z:
            for name in sorted(z.namelist()):
                body = z.read(name)
                if name == "docProps/core.xml":
                    body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\1<time>", body)
                parts.append(name.encode() + b"\0" + body)
        return b"\0\0".join(parts)
    data = data.replace(str(work).encode(), b"<work>")
    if path.name.endswith("run.json"):
        rec = json.loads(data)
        _strip(rec)
        return json.dumps(rec, indent=2, sort_keys=True).encode()
    return data.replace(f'"version": "{__version__}"'.encode(), b'"version": "<version>"')


def _strip(rec: object) -> None:
    """Blank the fields of run.json that legitimately differ from build to build."""
    if isinstance(rec, dict):
        for key in list(rec):
            if key in ("version", "commit", "created", "created_at", "timestamp", "generated_at"):
                rec[key] = "<varies>"
            else:
                _strip(rec[key])
    elif isinstance(rec, list):
        for v in rec:
            _strip(v)


def digests(data: Path) -> dict[str, str]:
    """Run everything in a scratch folder; relative path -> SHA-256 of the normalised bytes."""
    with tempfile.TemporaryDirectory(prefix="equitable-identical-") as tmp:
        work = Path(tmp)
        produce(data, work)
        return {str(p.relative_to(work)): hashlib.sha256(_normalised(p, work)).hexdigest()
                for p in sorted(work.rglob("*")) if p.is_file()}


def compare(got: dict[str, str], want: dict[str, str]) -> list[str]:
    """One line per file that differs, is missing or is new."""
    lines = [f"differs: {k}" for k in sorted(want) if k in got and got[k] != want[k]]
    lines += [f"missing: {k}" for k in sorted(want) if k not in got]
    lines += [f"new: {k}" for k in sorted(got) if k not in want]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="record the reference instead of comparing")
    ap.add_argument("--reference", type=Path, default=REFERENCE)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    from equitable.paths import data_dir

    data = args.data_dir or data_dir()
    got = digests(data)
    if args.write:
        args.reference.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"Wrote {args.reference}: {len(got)} files")
        return 0
    want = json.loads(args.reference.read_text(encoding="utf-8"))
    bad = compare(got, want)
    for line in bad:
        print(line)
    print(f"{len(got) - len([b for b in bad if not b.startswith('missing')])} of {len(want)} files identical"
          if bad else f"all {len(want)} files byte-identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
