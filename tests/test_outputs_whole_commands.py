"""Every command that writes a folder (or a file and its run record) leaves the previous outputs
intact when it dies before it finishes (issue 14, item 7): the run record fails to be written,
as a full disk or a kill would make it, and every byte of the previous outputs is still there."""

from __future__ import annotations

from pathlib import Path

import pytest

import equitable.privacy._files as privacy_files
import equitable.provenance
from equitable.cli import main
from equitable.index import load_spec

SVI_COLUMNS = [ind.column for ind in load_spec("svi-2022").indicators]
GRADES = "grade,Girls,Boys,Total\nG3,40,35,75\nG4,3,30,33\nG5,22,25,47\nTotal,65,90,155\n"


def _svi(path: Path, n: int) -> Path:
    lines = [",".join(["FIPS", *SVI_COLUMNS])]
    for k in range(n):
        lines.append(",".join([f"01{k:03d}", *[str((7 * k + 3 * i) % 23 + 1) for i in
                                               range(len(SVI_COLUMNS))]]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class DiskFull(Exception):
    pass


def _fail_the_record(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise DiskFull("no space left on device")

    monkeypatch.setattr(equitable.provenance, "write_run_record", fail)
    monkeypatch.setattr(privacy_files, "write_run_record", fail)


def _cases(tmp_path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """command -> (first arguments, second arguments with other inputs)."""
    a, b = _svi(tmp_path / "a.csv", 6), _svi(tmp_path / "b.csv", 7)
    g1 = tmp_path / "grades.csv"
    g1.write_text(GRADES)
    out = str(tmp_path / "out")
    return {
        "index": (["index", "svi-2022", str(a), "--allow-subset", "-o", f"{out}/svi.csv"],
                  ["index", "svi-2022", str(b), "--allow-subset", "-o", f"{out}/svi.csv"]),
        "sensitivity": (["sensitivity", "svi-2022", str(a), "--allow-subset", "-n", "20",
                         "--no-sobol", "-o", out],
                        ["sensitivity", "svi-2022", str(b), "--allow-subset", "-n", "20",
                         "--no-sobol", "-o", out]),
        "privacy protect": (["privacy", "protect", str(g1), "-o", out],
                            ["privacy", "protect", str(g1), "--threshold", "2", "-o", out]),
    }


@pytest.mark.parametrize("command", ["index", "sensitivity", "privacy protect"])
def test_a_command_that_dies_leaves_the_previous_outputs(command, tmp_path, monkeypatch, capsys):
    first, second = _cases(tmp_path)[command]
    try:
        main(first)
    except SystemExit as exc:
        assert exc.code in (0, None), capsys.readouterr().err
    out = tmp_path / "out"
    before = _snapshot(out)
    assert any(name.endswith("json") for name in before) and len(before) >= 2
    _fail_the_record(monkeypatch)
    with pytest.raises(DiskFull):
        main(second)
    assert _snapshot(out) == before
    # and nothing half-written is left beside it
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
