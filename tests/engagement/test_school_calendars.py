"""Schools with calendars of their own: a day off at one school is not a day of its calendar
(day indices, streaks and days enrolled skip it), while the other school keeps it."""

from __future__ import annotations

import pytest

from equitable.engagement import compute_engagement
from equitable.errors import InputError

from .conftest import SCHOOL, SCHOOL2

DAY_OFF = "2021-01-06"  # a Wednesday: instructional at SCHOOL, a day off at SCHOOL2


def _folder(district, extra_rows=()):
    d = district(n_days=10)
    # A at SCHOOL2: absent the days just before and after its day off, present otherwise.
    d.add("S_A", "PUUUPPPPPP", school=SCHOOL2)
    # B at SCHOOL: absent days 1-3 (the day off of SCHOOL2 included), present otherwise.
    d.add("S_B", "PUUUPPPPPP", school=SCHOOL)
    d.attendance = [r for r in d.attendance if not (r.startswith("S_A,") and DAY_OFF in r)]
    d.attendance += list(extra_rows)
    folder = d.write()
    cal = folder / "calendar.csv"
    lines = cal.read_text().splitlines()
    lines = [ln.replace(",Y", ",N") if ln.startswith(f"{SCHOOL2},{DAY_OFF}") else ln
             for ln in lines]
    cal.write_text("\n".join(lines) + "\n")
    return folder


def test_a_school_day_off_is_skipped_by_that_school_only(district):
    res = compute_engagement(_folder(district))
    raw = res.raw.set_index("student_id")
    # A: 10 weekdays minus the day off = 9 days enrolled; the two absences around the day off
    # are consecutive instructional days, so the streak is 2 (and A is absent 2 of 9 days).
    assert raw.loc["S_A", "days_enrolled"] == 9
    assert raw.loc["S_A", "days_absent"] == 2
    assert raw.loc["S_A", "longest_absence_streak"] == 2
    # B's school keeps the day: 10 days enrolled, three absences in a row.
    assert raw.loc["S_B", "days_enrolled"] == 10
    assert raw.loc["S_B", "days_absent"] == 3
    assert raw.loc["S_B", "longest_absence_streak"] == 3


def test_attendance_on_the_day_off_is_not_an_instructional_day(district):
    # Attendance file line 21 (header + 19 rows before it): A recorded on the day off.
    folder = _folder(district, extra_rows=[f"S_A,{SCHOOL2},{DAY_OFF},present"])
    with pytest.raises(InputError) as exc:
        compute_engagement(folder)
    msg = str(exc.value)
    assert ("attendance.csv: 1 row on a date that is not an instructional day of the school in "
            "the calendar (row 21)") in msg
    assert "S_A" not in msg


def test_a_re_enrollment_on_the_as_of_day_counts_as_enrolled_now(district):
    """Absent every day of a first enrollment (January 4-15), the student leaves and enrolls
    again on Saturday the 16th, the as-of day: no instructional day in the new enrollment yet,
    but the student is enrolled now, so never engaged and on the outreach queue."""
    import datetime as dt

    d = district(n_days=10)
    d.add("S_R", "UUUUUUUUUU", exit=True)  # exits on the 15th, the last day of the calendar
    d.students.append(d.students[-1].replace(",2021-01-04,2021-01-15,", ",2021-01-16,,"))
    res = compute_engagement(d.write(), as_of=dt.date(2021, 1, 16))
    row = res.raw.set_index("student_id").loc["S_R"]
    assert (row["days_enrolled"], row["days_absent"]) == (10, 10)
    assert bool(row["enrolled_now"]) and bool(row["never_engaged"])
    assert res.queue["student_id"].tolist() == ["S_R"]
