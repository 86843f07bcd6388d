"""The short path (DuckDB: per-student day sets, the rules in numpy) against the general path
(row by row in the engine), and its bit-set helpers against values worked out by hand."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from equitable.engagement import _fast, _pipeline, compute_engagement
from equitable.errors import InputError

from .conftest import SCHOOL, SCHOOL2


def _bits(indices, n_words=3):
    """A one-row bit set of the 1-based indices given."""
    x = np.zeros((1, n_words), dtype="uint64")
    for i in indices:
        x[0, (i - 1) // 64] |= np.uint64(1) << np.uint64((i - 1) % 64)
    return x


def test_longest_run_and_current_run_across_a_word_boundary():
    # absent on index 3 and on 60..70 (bits 59..69: the run crosses from word 0 to word 1)
    x = _bits([3, *range(60, 71)])
    assert _fast._longest_run(x).tolist() == [11]
    assert _fast._run_ending_at(x, np.array([70])).tolist() == [11]
    assert _fast._run_ending_at(x, np.array([65])).tolist() == [6]  # 60..65
    assert _fast._run_ending_at(x, np.array([71])).tolist() == [0]  # not absent that day
    assert _fast._run_ending_at(x, np.array([3])).tolist() == [1]
    # a run from index 1 to the last day: the whole period
    assert _fast._run_ending_at(_bits(range(1, 130)), np.array([129])).tolist() == [129]
    assert _fast._longest_run(np.zeros((1, 3), dtype="uint64")).tolist() == [0]


def test_highest_bit_and_ranges():
    x = np.concatenate([_bits([64]), _bits([128]), _bits([]), _bits([1, 100]), _bits([65])])
    assert _fast._highest(x).tolist() == [63, 127, -1, 99, 64]
    r = _fast._range(np.array([60, 1, 5]), np.array([70, 192, 4]), 3)
    assert _fast._popcount(r).tolist() == [11, 192, 0]
    assert not (r[:1] & _bits([59])).any()
    assert ((r[:1] & _bits([60, 70])) == _bits([60, 70])).all()


def test_day_sets_as_bits_and_a_schools_own_days():
    import pyarrow as pa

    # DuckDB's bitstring_agg of 11 - day over 12 day numbers, as bytes: 4 pad bits, then the
    # values 0..11 first to last. Days 0, 5 and 11 are the values 11, 6 and 0: bits 15, 10
    # and 4 of the 16, i.e. 0b00001000 0b00100001.
    col = pa.array([bytes([0b00001000, 0b00100001]), None], pa.binary())
    words = _fast._day_words(col, 12, 1)
    assert words.tolist() == [[1 | 1 << 5 | 1 << 11], [0]]
    # a school whose days are the day numbers 0-4 and 7-11 (closed on 5 and 6): day 7 is its
    # index 6 (bit 5), day 11 its index 10 (bit 9)
    days = np.array([0, 1, 2, 3, 4, 7, 8, 9, 10, 11])
    got = _fast._gather(np.array([[1 | 1 << 7 | 1 << 11], [1 << 4]], dtype="uint64"), days, 1)
    assert got.tolist() == [[1 | 1 << 5 | 1 << 9], [1 << 4]]


def _general(monkeypatch):
    """Make compute_engagement take the general path (no day sets)."""
    monkeypatch.setattr(_pipeline, "day_sets", lambda *a, **k: None)


def _codes(rng: random.Random, n: int, absent_runs=(1, 1, 1, 2, 3, 5, 8, 70)) -> str:
    out: list[str] = []
    while len(out) < n:
        c = rng.choice("PPPPPPPPIDUEOX.")
        out += [c] * (rng.choice(absent_runs) if c in "UEOX" else 1)
    return "".join(out[:n])


def _random_district(district, seed: int, absences_only: bool = False):
    """Students with one period, a transfer between two schools, a re-enrollment at one
    school, long absence runs across the bit-set words (150 days: three words of indices), a
    holiday, days without a row, and SCHOOL2 with two days off of its own."""
    rng = random.Random(seed)
    n = 150
    d = district(f"r{seed}{'a' if absences_only else ''}", n_days=n,
                 holidays=(dt.date(2021, 2, 15),))
    for i in range(36):
        sid = f"s{seed}{i:03d}"
        kind = i % 4
        race = rng.choice(["RH", "RW", "RB", "RA"])
        if kind == 0:  # one period, maybe late, maybe exited
            first = rng.choice([0, 0, 3, 30])
            length = n - first - rng.choice([0, 0, 10])
            d.add(sid, _codes(rng, length), first=first, race=race, absences_only=absences_only)
        elif kind == 1:  # transfer from SCHOOL to SCHOOL2
            k = rng.randint(20, 120)
            d.add(sid, _codes(rng, k), exit=True, race=race, absences_only=absences_only)
            d.add(sid, _codes(rng, n - k), first=k, school=SCHOOL2, race=race,
                  absences_only=absences_only)
        elif kind == 2:  # exits and comes back to the same school
            k = rng.randint(20, 100)
            d.add(sid, _codes(rng, k), exit=True, race=race, absences_only=absences_only)
            d.add(sid, _codes(rng, n - k - 7), first=k + 7, race=race,
                  absences_only=absences_only)
        else:  # one period at SCHOOL2
            d.add(sid, _codes(rng, n), school=SCHOOL2, race=race, absences_only=absences_only)
        if rng.random() < 0.3:
            d.act(sid, rng.randint(0, n - 1), kind=rng.choice(["login", "participation"]))
    # SCHOOL2 closes two days of its own: no rows there, and not instructional in its calendar
    off2 = {d.days[63].isoformat(), d.days[64].isoformat()}
    d.attendance = [r for r in d.attendance
                    if not (r.split(",")[1] == SCHOOL2 and r.split(",")[2] in off2)]
    folder = d.write()
    cal = folder / "calendar.csv"
    lines = [ln.replace(",Y", ",N") if ln.startswith(SCHOOL2) and ln.split(",")[1] in off2
             else ln for ln in cal.read_text().splitlines()]
    cal.write_text("\n".join(lines) + "\n")
    return folder, d


def _assert_same(a, b):
    for name in ("students", "summary", "queue", "fairness", "raw"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=False)
    assert [i.as_dict() for i in a.notes] == [i.as_dict() for i in b.notes]
    assert [i.as_dict() for i in a.dropped] == [i.as_dict() for i in b.dropped]
    assert (a.counts, a.as_of, a.privacy_notes) == (b.counts, b.as_of, b.privacy_notes)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("absences_only", [False, True])
def test_short_path_gives_the_general_paths_figures(district, monkeypatch, seed, absences_only):
    folder, d = _random_district(district, seed, absences_only)
    kw = dict(absences_only=absences_only, lenient=True)
    variants = [kw, {**kw, "as_of": d.days[100], "sb98_from": d.days[20],
                     "sb98_to": d.days[90], "missing_days": 4}]
    for v in variants:
        fast = compute_engagement(folder, **v)
        assert fast.short_path
        with monkeypatch.context() as m:
            _general(m)
            slow = compute_engagement(folder, **v)
        assert not slow.short_path
        _assert_same(fast, slow)
        if "as_of" not in v:  # a row per student and school (9 transfers)
            assert len(fast.raw) == 36 + 9
        if not absences_only:  # the days without a row are reported, the same way
            assert fast.notes and "have no attendance row" in fast.notes[0].message()


def test_rows_with_problems_take_the_general_path(district):
    """A clean file takes the short path; each kind of problem row sends the run to the general
    path, which names the rows as before."""
    def make(name, extra, overlap=False):
        d = district(name, n_days=20)
        d.add("a", "PUUP" * 5)
        d.add("b", "P" * 10, exit=True)
        d.add("b", "P" * 10, first=10, school=SCHOOL2)
        if overlap:  # c at SCHOOL until day 12 and at SCHOOL2 from day 10: rows at both
            d.add("c", "P" * 13, exit=True)
            d.add("c", "P" * 10, first=10, school=SCHOOL2)
        d.attendance += extra
        return d

    clean = make("clean", [])
    assert compute_engagement(clean.write()).short_path
    overlapping = make("overlap_clean", [], overlap=True)
    overlapping.attendance = [r for r in overlapping.attendance
                              if not (r.startswith("c," + SCHOOL2) and any(
                                  clean.days[i].isoformat() in r for i in (10, 11, 12)))]
    res = compute_engagement(overlapping.write(), lenient=True)  # 3 days without a row
    assert res.short_path  # overlapping periods at two schools, no day at both
    assert [i.count for i in res.notes] == [3] and not res.dropped
    day = clean.days[3].isoformat()
    cases = {
        "dup": ([f"a,{SCHOOL},{day},present"], False, "repeating a student, school and date"),
        "status": ([f"a,{SCHOOL},{day},late"], False, "unknown status"),
        "unknown id": ([f"zz,{SCHOOL},{day},present"], False, "not enrolled at that school"),
        "other school": ([f"a,{SCHOOL2},{day},present"], False, "not enrolled at that school"),
        "weekend": ([f"a,{SCHOOL},2021-01-09,present"], False, "not an instructional day"),
        "bad date": ([f"a,{SCHOOL},01/05/2021,present"], False, "not an ISO date"),
        "two schools": ([], True, "placing a student at two schools on the same day"),
    }
    for name, (extra, overlap, words) in cases.items():
        d = make(name.replace(" ", "_"), extra, overlap)
        with pytest.raises(InputError, match=words):
            compute_engagement(d.write())
        res = compute_engagement(d.folder, lenient=True)
        assert not res.short_path, name
        assert any(words in i.message() for i in res.dropped), name


def test_reasons_worded_once_per_combination_and_row_by_row_when_too_large():
    """The reasons are worded once per distinct combination of their figures; figures too
    large to pack into one integer key are worded row by row, with the same words."""
    from equitable.engagement._outputs import add_reason_codes, add_reasons

    big = 2**40
    frame = pd.DataFrame({
        "never_engaged": [False, False, False, True],
        "missing": [True, True, False, True],
        "current_absence_streak": [4, 4, 2, 0],
        "chronically_absent": [True, True, None, False],
        "sb98_weeks_flagged": [1, 1, 0, 2],
        "last_activity_date": ["", "", "2021-01-05", ""],
        "last_participation_date": ["", "", "", ""],
        "days_absent": [3, 3, 1, 0],
        "days_enrolled": [20, 20, 40, 0],
    })
    missing = "missing: not present and no platform activity in the last 10 instructional days"
    first = (f"{missing}; absent the last 4 instructional days in a row; chronically absent: "
             "absent 3 of 20 days enrolled (15.0%); 1 week meeting the SB 98 re-engagement trigger")
    assert add_reasons(frame, 10) == [
        first, first,
        "logs in to the learning platform but has never submitted work or joined live "
        "instruction",
        "never engaged: no day present and no platform activity since enrolling; 2 weeks "
        "meeting the SB 98 re-engagement trigger",
    ]
    huge = frame.assign(days_absent=[big, 3, 1, 0], days_enrolled=[big, 20, 40, 0])
    got = add_reason_codes(huge, 10)
    assert got[0] == (f"missing{{days=10}}; absent_streak{{days=4}}; chronic{{absent={big}, "
                      f"enrolled={big}}}; sb98_weeks{{weeks=1}}")
    assert got[1:] == add_reason_codes(frame, 10)[1:]
