"""Small synthetic rosters and queues for tests, demos and the benchmark (no real students)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

__all__ = ["school_id", "write_queue", "write_roster"]


def school_id(i: int) -> str:
    """A made-up 14-digit LAUSD-style CDS code (county 19, district 64733)."""
    return f"1964733{9000000 + i:07d}"


def write_roster(path: str | Path, n_students: int, n_schools: int = 3, *, seed: int = 0,
                 spanish_share: float = 0.4) -> list[tuple[str, str, str]]:
    """Write ``students.csv`` (the engagement input's layout); return (student, school, language)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_students):
        lang = "spanish" if rng.random() < spanish_share else "english"
        rows.append((f"S{i:07d}", school_id(i % n_schools), lang))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["student_id", "school_id", "grade", "enroll_date", "exit_date",
                    "english_learner", "low_income", "foster", "homeless", "disability",
                    "race_ethnicity", "home_language"])
        for sid, sch, lang in rows:
            w.writerow([sid, sch, str(rng.randint(6, 12)), "2020-08-18", "",
                        "Y" if lang == "spanish" else "N", "Y", "N", "N", "N", "RH", lang])
    return rows


def write_queue(path: str | Path, roster: list[tuple[str, str, str]], n: int | None = None,
                *, reasons: str = "no presence or activity in the last 10 instructional days"
                ) -> None:
    """Write an ``outreach_queue.csv`` listing the first ``n`` roster students in rank order."""
    rows = roster[: n if n is not None else len(roster)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["priority_rank", "student_id", "school_id", "grade", "home_language",
                    "foster", "homeless", "reasons"])
        for rank, (sid, sch, lang) in enumerate(rows, start=1):
            w.writerow([rank, sid, sch, "9", lang, "N", "N", reasons])
