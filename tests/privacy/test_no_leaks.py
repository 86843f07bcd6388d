"""Logs and error messages never carry student names, ids or free-text notes (issue 5, item 3).

Each scenario feeds fake student rows (names, ids, notes) to a command or library function,
usually in a malformed file so that an error is raised, captures everything a user or a log
would see (exception text, stdout, stderr, log records at DEBUG) and scans it with
``equitable.privacy.find_sensitive``. Add a scenario for every command that reads student rows.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from equitable.cli import main
from equitable.errors import EquitableError
from equitable.privacy import (
    find_sensitive,
    protect_crosstab,
    protect_long,
    pseudonymize,
    pseudonymize_file,
)

NAMES = ["Valentina Quispe-Morales", "Jayden Okonkwo", "Maria de la Luz Herrera"]
IDS = ["900123456", "900765432", "SSID-4471-0093"]
NOTES = [
    "mother works nights, call after 7pm",
    "staying with aunt since the eviction",
    "asked us not to contact the father",
]
SENSITIVE = NAMES + IDS + NOTES
KEY = "k" * 32


def roster(tmp_path, rows: list[str]) -> str:
    f = tmp_path / "roster.csv"
    f.write_text("student_id,name,note,grade\n" + "\n".join(rows) + "\n")
    return str(f)


def run_cli(capsys, *args: str) -> str:
    try:
        main(list(args))
    except SystemExit:
        pass
    out = capsys.readouterr()
    return out.out + out.err


def scenario_text(kind: str, tmp_path, capsys) -> str:
    """Run one scenario and return all the text it showed."""
    full = [f'{i},"{n}","{t}",0{k + 3}' for k, (i, n, t) in enumerate(zip(IDS, NAMES, NOTES))]
    if kind == "pseudonymize-blank-id":
        src = roster(tmp_path, full + [f',"{NAMES[0]}","{NOTES[0]}",05'])
        return run_cli(capsys, "privacy", "pseudonymize", src, "--column", "student_id",
                       "-o", str(tmp_path / "o.csv"))
    if kind == "pseudonymize-missing-column":
        src = roster(tmp_path, full)
        return run_cli(capsys, "privacy", "pseudonymize", src, "--column", "ssid",
                       "-o", str(tmp_path / "o.csv"))
    if kind == "pseudonymize-ok":
        src = roster(tmp_path, full)
        key = tmp_path / "key"
        key.write_text(KEY)
        return run_cli(capsys, "privacy", "pseudonymize", src, "--column", "student_id",
                       "--key-file", str(key), "-o", str(tmp_path / "o.csv"))
    if kind == "pseudonymize-file-library":
        src = roster(tmp_path, full + [f',"{NAMES[1]}","{NOTES[2]}",05'])
        try:
            pseudonymize_file(src, tmp_path / "o.csv", columns=["student_id"], key=KEY)
        except EquitableError as exc:
            return str(exc)
        return ""
    if kind == "pseudonymize-none-id":
        try:
            pseudonymize(pd.Series([IDS[0], None]), KEY)
        except EquitableError as exc:
            return str(exc)
        return ""
    if kind == "audit-note-in-a-count-cell":
        f = tmp_path / "t.csv"
        f.write_text(f'school,A,Total\nx,"{NOTES[0]}",12\nTotal,12,12\n')
        return run_cli(capsys, "privacy", "audit", str(f))
    if kind == "audit-long-name-in-count":
        f = tmp_path / "t.csv"
        f.write_text(f'school,n\nA,"{NAMES[2]}"\nTotal,40\n')
        return run_cli(capsys, "privacy", "audit", str(f), "--count-col", "n",
                       "--group-cols", "school")
    if kind == "protect-crosstab-id-in-a-cell":
        t = pd.DataFrame({"A": [IDS[2], "3"], "B": ["4", "5"]}, index=["x", "y"])
        try:
            protect_crosstab(t)
        except EquitableError as exc:
            return str(exc)
        return ""
    if kind == "protect-long-note-in-count":
        df = pd.DataFrame({"school": ["A", "Total"], "n": [NOTES[1], 40]})
        try:
            protect_long(df, count_col="n", group_cols=["school"])
        except EquitableError as exc:
            return str(exc)
        return ""
    raise AssertionError(kind)


SCENARIOS = [
    "pseudonymize-blank-id",
    "pseudonymize-missing-column",
    "pseudonymize-ok",
    "pseudonymize-file-library",
    "pseudonymize-none-id",
    "audit-note-in-a-count-cell",
    "audit-long-name-in-count",
    "protect-crosstab-id-in-a-cell",
    "protect-long-note-in-count",
]


@pytest.mark.parametrize("kind", SCENARIOS)
def test_no_student_strings_in_messages_or_logs(kind, tmp_path, capsys, caplog, monkeypatch):
    monkeypatch.delenv("EQUITABLE_PSEUDONYM_KEY", raising=False)
    caplog.set_level(logging.DEBUG)
    shown = scenario_text(kind, tmp_path, capsys)
    everything = shown + "\n" + caplog.text
    assert shown.strip(), "the scenario showed nothing: it does not exercise an error or output"
    assert find_sensitive(everything, SENSITIVE) == []


def test_find_sensitive_catches_what_it_should():
    text = "Error: roster.csv, row 3: Valentina  Quispe-Morales (900123456) - mother works " \
           "nights, call after 7pm; 19001234567 is another number"
    assert find_sensitive(text, SENSITIVE) == sorted([
        "Valentina Quispe-Morales", "900123456", "mother works nights, call after 7pm",
    ])
    # an id inside a longer number is not a match; short values are skipped
    assert find_sensitive("id 19007654321", ["900765432", "ab"]) == []
