"""The integer-keyed ways the pipeline makes its tables (pair keys, category bits, Arrow ranks,
day sets read word by word) give what the text-keyed ways give, and their edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from equitable.engagement import _fast, _pipeline, compute_engagement
from equitable.engagement import _outputs as O
from equitable.errors import InputError

A, B, C = "19647330000001", "19647330000002", "19647340000001"  # A, B one district; C another


def _frames(with_keys: bool):
    """Five student-school rows: S2 at two schools of one district, S3 at two districts."""
    d = pd.DataFrame({
        "student_id": ["S1", "S2", "S2", "S3", "S3"],
        "school_id": [A, A, B, A, C],
        "days_enrolled": [40, 20, 25, 30, 10],
        "days_absent": [4, 1, 4, 2, 0],
    })
    attrs = pd.DataFrame({
        "student_id": d["student_id"], "school_id": d["school_id"],
        "grade": ["3", "7", "8", "K", "K"], "english_learner": ["Y", "N", "N", "N", "N"],
        "low_income": ["Y", "Y", "Y", "N", "N"], "foster": ["N", "N", "Y", "N", "N"],
        "homeless": ["N", "N", "N", "N", "Y"], "disability": ["N"] * 5,
        "race_ethnicity": ["RH", "RB", "RB", "RW", "RW"],
    })
    if with_keys:
        s_rank = pd.factorize(d["student_id"], sort=True)[0]
        sch_rank = pd.factorize(d["school_id"], sort=True)[0]
        d["_pair"] = attrs["_pair"] = O.pair_key(s_rank, sch_rank)
        attrs[O.CATS] = O.category_bits(attrs)
        attrs = attrs.drop(columns=["english_learner", "low_income", "disability",
                                    "race_ethnicity"])
    return d, attrs


def test_summary_counts_on_pair_keys_and_category_bits_equal_the_text_path():
    keyed = O.summary_counts(*_frames(True))
    text = O.summary_counts(*_frames(False))
    pd.testing.assert_frame_equal(keyed, text)
    # By hand: district 1964733 (schools A and B) counts S2 once, with 20 + 25 = 45 days and
    # 5 absences (11.1%: chronically absent), and the attributes of the later school B (grade
    # 8, foster); S1 has 4 of 40 (10%: chronic); S3 at A has 30 days (under 31: not eligible).
    dist = keyed[(keyed["level"] == "D") & (keyed["cds"] == "19647330000000")].set_index("code")
    assert dist.loc["TA", ["n", "el", "ch"]].tolist() == [3, 2, 2]
    assert dist.loc["SF", ["n", "el", "ch"]].tolist() == [1, 1, 1]  # S2 as at school B
    assert dist.loc["GR78", ["n", "el", "ch"]].tolist() == [1, 1, 1]
    school_b = keyed[(keyed["level"] == "S") & (keyed["cds"] == B)].set_index("code")
    assert school_b.loc["TA", ["n", "el", "ch"]].tolist() == [1, 0, 0]  # 25 days: not eligible
    other = keyed[(keyed["level"] == "D") & (keyed["cds"] == "19647340000000")]
    assert other.set_index("code").loc["TA", ["n", "el", "ch"]].tolist() == [1, 0, 0]


def test_category_bits_hold_the_same_memberships_as_the_columns():
    _, attrs = _frames(False)
    masks = O._member_masks(attrs)
    from_bits = O._member_masks(attrs.assign(**{O.CATS: O.category_bits(attrs)}))
    assert list(from_bits) == [code for code, _ in O.CATEGORIES]
    for code in masks:
        assert (masks[code] == from_bits[code]).all(), code
    assert from_bits["SF"].tolist() == [False, False, True, False, False]


def test_queue_order_on_pair_keys_equals_the_text_sort():
    rows = 6
    d = pd.DataFrame({
        # ties on every flag: the order falls to school_id, then student_id
        "student_id": ["S10", "S9", "S2", "S1", "S3", "S4"],
        "school_id": [B, A, B, A, A, B],
        "days_enrolled": [40] * rows, "days_absent": [8, 8, 8, 8, 2, 40],
        "current_absence_streak": [0, 0, 0, 0, 0, 40],
        "chronically_absent": [True, True, True, True, False, True],
        "never_engaged": [False] * 5 + [True], "missing": [False] * rows,
        "enrolled_now": [True] * rows, "sb98_weeks_flagged": [0, 0, 0, 0, 1, 0],
        "last_present_date": ["2021-02-01"] * rows, "last_activity_date": [""] * rows,
        "last_participation_date": [""] * rows,
        "grade": ["3"] * rows, "foster": ["N"] * rows, "homeless": ["N"] * rows,
    })
    s_rank = pd.factorize(d["student_id"], sort=True)[0]
    sch_rank = pd.factorize(d["school_id"], sort=True)[0]
    keyed = O.outreach_queue(d.assign(_pair=O.pair_key(s_rank, sch_rank)), None, 10)
    text = O.outreach_queue(d, None, 10)
    pd.testing.assert_frame_equal(keyed, text)
    assert keyed["student_id"].tolist() == ["S4", "S1", "S9", "S10", "S2", "S3"]


@pytest.mark.parametrize("ids", [
    ["b", "a", "B", "a", "", " a", "a "],
    ["0012", "012", "12", "0012", "9"],
    ["é", "e", "z", "中", "😀", "É", "ß", "ss"],
])
def test_dense_ranks_by_arrow_equal_pandas_sorted_codes(ids):
    s = pd.Series(ids, dtype=object)
    want = pd.factorize(s, sort=True)[0]
    got = _pipeline._dense_rank(s)
    assert got.dtype == np.int32 and got.tolist() == want.tolist()


def test_dense_ranks_of_text_arrow_cannot_hold_fall_back_to_pandas():
    s = pd.Series(["b", "\ud800", "a"], dtype=object)  # a lone surrogate: not UTF-8
    assert _pipeline._dense_rank(s).tolist() == pd.factorize(s, sort=True)[0].tolist()


def test_day_words_whole_words_are_read_back_word_by_word():
    # 16 bytes (two words), the day sets' layout: the last byte holds days 0-7 (day 0 its
    # lowest bit), the first byte days 120-127 (day 127 its highest bit).
    blob = bytes([0b10000000] + [0] * 13 + [0b00000001, 0b00000101])
    words = _fast._day_words(pa.array([blob, None], pa.binary()), 128, 2)
    assert words.tolist() == [[1 | 1 << 2 | 1 << 8, 1 << 63], [0, 0]]


def test_day_set_halves_from_duckdb():
    import duckdb

    # N = 64 days: a present row on day 0 is the value 2N - 1 - 0 = 127, an absence on day 5
    # the value N - 1 - 5 = 58, an absence on day 63 the value 0.
    blob = duckdb.connect().execute("SELECT bitstring_agg(v, 0, 127)::BLOB FROM (VALUES "
                                    "(127), (58), (0)) t(v)").fetchone()[0]
    a, b = _fast._split_halves(pa.array([blob], pa.binary()), 64)
    assert a.tolist() == [[1 | 1 << 5 | 1 << 63]]
    assert b.tolist() == [[1 << 5 | 1 << 63]]


def _without_instructional_days(district):
    """A one-student district whose calendar has every day ``N``."""
    d = district(n_days=5)
    d.add("SECRET01", "PPPPP")
    folder = d.write()
    cal = folder / "calendar.csv"
    cal.write_text(cal.read_text().replace(",Y\n", ",N\n"))
    return folder


def test_a_calendar_without_any_instructional_day_is_one_clear_error(district):
    """Found while restructuring: this was a traceback (an empty list of days compared with
    the attendance's date text)."""
    folder = _without_instructional_days(district)
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    assert "SECRET01" not in str(exc.value)
    assert str(exc.value) == (
        "calendar.csv: no day is an instructional day (no row has instructional = Y)")


def test_no_usable_student_is_named_before_a_calendar_without_instructional_days(district):
    """Both problems at once: the students' message comes first, as before this round (found by
    a tester comparing the old and new code)."""
    folder = _without_instructional_days(district)
    (folder / "students.csv").write_text((folder / "students.csv").read_text().split("\n")[0]
                                         + "\n")
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    assert str(exc.value) == "students.csv: no usable student rows (the file has a header only)"
