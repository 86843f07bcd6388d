"""Reasons as data: the pipeline's reason codes and their one message catalogue (issue 21.1)."""

from __future__ import annotations

import pytest

from equitable.engagement import compute_engagement
from equitable.engagement._reason_codes import (
    Reason,
    format_codes,
    parse_codes,
    reason_label,
    reason_labels,
)

ALL = ("never_engaged; missing{days=10}; absent_streak{days=24}; "
       "chronic{absent=15, enrolled=60}; sb98_weeks{weeks=3}; login_only")


def test_codes_round_trip_and_parameters():
    rs = parse_codes(ALL)
    assert [r.code for r in rs] == ["never_engaged", "missing", "absent_streak", "chronic",
                                    "sb98_weeks", "login_only"]
    assert rs[3].get("absent") == 15 and rs[3].get("enrolled") == 60
    assert format_codes(rs) == ALL
    # spacing is not part of the data: one spelling comes back
    assert format_codes(parse_codes("chronic{absent=1,enrolled=2};login_only")) == (
        "chronic{absent=1, enrolled=2}; login_only")
    assert parse_codes("") == [] and parse_codes(None) == []


@pytest.mark.parametrize("bad", [
    "absent the last 4 instructional days in a row",  # an English sentence is not a code
    "absent_streak", "absent_streak{weeks=3}", "absent_streak{days=-1}", "absent_streak{days=x}",
    "chronic{enrolled=60, absent=15}", "chronic{absent=15}", "never_engaged{days=1}", "streak{days=2}",
])
def test_malformed_codes_are_refused(bad):
    with pytest.raises(ValueError):
        parse_codes(bad)


def test_english_labels():
    assert [t for _, t in reason_labels(ALL, "en")] == [
        "Never engaged", "Missing 10 days", "Absent 24 days in a row",
        "Chronically absent: 15 of 60 days (25.0%)", "SB 98: 3 weeks",
        "Logs in, never participates"]
    # singular; percent rounded half up to one decimal (1/8 = 12.5%, 1/3 = 33.3%, 2/3 = 66.7%)
    assert reason_label(Reason("absent_streak", (("days", 1),)), "en") == "Absent 1 day in a row"
    assert reason_label(Reason("sb98_weeks", (("weeks", 1),)), "en") == "SB 98: 1 week"
    assert reason_label(Reason("chronic", (("absent", 2), ("enrolled", 3))), "en") == (
        "Chronically absent: 2 of 3 days (66.7%)")
    assert reason_label(Reason("chronic", (("absent", 1), ("enrolled", 3))), "en").endswith(
        "(33.3%)")


def test_spanish_labels_from_the_catalogue():
    assert [t for _, t in reason_labels(ALL, "es-MX")] == [
        "Nunca se conectó", "Sin asistencia ni actividad 10 días", "Ausente 24 días seguidos",
        "Ausentismo crónico: 15 de 60 días (25.0%)", "SB 98: 3 semanas",
        "Entra a la plataforma, nunca participa"]
    assert reason_label(Reason("absent_streak", (("days", 1),)), "es") == "Ausente 1 día seguido"
    assert reason_label(Reason("missing", (("days", 1),)), "ES") == (
        "Sin asistencia ni actividad 1 día")
    assert reason_label(Reason("sb98_weeks", (("weeks", 0),)), "es") == "SB 98: 0 semanas"
    # a language without a catalogue gets English, never an error
    assert reason_label(Reason("never_engaged"), "vi") == "Never engaged"


def test_badges_are_short():
    """Badges are scanned, not read: every label is far shorter than the old sentences."""
    for lang in ("en", "es"):
        assert max(len(t) for _, t in reason_labels(ALL, lang)) <= 45


def test_pipeline_writes_codes_next_to_the_english_reasons(district):
    d = district(n_days=40)
    d.add("q_streak12", "P" * 28 + "U" * 12)   # missing, streak 12, chronic 12/40, 2 SB 98 weeks
    d.add("q_never", "U" * 40)
    d.add("q_fine", "U" + "P" * 39)            # not on the list
    res = compute_engagement(d.write())
    q = res.queue.set_index("student_id")
    assert q.loc["q_streak12", "reason_codes"] == (
        "missing{days=10}; absent_streak{days=12}; chronic{absent=12, enrolled=40}; "
        "sb98_weeks{weeks=2}")
    # the old English column is kept, unchanged, for readers of the old files
    assert q.loc["q_streak12", "reasons"].startswith("missing: not present and no platform")
    assert q.loc["q_never", "reason_codes"].startswith("never_engaged; absent_streak{days=40}")
    assert list(res.queue.columns)[-2:] == ["reasons", "reason_codes"]
    s = res.students.set_index("student_id")
    assert s.loc["q_fine", "reason_codes"] == "" and s.loc["q_fine", "reasons"] == ""
    assert s.loc["q_streak12", "reason_codes"] == q.loc["q_streak12", "reason_codes"]
    # every code the pipeline writes parses and renders in both languages
    for codes in res.students["reason_codes"]:
        for lang in ("en", "es"):
            assert all(t for _, t in reason_labels(codes, lang))
