"""Tables published together are protected and audited together (issue 15, item 6).

Subset links: the group of a cell of one table is part of the group of a cell of another
(respondents of a school who answered an item / the school's respondents; students of a school
enrolled now / ever enrolled this year). The attacker knows ``sub <= sup``; with a sensitive
link the difference ``sup - sub`` (the students who left) is a group to protect too.
"""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.cli import main
from equitable.errors import InputError
from equitable.privacy import LongTable, Subset, audit_linked, protect_linked, protect_long

from .test_cli import run

# respondents per school (true: A 1, B 23, C 21, D 30) and those who answered q1 (A 1, B 23,
# C 15, D 30); each file protected on its own, with its own complement
RESPONDENTS = "school,n\nA,*\nB,*\nC,21\nD,30\nTotal,75\n"
ANSWERED = "measure,school,n\nq1,A,*\nq1,B,23\nq1,C,*\nq1,D,30\nq1,Total,69\n"


def test_each_file_passes_alone_and_the_linked_set_fails(tmp_path, capsys):
    r, a = tmp_path / "respondents.csv", tmp_path / "answered.csv"
    r.write_text(RESPONDENTS)
    a.write_text(ANSWERED)
    for f, groups in ((r, "school"), (a, "measure,school")):
        code, out, _ = run(capsys, "privacy", "audit", str(f), "--count-col", "n",
                           "--group-cols", groups)
        assert code == 0, out
    # A + B = 75 - 21 - 30 = 24 and B answered q1 23 times: A <= 24 - 23 = 1
    code, out, _ = run(capsys, "privacy", "audit", str(a), str(r), "--count-col", "n",
                       "--group-cols", "measure,school", "--subset", "answered.csv:respondents.csv")
    assert code == 1
    assert (f"{r}: row 'A', column 'n': suppressed cell can be narrowed to [0, 1]; the "
            "protection level is +-3") in out
    # positions work too; a wrong reference is a one-line error
    code, out2, _ = run(capsys, "privacy", "audit", str(a), str(r), "--count-col", "n",
                        "--group-cols", "measure,school", "--subset", "1:2")
    assert code == 1 and out2 == out
    code, _, err = run(capsys, "privacy", "audit", str(a), str(r), "--count-col", "n",
                       "--group-cols", "measure,school", "--subset", "1:other.csv")
    assert code == 1
    assert err == "Error: --subset '1:other.csv': 'other.csv' is not one of the files audited\n"


def test_protect_linked_hides_enough_across_the_set():
    who = pd.DataFrame({"school": ["Total", "A", "B", "C", "D"], "n": [78, 1, 23, 24, 30]})
    ans = pd.DataFrame({"measure": "q1", "school": ["Total", "A", "B", "C", "D"],
                        "n": [69, 1, 23, 15, 30]})
    # one by one: the who-answered table hides B with A, the answers table C with A
    alone = [protect_long(t, count_col="n", group_cols=g).suppressed.tolist()
             for t, g in ((who, ["school"]), (ans, ["measure", "school"]))]
    assert alone == [[False, True, True, False, False], [False, True, False, True, False]]
    tables = [LongTable(ans, "n", ["measure", "school"], additive=["school"], name="answered"),
              LongTable(who, "n", ["school"], name="respondents")]
    # published so, B answered q1 23 times: A <= 78 - 24 - 30 - 23 = 1
    one_by_one = [protect_long(t.df, count_col="n", group_cols=t.group_cols).table
                  for t in tables]
    leak = audit_linked([LongTable(p, "n", t.group_cols, additive=t.additive, name=t.name)
                         for p, t in zip(one_by_one, tables)], [(0, 1)])
    assert [p.split(": suppressed cell can be narrowed to ")[1] for p in leak.problems] == [
        "[0, 1]; the protection level is +-3", "[15, 16]; the protection level is +-3",
        "[0, 1]; the protection level is +-3", "[23, 24]; the protection level is +-3"]
    assert [p.split(": suppressed")[0] for p in leak.problems] == [
        "answered: row 'q1 / A', column 'n'", "answered: row 'q1 / C', column 'n'",
        "respondents: row 'A', column 'n'", "respondents: row 'B', column 'n'"]
    links = [Subset(sub=(0, i), sup=(1, i)) for i in range(5)]
    res = protect_linked(tables, links)
    pub = [r.table for r in res]
    report = audit_linked([LongTable(p, "n", t.group_cols, additive=t.additive, name=t.name)
                           for p, t in zip(pub, tables)], [(0, 1)])
    assert report.ok, report.summary()
    # A (1 respondent) can be anything up to at least 1 + 3 in both tables
    a = report.cells[report.cells["row"].isin(["A", "q1 / A"])]
    assert len(a) == 2 and (a["lower"] == 0).all() and (a["upper"] >= 4).all()
    # the same complement in both tables: C (15 of 24 answered)
    assert [r.suppressed.tolist() for r in res] == [[False, True, False, True, False]] * 2


def test_a_sensitive_difference_is_protected():
    """Students ever enrolled this year and enrolled now, by school: 40 - 35 = 5 students left
    school A, a group of 5 that subtraction must not give away."""
    ever = pd.DataFrame({"school": ["A", "B", "C", "Total"], "n": [40, 60, 50, 150]})
    now = pd.DataFrame({"status": "now", "school": ["A", "B", "C", "Total"],
                        "n": [35, 60, 36, 131]})
    tables = [LongTable(now, "n", ["status", "school"], additive=["school"], name="now"),
              LongTable(ever, "n", ["school"], name="ever")]
    published = [LongTable(t.df, "n", t.group_cols, additive=t.additive, name=t.name)
                 for t in tables]
    with pytest.raises(AssertionError):  # published as they are: 5 = 40 - 35 exactly
        assert audit_linked(published, [(0, 1)], sensitive=True).ok
    bad = audit_linked(published, [(0, 1)], sensitive=True)
    assert bad.problems == [
        "ever minus now: row 'A minus now / A', column 'n': the difference of these linked "
        "cells (a group of students) can be derived exactly; the protection level is +-3"]
    assert audit_linked(published, [(0, 1)]).ok  # not a group to protect unless sensitive
    links = [Subset(sub=(0, i), sup=(1, i), sensitive=True) for i in range(4)]
    res = protect_linked(tables, links)
    assert sum(int(r.suppressed.sum()) for r in res) > 0
    assert not any(r.primary.any() for r in res)  # no published cell is small
    pub = [LongTable(r.table, "n", t.group_cols, additive=t.additive, name=t.name)
           for r, t in zip(res, tables)]
    report = audit_linked(pub, [(0, 1)], sensitive=True)
    assert report.ok, report.summary()
    # the difference for school A (true 5) is hidden: the attacker's interval holds [2, 8]
    d = res[0].audit.cells
    diff = d[d["row"] == "A minus now / A"]
    assert len(diff) == 1 and diff["lower"].item() <= 2 and diff["upper"].item() >= 8


def test_a_subset_larger_than_its_superset_is_an_input_error():
    who = pd.DataFrame({"school": ["A", "Total"], "n": [20, 20]})
    ans = pd.DataFrame({"measure": "q1", "school": ["A", "Total"], "n": [25, 25]})
    tables = [LongTable(ans, "n", ["measure", "school"], additive=["school"], name="answered"),
              LongTable(who, "n", ["school"], name="respondents")]
    with pytest.raises(InputError, match=r"^answered: row 'q1 / A', column 'n' is 25, more than "
                                         r"respondents: row 'A', column 'n' \(20\), which "
                                         r"counts a group it is part of$"):
        protect_linked(tables, [Subset(sub=(0, 0), sup=(1, 0))])
    assert main  # the CLI entry point imported for run()
