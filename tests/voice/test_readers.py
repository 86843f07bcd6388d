"""Platform exports -> long table: hand-written files with the answers worked out by hand, the
synthetic exports of every platform, and malformed exports with their exact error messages."""

from __future__ import annotations

import pandas as pd
import pytest

from equitable.errors import InputError
from equitable.voice import PLATFORMS, detect_platform, read_export, synth_survey, write_export

QUALTRICS = """\
StartDate,ResponseId,UserLanguage,SCHOOL,STUDENT_GROUP,Q1,Q2,Q3,Q4,Q5,Q6
Start Date,Response ID,User Language,School,Group,I feel welcome at my child's school.,Staff,Tells,Messages,Supports,First
"{""ImportId"":""startDate""}","{""ImportId"":""_recordId""}","{""ImportId"":""userLanguage""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}","{""ImportId"":""QID3""}","{""ImportId"":""QID4""}","{""ImportId"":""QID5""}","{""ImportId"":""QID6""}","{""ImportId"":""QID7""}","{""ImportId"":""QID8""}"
2026-03-02,R_a,EN,001,English learner,Agree,Strongly agree,Disagree,Yes,"Tutoring,Counseling, mental health",Call Ms. Garcia at 213-555-0100
2026-03-02,R_b,ES,001,Ninguno de estos,Muy en desacuerdo,De acuerdo,,No,Comidas,
2026-03-02,R_c,EN,002,None of these,4,3,2,Yes,,
"""

# the long table worked out by hand from the three rows above
QUALTRICS_LONG = [
    ("R_a", "q1", "3"), ("R_a", "q2", "4"), ("R_a", "q3", "2"), ("R_a", "q4", "yes"),
    ("R_a", "q5", "mental_health"), ("R_a", "q5", "tutoring"),
    ("R_a", "q6", "Call Ms. [name] at [phone]"),
    ("R_b", "q1", "1"), ("R_b", "q2", "3"), ("R_b", "q4", "no"), ("R_b", "q5", "meals"),
    ("R_c", "q1", "4"), ("R_c", "q2", "3"), ("R_c", "q3", "2"), ("R_c", "q4", "yes"),
]

GOOGLE = """\
Timestamp,I feel welcome at my child's school.,Which supports would help your child most?,Does any of these describe your child?,What should the district do first to help students recover?
2026/03/02 8:15:32 AM PST,Strongly agree,"Tutoring, A laptop, tablet or internet, Counseling, mental health",English learner,More tutoring
2026/03/02 9:01:10 AM PST,Disagree,,None of these,
"""

SURVEYMONKEY = """\
Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,¿Qué apoyos ayudarían más a su hijo/a?,,,,,Me siento bienvenido/a en la escuela de mi hijo/a.,Escuela (código CDS)
,,,,,,,,,Tutoría,"Computadora, tableta o internet",Comidas,"Consejería, salud mental",Transporte,Response,Open-Ended Response
114001,400001,03/02/2026,03/02/2026,,,,,,Tutoría,,Comidas,,,De acuerdo,19647330100289
114002,400001,03/02/2026,03/02/2026,,,,,,,"Computadora, tableta o internet",,,Transporte,Muy en desacuerdo,19647330100289
"""

KOBO = """\
start;end;grp_about/school;grp_voice/q1;grp_voice/q5;grp_voice/q5/tutoring;grp_voice/q5/devices;grp_voice/q5/meals;grp_voice/q5/mental_health;grp_voice/q5/transport;_id;_uuid;_submission_time
2026-03-02;2026-03-02;19647330100289;4;tutoring meals;1;0;1;0;0;11;uuid-1;2026-03-02
2026-03-02;2026-03-02;19647330102434;2;;;;;;;12;uuid-2;2026-03-02
"""


# the questions each hand-written export above does not ask (every other one must have a column)
Q_NOT_ASKED = ("race_ethnicity", "grade_span")
G_NOT_ASKED = ("q2", "q3", "q4", "school", "race_ethnicity", "grade_span")
SM_NOT_ASKED = ("q2", "q3", "q4", "q6", "race_ethnicity", "grade_span", "student_group")
K_NOT_ASKED = SM_NOT_ASKED


def _long(data) -> list[tuple[str, str, str]]:
    return sorted(map(tuple, data.responses[["respondent_id", "item", "response"]].to_numpy()))


def test_qualtrics_three_header_rows(inst, write):
    p = write("q.csv", QUALTRICS)
    assert detect_platform(p) == "qualtrics"
    data = read_export(p, inst, not_asked=Q_NOT_ASKED)
    assert _long(data) == sorted(QUALTRICS_LONG)
    r = data.respondents
    assert list(r["respondent_id"]) == ["R_a", "R_b", "R_c"]
    assert list(r["language"]) == ["en", "es", "en"]
    assert list(r["student_group"]) == ["english_learner", "none", "none"]
    assert list(r["school"]) == ["001", "001", "002"]  # leading zeros kept
    assert list(r["source_row"]) == [4, 5, 6]  # data start on line 4
    assert list(r["race_ethnicity"]) == ["", "", ""]  # not asked in this export


def test_google_forms_checkboxes_joined_with_commas(inst, write):
    p = write("g.csv", GOOGLE)
    assert detect_platform(p) == "google"
    data = read_export(p, inst, "google", language="en", not_asked=G_NOT_ASKED)
    # labels that hold commas ("A laptop, tablet or internet") are split correctly
    assert _long(data) == sorted([
        ("gf-g-000002", "q1", "4"), ("gf-g-000002", "q5", "tutoring"),
        ("gf-g-000002", "q5", "devices"), ("gf-g-000002", "q5", "mental_health"),
        ("gf-g-000002", "q6", "More tutoring"), ("gf-g-000003", "q1", "2"),
    ])
    assert list(data.respondents["language"]) == ["en", "en"]


def test_surveymonkey_two_header_rows_one_column_per_option(inst, write):
    p = write("sm.csv", SURVEYMONKEY)
    assert detect_platform(p) == "surveymonkey"
    data = read_export(p, inst, "surveymonkey", language="es", not_asked=SM_NOT_ASKED)
    assert _long(data) == sorted([
        ("114001", "q5", "tutoring"), ("114001", "q5", "meals"), ("114001", "q1", "3"),
        ("114002", "q5", "devices"), ("114002", "q5", "transport"), ("114002", "q1", "1"),
    ])
    assert list(data.respondents["school"]) == ["19647330100289", "19647330100289"]
    assert list(data.respondents["source_row"]) == [3, 4]


def test_kobo_group_prefixes_and_select_multiple(inst, write):
    p = write("k.csv", KOBO)
    assert detect_platform(p) == "kobo"
    data = read_export(p, inst, "kobo", not_asked=K_NOT_ASKED)
    assert _long(data) == sorted([
        ("uuid-1", "q1", "4"), ("uuid-1", "q5", "tutoring"), ("uuid-1", "q5", "meals"),
        ("uuid-2", "q1", "2"),
    ])
    assert list(data.respondents["school"]) == ["19647330100289", "19647330102434"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_synthetic_exports_round_trip(inst, tmp_path, platform):
    truth = synth_survey(inst, 60, seed=7)
    lang = "es" if platform in ("google", "surveymonkey") else None
    p = write_export(truth, inst, platform, tmp_path / f"{platform}.csv", language=lang)
    got = read_export(p, inst, platform, language=lang)
    sub = truth.respondents if lang is None else truth.respondents[
        truth.respondents["language"] == lang]
    assert len(got.respondents) == len(sub)
    ids = dict(zip(got.respondents["respondent_id"], sub["respondent_id"]))
    a = got.responses.assign(respondent_id=got.responses["respondent_id"].map(ids))
    b = truth.responses[truth.responses["respondent_id"].isin(sub["respondent_id"])]
    closed = lambda d: sorted(map(tuple, d[d["item"] != "q6"].to_numpy()))
    assert closed(a) == closed(b)
    for col in ("school", "race_ethnicity", "grade_span", "student_group"):
        assert list(got.respondents[col]) == list(sub[col])
    # open-ended answers are scrubbed on the way in
    text = " ".join(a.loc[a["item"] == "q6", "response"])
    assert "555-01" not in text and "@example.org" not in text
    assert "Daniel" not in text and "Camila" not in text


# -- malformed exports ---------------------------------------------------------------------------


def test_qualtrics_missing_header_rows(inst, write):
    lines = QUALTRICS.splitlines()
    p = write("q.csv", "\n".join([lines[0]] + lines[3:]) + "\n")
    with pytest.raises(InputError) as e:
        read_export(p, inst, "qualtrics", not_asked=Q_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 3: expected Qualtrics' three header rows (export tags, question text, "
        "ImportId); row 3 holds no {\"ImportId\": ...} cells (header rows missing or the file "
        "was re-saved)"
    )


def test_unknown_item_column(inst, write):
    p = write("q.csv", QUALTRICS.replace(",Q6\n", ",Q99\n", 1))
    with pytest.raises(InputError) as e:
        read_export(p, inst, "qualtrics", not_asked=Q_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 1, column 'Q99': not an item of instrument 'family-climate-example' "
        "(add it to the instrument's items, aliases or ignore_columns)"
    )


def test_duplicate_respondent(inst, write):
    p = write("q.csv", QUALTRICS.replace(",R_c,", ",R_a,"))
    with pytest.raises(InputError) as e:
        read_export(p, inst, "qualtrics", not_asked=Q_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 6, column 'ResponseId': duplicate respondent (same id as row 4)"
    )


def test_answers_outside_the_scale_all_reported(inst, write):
    text = QUALTRICS.replace("Muy en desacuerdo,De acuerdo", "Maybe,De acuerdo").replace(
        "EN,002,None of these,4,3", "EN,002,None of these,5,3")
    p = write("q.csv", text)
    with pytest.raises(InputError) as e:
        read_export(p, inst, "qualtrics", not_asked=Q_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 5, column 'Q1': 'Maybe' is not an answer of scale 'agree4' "
        "(allowed: 1, 2, 3, 4) (and 1 more problem)"
    )


def test_unknown_option_in_multiple_answer(inst, write):
    p = write("g.csv", GOOGLE.replace("Tutoring, A laptop", "Tutoring, Horses, A laptop"))
    with pytest.raises(InputError) as e:
        read_export(p, inst, "google", not_asked=G_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 2, column 'Which supports would help your child most?': 'horses' is not an "
        "option of scale 'supports' (allowed: tutoring, devices, meals, mental_health, "
        "transport)"
    )


def test_surveymonkey_missing_second_header_row(inst, write):
    lines = SURVEYMONKEY.splitlines()
    p = write("sm.csv", "\n".join([lines[0]] + lines[2:]) + "\n")
    with pytest.raises(InputError) as e:
        read_export(p, inst, "surveymonkey", not_asked=SM_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 2: expected SurveyMonkey's two header rows (question, then 'Response' or "
        "option labels); row 2 holds answers (the second header row is missing)"
    )


def test_kobo_indicator_columns_must_agree(inst, write):
    p = write("k.csv", KOBO.replace("tutoring meals;1;0;1", "tutoring meals;1;1;1"))
    with pytest.raises(InputError) as e:
        read_export(p, inst, "kobo", not_asked=K_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 2, column 'grp_voice/q5': the chosen options disagree with the 0/1 option "
        "columns"
    )


def test_unknown_platform_and_undetectable_file(inst, write):
    p = write("x.csv", "a,b\n1,2\n")
    with pytest.raises(InputError) as e:
        read_export(p, inst)
    assert str(e.value) == (f"{p}, row 1: cannot tell which platform exported this file; pass "
                            "the platform (qualtrics, google, surveymonkey, kobo)")
    with pytest.raises(InputError, match="The 'platform' parameter of read_export must be"):
        read_export(p, inst, "typeform")


def test_empty_and_header_only_files(inst, write):
    with pytest.raises(InputError, match="the file is empty"):
        read_export(write("e.csv", ""), inst, "google")
    p = write("h.csv", GOOGLE.splitlines()[0] + "\n")
    with pytest.raises(InputError) as e:
        read_export(p, inst, "google", not_asked=G_NOT_ASKED)
    assert str(e.value) == f"{p}: no responses below the header rows"


def test_concat_rejects_duplicate_respondents(inst, write):
    a = read_export(write("a.csv", QUALTRICS), inst, not_asked=Q_NOT_ASKED)
    b = read_export(write("b.csv", QUALTRICS), inst, not_asked=Q_NOT_ASKED)
    with pytest.raises(InputError, match="3 respondent ids also appear in an earlier export"):
        a.concat(b)
    g = read_export(write("g.csv", GOOGLE), inst, language="en", not_asked=G_NOT_ASKED)
    both = a.concat(g)
    assert len(both.respondents) == 5
    assert isinstance(both.responses, pd.DataFrame)


def test_surveymonkey_matrix_statements_and_bom(inst, write):
    # a matrix question: the question once in row 1, one statement per column in row 2
    text = ("\ufeffRespondent ID,Collector ID,How much do you agree?,\n"
            ",,I feel welcome at my child's school.,Staff respect my family's culture.\n"
            "9001,1,Agree,Strongly disagree\n"
            "9002,1,,Strongly agree\n")
    data = read_export(write("sm.csv", text), inst, "surveymonkey",
                       not_asked=("q3", "q4", "q5", "q6", "school", *Q_NOT_ASKED,
                                  "student_group"))
    assert _long(data) == sorted([("9001", "q1", "3"), ("9001", "q2", "1"),
                                  ("9002", "q2", "4")])


def test_qualtrics_numeric_codes_and_odk_central_dashes(inst, write):
    # Qualtrics "Use numeric values": the cells hold answer codes, multiple answers "1,3"
    lines = QUALTRICS.splitlines()
    rows = [lines[0], lines[1], lines[2],
            "2026-03-02,R_x,ES,003,none,4,1,,yes,\"tutoring,meals\","]
    data = read_export(write("q.csv", "\n".join(rows) + "\n"), inst, not_asked=Q_NOT_ASKED)
    assert _long(data) == sorted([("R_x", "q1", "4"), ("R_x", "q2", "1"), ("R_x", "q4", "yes"),
                                  ("R_x", "q5", "tutoring"), ("R_x", "q5", "meals")])
    odk = ("SubmissionDate,about-school,voice-q1,voice-q5,meta-instanceID,KEY\n"
           "2026-03-02,0019,3,devices transport,uuid:1,uuid:1\n")
    data = read_export(write("odk.csv", odk), inst, "kobo", not_asked=K_NOT_ASKED)
    assert _long(data) == sorted([("uuid:1", "q1", "3"), ("uuid:1", "q5", "devices"),
                                  ("uuid:1", "q5", "transport")])
    assert list(data.respondents["school"]) == ["0019"]


def test_qualtrics_previews_and_spam_left_out_and_counted(inst, write):
    lines = QUALTRICS.splitlines()
    head = ["Status," + lines[0], "Response Type," + lines[1],
            '"{""ImportId"":""status""}",' + lines[2]]
    rows = ["IP Address," + lines[3], "Survey Preview," + lines[4], "8," + lines[5]]
    data = read_export(write("q.csv", "\n".join(head + rows) + "\n"), inst,
                       not_asked=Q_NOT_ASKED)
    assert list(data.respondents["respondent_id"]) == ["R_a"]
    assert data.notes == [("q.csv: left out 2 survey preview, test or spam responses "
                           "(column Status)"),
                          ("q.csv: no column for race_ethnicity, grade_span (not asked: "
                           "--not-asked)")]


def test_roster_names_scrubbed_from_open_answers(inst, write):
    p = write("g.csv", GOOGLE.replace("More tutoring", "More tutoring like Rosa gives"))
    data = read_export(p, inst, "google", names=["Rosa"], not_asked=G_NOT_ASKED)
    assert data.responses.loc[data.responses["item"] == "q6", "response"].item() == \
        "More tutoring like [name] gives"


@pytest.mark.parametrize("name", ["export_qualtrics.csv", "export_google_es.csv",
                                  "export_surveymonkey.csv", "export_kobo.csv"])
def test_shipped_example_exports_read(inst, name):
    from .conftest import EXAMPLES  # noqa: TID252

    data = read_export(EXAMPLES / name, inst, language="es" if "_es" in name else None)
    truth = synth_survey(inst, 24, seed=42)  # how examples/voice was generated
    n = (truth.respondents["language"] == "es").sum() if "_es" in name else 24
    assert len(data.respondents) == n
