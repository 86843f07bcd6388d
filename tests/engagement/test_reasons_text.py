"""``reasons_text``: the outreach queue's English reasons worded in Spanish (hand-written
expectations), English and free text unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.engagement import reasons_text
from equitable.engagement._outputs import add_reasons

NEVER = "never engaged: no day present and no platform activity since enrolling"
NEVER_ES = ("nunca se conectó: ningún día presente y ninguna actividad en la plataforma desde la "
            "inscripción")
LOGIN = ("logs in to the learning platform but has never submitted work or joined live "
         "instruction")
LOGIN_ES = ("inicia sesión en la plataforma de aprendizaje pero nunca ha entregado tareas ni ha "
            "participado en clases en vivo")

CASES = [
    (NEVER, NEVER_ES),
    ("missing: not present and no platform activity in the last 10 instructional days",
     ("sin contacto: sin asistencia ni actividad en la plataforma en los últimos 10 días de "
      "instrucción")),
    ("missing: not present and no platform activity in the last 1 instructional days",
     ("sin contacto: sin asistencia ni actividad en la plataforma en el último día de "
      "instrucción")),
    ("absent the last 12 instructional days in a row",
     "ausente los últimos 12 días de instrucción seguidos"),
    ("absent the last 1 instructional days in a row",
     "ausente el último día de instrucción"),
    ("chronically absent: absent 12 of 40 days enrolled (30.0%)",
     "ausentismo crónico: ausente 12 de 40 días de inscripción (30.0%)"),
    ("chronically absent: absent 1 of 1 days enrolled (100.0%)",
     "ausentismo crónico: ausente 1 de 1 día de inscripción (100.0%)"),
    ("chronically absent: absent 7 of 66 days enrolled (10.6%)",
     "ausentismo crónico: ausente 7 de 66 días de inscripción (10.6%)"),
    ("1 week meeting the SB 98 re-engagement trigger",
     "1 semana que cumple el criterio de reintegración de la ley SB 98"),
    ("2 weeks meeting the SB 98 re-engagement trigger",
     "2 semanas que cumplen el criterio de reintegración de la ley SB 98"),
    ("0 weeks meeting the SB 98 re-engagement trigger",
     "0 semanas que cumplen el criterio de reintegración de la ley SB 98"),
    (LOGIN, LOGIN_ES),
]


@pytest.mark.parametrize(("english", "spanish"), CASES)
def test_each_template_in_spanish(english, spanish):
    assert reasons_text(english, "es") == spanish
    assert reasons_text(english, "en") == english


def test_several_parts_keep_their_order_and_separator():
    english = ("missing: not present and no platform activity in the last 10 instructional days; "
               "absent the last 12 instructional days in a row; chronically absent: absent 12 of "
               "40 days enrolled (30.0%); 2 weeks meeting the SB 98 re-engagement trigger")
    assert reasons_text(english, "es") == (
        "sin contacto: sin asistencia ni actividad en la plataforma en los últimos 10 días de "
        "instrucción; ausente los últimos 12 días de instrucción seguidos; ausentismo crónico: "
        "ausente 12 de 40 días de inscripción (30.0%); 2 semanas que cumplen el criterio de "
        "reintegración de la ley SB 98")
    assert reasons_text(english, "en") == english
    assert reasons_text(f"{NEVER}; {LOGIN}", "es") == f"{NEVER_ES}; {LOGIN_ES}"


def test_free_text_and_unknown_parts_are_unchanged():
    free = "no presence or activity in the last 10 instructional days"
    assert reasons_text(free, "es") == free
    assert reasons_text("called twice; no answer;;  ", "es") == "called twice; no answer;;  "
    # a known part among unknown ones is worded, the others kept
    assert reasons_text(f"referred by the counselor; {NEVER}", "es") == (
        f"referred by the counselor; {NEVER_ES}")
    # near misses are not templates: anchored, exact wording, ASCII digits, one decimal
    for near in (f" {NEVER}", f"{NEVER}.", NEVER.upper(),
                 "absent the last ١٢ instructional days in a row",
                 "absent the last many instructional days in a row",
                 "chronically absent: absent 12 of 40 days enrolled (30%)",
                 "chronically absent: absent 12 of 40 days enrolled (30.00%)"):
        assert reasons_text(near, "es") == near
    # parts are split on "; " only
    assert reasons_text(f"{NEVER};{LOGIN}", "es") == f"{NEVER};{LOGIN}"
    assert reasons_text("", "es") == ""


def test_languages():
    text = f"{NEVER}; absent the last 3 instructional days in a row"
    spanish = f"{NEVER_ES}; ausente los últimos 3 días de instrucción seguidos"
    assert reasons_text(text, "en") == text
    for lang in ("es", "ES", "es-MX", "es_US", " es "):
        assert reasons_text(text, lang) == spanish
    for lang in ("fr", "zh", "", "english"):
        assert reasons_text(text, lang) == text
    with pytest.raises(TypeError):
        reasons_text(None, "es")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        reasons_text(text, None)  # type: ignore[arg-type]


def test_every_part_add_reasons_writes_is_recognised():
    """The templates here follow ``add_reasons`` (guards against one changing alone)."""
    df = pd.DataFrame({
        "never_engaged": [True, False, False],
        "missing": [False, True, False],
        "current_absence_streak": [40, 12, 0],
        "chronically_absent": [True, True, True],
        "days_absent": [40, 13, 1],
        "days_enrolled": [40, 66, 1],
        "sb98_weeks_flagged": [8, 1, 2],
        "last_activity_date": ["", "2020-09-01", "2020-09-02"],
        "last_participation_date": ["", "", "2020-09-02"],
    })
    rows = add_reasons(df, 7)
    assert rows[1] == (
        "missing: not present and no platform activity in the last 7 instructional days; "
        "absent the last 12 instructional days in a row; chronically absent: absent 13 of 66 "
        f"days enrolled (19.7%); 1 week meeting the SB 98 re-engagement trigger; {LOGIN}")
    assert reasons_text(rows[1], "es") == (
        "sin contacto: sin asistencia ni actividad en la plataforma en los últimos 7 días de "
        "instrucción; ausente los últimos 12 días de instrucción seguidos; ausentismo crónico: "
        "ausente 13 de 66 días de inscripción (19.7%); 1 semana que cumple el criterio de "
        f"reintegración de la ley SB 98; {LOGIN_ES}")
    for row in rows:
        spanish = reasons_text(row, "es")
        for english, es in zip(row.split("; "), spanish.split("; "), strict=True):
            assert english != es, english
