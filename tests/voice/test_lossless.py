"""Survey exports lose nothing (issue 14, item 4): a question without a column, two Kobo columns
for one question, a row cut short, impossible Qualtrics Finished/Progress are errors; Qualtrics'
question text, ImportId, Finished and Progress are kept; Google Forms' "Other:" text is kept
whole; raking that cannot meet a margin exits 1 naming it, unless --allow-unconverged, and
`survey estimate` refuses such weights unless told the same. Files in the platforms' layouts,
answers worked out by hand."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from equitable.errors import InputError, SpecError
from equitable.voice import load_instrument, read_export

from .conftest import EXAMPLES
from .test_cli import run
from .test_readers import G_NOT_ASKED, GOOGLE, K_NOT_ASKED, KOBO, Q_NOT_ASKED, QUALTRICS

# Qualtrics "Data & Analysis > Export > CSV" with the metadata columns it always writes: row 1
# export tags, row 2 question text, row 3 ImportId JSON. Respondent R_2 stopped at 40%.
QUALTRICS_FULL = """\
StartDate,EndDate,Status,Progress,Duration (in seconds),Finished,ResponseId,UserLanguage,SCHOOL,RACE,GRADE,GROUP,Q1,Q2,Q3,Q4,Q5,Q6
Start Date,End Date,Response Type,Progress,Duration (in seconds),Finished,Response ID,User Language,School (CDS code),Your child's race or ethnicity,Your child's grade,Does any of these describe your child?,I feel welcome at my child's school.,Staff respect my family's culture.,The school tells me how my child is doing.,I get messages in my language.,Which supports would help your child most?,What should the district do first to help students recover?
"{""ImportId"":""startDate"",""timeZone"":""America/Los_Angeles""}","{""ImportId"":""endDate"",""timeZone"":""America/Los_Angeles""}","{""ImportId"":""status""}","{""ImportId"":""progress""}","{""ImportId"":""duration""}","{""ImportId"":""finished""}","{""ImportId"":""_recordId""}","{""ImportId"":""userLanguage""}","{""ImportId"":""QID10_TEXT""}","{""ImportId"":""QID11""}","{""ImportId"":""QID12""}","{""ImportId"":""QID13""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}","{""ImportId"":""QID3""}","{""ImportId"":""QID4""}","{""ImportId"":""QID5""}","{""ImportId"":""QID6_TEXT""}"
2026-03-02 08:00:00,2026-03-02 08:05:00,IP Address,100,300,True,R_1,EN,19647330100289,Hispanic or Latino,Elementary (K-5),None of these,Agree,Agree,Disagree,Yes,Tutoring,More tutoring
2026-03-02 08:10:00,2026-03-03 08:10:00,IP Address,40,86400,False,R_2,ES,19647330100289,Blanco,Secundaria (6-8),Ninguno de estos,De acuerdo,,,,,
"""


def _q_rows(*cells_by_row: dict[str, str]) -> str:
    """QUALTRICS_FULL with the given cells of its data rows replaced (by column tag)."""
    lines = QUALTRICS_FULL.splitlines()
    tags = lines[0].split(",")
    out = lines[:3]
    for line, change in zip(lines[3:], cells_by_row):
        cells = line.split(",")
        for tag, value in change.items():
            cells[tags.index(tag)] = value
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


# -- a question without a column -----------------------------------------------------------------


def test_question_column_missing_is_an_error(inst, write):
    # drop Q3's column: its answers (R_1 "Disagree") would vanish from every estimate
    lines = [",".join(c for k, c in enumerate(line.split(",")) if k != 14)
             for line in QUALTRICS_FULL.splitlines()]
    assert lines[0].split(",")[14] == "Q4"  # Q3 was column 15
    # row 3 holds JSON with commas: rebuild it from the full export without Q3's cell
    lines[2] = QUALTRICS_FULL.splitlines()[2].replace(',"{""ImportId"":""QID3""}"', "")
    p = write("q.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        read_export(p, inst)
    assert str(e.value) == (
        f"{p}, row 1: no column for item 'q3' of instrument 'family-climate-example' (its "
        "answers would be lost: export the question, add its column name to the item's "
        "aliases, or pass --not-asked q3 if this export does not ask it)")
    # told that this export does not ask q3: read, and said so
    data = read_export(p, inst, not_asked=["q3"])
    assert "q3" not in set(data.responses["item"])
    assert data.notes[0] == "q.csv: no column for q3 (not asked: --not-asked)"
    with pytest.raises(InputError, match="--not-asked 'q9' is not an item or attribute"):
        read_export(p, inst, not_asked=["q3", "q9"])


def test_missing_attribute_and_many_items_counted(inst, write):
    # the Google form asks 4 of the 10 questions: the first missing one is named, the rest counted
    p = write("g.csv", GOOGLE)
    with pytest.raises(InputError) as e:
        read_export(p, inst, "google")
    assert str(e.value) == (
        f"{p}, row 1: no column for item 'q2' of instrument 'family-climate-example' (its "
        "answers would be lost: export the question, add its column name to the item's "
        "aliases, or pass --not-asked q2 if this export does not ask it) (and 5 more problems)")


def test_surveymonkey_option_column_missing(inst, write):
    from .test_readers import SM_NOT_ASKED, SURVEYMONKEY

    # drop the 'Transporte' option column (the 14th column)
    lines = SURVEYMONKEY.splitlines()
    rows = list(csv.reader(io.StringIO(SURVEYMONKEY)))
    assert rows[1][13] == "Transporte"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([r[:13] + r[14:] for r in rows])
    assert len(lines) == 4
    p = write("sm.csv", text.getvalue())
    with pytest.raises(InputError) as e:
        read_export(p, inst, "surveymonkey", not_asked=SM_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 2, column '¿Qué apoyos ayudarían más a su hijo/a?': no column for option(s) "
        "transport of item 'q5' (their answers would be lost; export every option)")


# -- Kobo group paths that strip to the same name ------------------------------------------------


def test_kobo_same_name_in_two_groups_is_an_error(inst, write):
    # q1 asked in two groups (e.g. about the older and the younger child): two questions
    text = KOBO.replace("grp_voice/q1;", "grp_voice/q1;grp_younger/q1;").replace(
        "19647330100289;4;", "19647330100289;4;1;").replace(
        "19647330102434;2;", "19647330102434;2;3;")
    p = write("k.csv", text)
    with pytest.raises(InputError) as e:
        read_export(p, inst, "kobo", not_asked=K_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 1, column 'grp_younger/q1': group path differs from column 'grp_voice/q1' "
        "but both strip to question 'q1' (two questions, not one: give one its own item with "
        "the full path as alias, or put it in ignore_columns)")


def test_two_columns_for_one_question_is_an_error(inst, write):
    # Qualtrics: a column matched by its question text and another by its tag
    lines = QUALTRICS.splitlines()
    lines[0] = lines[0].replace("Q6", "Q2")  # tag Q2, text "First": now two columns for q2
    p = write("q.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        read_export(p, inst, not_asked=(*Q_NOT_ASKED, "q6"))
    assert str(e.value) == (
        f"{p}, row 1, column 'Q2': holds the same question ('q2') as column 'Q2'; two columns "
        "would merge two answers (put one in the instrument's ignore_columns, or give it its "
        "own item)")


# -- rows cut short ------------------------------------------------------------------------------


def test_row_with_too_few_fields_is_an_error(inst, write):
    # the last record cut after its 4th field (a download interrupted mid-row)
    text = QUALTRICS.rstrip("\n")
    text = text[: text.rindex("\n")] + "\n2026-03-02,R_c,EN,002\n"
    p = write("q.csv", text)
    with pytest.raises(InputError) as e:
        read_export(p, inst, not_asked=Q_NOT_ASKED)
    assert str(e.value) == (
        f"{p}, row 6: the file looks cut short (an interrupted download or copy): its last row "
        "has 4 fields, the header has 11; export the whole file again")


# -- Qualtrics: ImportId, question text, Finished, Progress --------------------------------------


def test_qualtrics_keeps_import_ids_question_text_and_progress(inst, write, tmp_path, capsys):
    p = write("q.csv", QUALTRICS_FULL)
    data = read_export(p, inst)
    r = data.respondents.set_index("respondent_id")
    assert list(r["finished"]) == ["true", "false"]
    assert list(r["progress"]) == ["100", "40"]
    assert data.notes == [("q.csv: 1 of 2 responses did not finish the survey (Finished = "
                           "False); kept, with their progress, in respondents.csv")]
    c = data.columns.set_index("column")
    assert len(c) == 18 and list(c["column_number"]) == list(range(1, 19))
    assert c.loc["Q1", "import_id"] == "QID1" and c.loc["Q1", "target"] == "q1"
    assert c.loc["Q1", "question_text"] == "I feel welcome at my child's school."
    assert c.loc["SCHOOL", "import_id"] == "QID10_TEXT" and c.loc["SCHOOL", "use"] == "attribute"
    assert c.loc["StartDate", "use"] == "metadata"
    assert c.loc["StartDate", "import_json"] == ('{"ImportId": "startDate", "timeZone": '
                                                 '"America/Los_Angeles"}')
    assert c.loc["Q6", "import_id"] == "QID6_TEXT" and c.loc["Q6", "use"] == "item"
    # through the command line: columns.csv and the run record keep them
    code, out, err = run(capsys, "survey", "read", str(EXAMPLES / "family_survey.toml"), str(p),
                         "--out", str(tmp_path / "s"))
    assert code == 0, err
    assert "note: q.csv: 1 of 2 responses did not finish the survey" in out
    cols = pd.read_csv(tmp_path / "s" / "columns.csv", dtype=str, keep_default_na=False)
    assert list(cols.loc[cols["target"] == "q5", ["column", "import_id"]].iloc[0]) == [
        "Q5", "QID5"]
    resp = pd.read_csv(tmp_path / "s" / "respondents.csv", dtype=str, keep_default_na=False)
    assert list(resp["progress"]) == ["100", "40"]
    run_json = json.loads((tmp_path / "s" / "run.json").read_text())
    assert run_json["extra"]["finished"] == 1 and run_json["extra"]["unfinished"] == 1
    assert "columns.csv" in run_json["outputs"]


@pytest.mark.parametrize("tag,value,message", [
    ("Progress", "140", "'140' is not a whole percent from 0 to 100"),
    ("Progress", "", "'' is not a whole percent from 0 to 100"),
    ("Finished", "Maybe", "'Maybe' is not True or False"),
])
def test_qualtrics_impossible_finished_or_progress(inst, write, tag, value, message):
    p = write("q.csv", _q_rows({}, {tag: value}))
    with pytest.raises(InputError) as e:
        read_export(p, inst)
    assert str(e.value) == f"{p}, row 5, column '{tag}': {message}"


def test_qualtrics_bad_import_id_cell(inst, write):
    text = QUALTRICS_FULL.replace('"{""ImportId"":""QID2""}"', "QID2")
    p = write("q.csv", text)
    with pytest.raises(InputError) as e:
        read_export(p, inst)
    assert str(e.value) == (f"{p}, row 3, column 'Q2': no {{\"ImportId\": ...}} cell for this "
                            "column (header rows edited or the file was re-saved)")


# -- Google Forms "Other:" -----------------------------------------------------------------------


@pytest.fixture()
def other_inst(tmp_path):
    """The example instrument with an "Other:" choice on q5, its text kept in q5_other."""
    toml = (EXAMPLES / "family_survey.toml").read_text(encoding="utf-8")
    toml = toml.replace('options = ["tutoring", "devices", "meals", "mental_health", "transport"]',
                        'options = ["tutoring", "devices", "meals", "mental_health", "transport", '
                        '"other"]')
    toml = toml.replace('"Counseling, mental health", "Transportation"]',
                        '"Counseling, mental health", "Transportation", "Other"]')
    toml = toml.replace('"Consejería, salud mental", "Transporte"]',
                        '"Consejería, salud mental", "Transporte", "Otro"]')
    toml = toml.replace('id = "q5"\ntype = "multiple"', 'id = "q5"\ntype = "multiple"\n'
                        'other = "q5_other"')
    toml += ('\n[[items]]\nid = "q5_other"\ntype = "text"\n'
             'text = { en = "Other support", es = "Otro apoyo" }\n')
    p = tmp_path / "inst.toml"
    p.write_text(toml, encoding="utf-8")
    return load_instrument(p)


def test_google_other_text_kept_whole(other_inst, write):
    text = GOOGLE.replace('"Tutoring, A laptop, tablet or internet, Counseling, mental health"',
                          '"Tutoring, Meals, Glasses, and a quiet place to study, Ms. Rivera"')
    p = write("g.csv", text)
    data = read_export(p, other_inst, "google", language="en", not_asked=G_NOT_ASKED)
    got = sorted(map(tuple, data.responses.to_numpy()))
    assert got == sorted([
        ("gf-g-000002", "q1", "4"), ("gf-g-000002", "q5", "tutoring"),
        ("gf-g-000002", "q5", "meals"), ("gf-g-000002", "q5", "other"),
        # kept whole, commas and all, and scrubbed of the name after "Ms."
        ("gf-g-000002", "q5_other", "Glasses, and a quiet place to study, Ms. [name]"),
        ("gf-g-000002", "q6", "More tutoring"), ("gf-g-000003", "q1", "2"),
    ])


def test_google_other_text_without_declared_other_is_still_an_error(inst, write):
    p = write("g.csv", GOOGLE.replace("Counseling, mental health", "Glasses, and a desk"))
    with pytest.raises(InputError, match="'glasses' is not an option of scale 'supports'"):
        read_export(p, inst, "google", not_asked=G_NOT_ASKED)


def test_other_must_name_a_text_item(tmp_path):
    toml = (EXAMPLES / "family_survey.toml").read_text(encoding="utf-8").replace(
        'id = "q5"\ntype = "multiple"', 'id = "q5"\ntype = "multiple"\nother = "q1"')
    (tmp_path / "i.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(SpecError) as e:
        load_instrument(tmp_path / "i.toml")
    # a problem of the whole instrument has no key (equitable.specfile)
    assert str(e.value) == (f"{tmp_path / 'i.toml'}: item 'q5': other = "
                            "'q1' is not an open-ended (type = \"text\") item")


# -- raking that cannot meet its margins ---------------------------------------------------------

# every hispanic respondent is in elementary and every white one in middle, but the margins say
# 100 hispanic and only 50 elementary: raking cannot meet both. Each cycle ends after the
# grade_span step with the 10 hispanic (= elementary) respondents weighing 5 each (50 in all)
# and the 10 white ones 35 each (350): hispanic is short by 50 of its 100 (50%).
RESPONDENTS = "respondent_id,language,platform,source_row,finished,progress,school," \
    "race_ethnicity,grade_span,student_group\n" + "".join(
        f"R{k},en,qualtrics,{k + 3},true,100,001,{'hispanic' if k <= 10 else 'white'},"
        f"{'elementary' if k <= 10 else 'middle'},none\n" for k in range(1, 21))
# q1 favorable (3) for the hispanic respondents only: weighted 10 x 5 / 400 = 12.5%
RESPONSES = "respondent_id,item,response\n" + "".join(
    f"R{k},q1,{3 if k <= 10 else 1}\n" for k in range(1, 21))
MARGINS = """variable,category,population
race_ethnicity,hispanic,100
race_ethnicity,white,300
grade_span,elementary,50
grade_span,middle,350
"""
UNMET = ("raking did not converge in 2000 cycles: margin 'race_ethnicity', category 'hispanic' "
         "reaches 50.0 weighted of its population 100.0 (short by 50.0, 50.000%)")


def test_unconverged_raking_exits_1_unless_allowed(tmp_path, capsys):
    inst = str(EXAMPLES / "family_survey.toml")
    s = tmp_path / "s"
    s.mkdir()
    (s / "respondents.csv").write_text(RESPONDENTS, encoding="utf-8")
    (s / "responses.csv").write_text(RESPONSES, encoding="utf-8")
    (tmp_path / "m.csv").write_text(MARGINS, encoding="utf-8")
    weigh = ["survey", "weight", inst, str(s), "--margins", str(tmp_path / "m.csv"),
             "--by", "race_ethnicity", "--by", "grade_span"]
    code, out, err = run(capsys, *weigh)
    assert code == 1
    assert err.strip() == (f"Error: {UNMET}; no weights kept (collapse categories, widen "
                           "--trim, or pass --allow-unconverged)")
    assert (s / "respondents.csv").read_text(encoding="utf-8") == RESPONDENTS  # nothing written
    assert not (s / "weighting.json").exists() and not (s / "run_weight.json").exists()

    code, out, err = run(capsys, *weigh, "--allow-unconverged")
    assert code == 0, err
    assert f"WARNING: {UNMET}" in out
    summary = json.loads((s / "weighting.json").read_text())
    assert summary["converged"] is False
    unmet = {"variable": "race_ethnicity", "category": "hispanic", "population": 100.0,
             "weighted": 50.0, "shortfall": 50.0, "gap_pct": 50.0}
    assert summary["unmet_margin"] == unmet
    record = json.loads((s / "run_weight.json").read_text())
    assert record["extra"] == {"converged": False, "iterations": 2000, "unmet_margin": unmet}
    assert record["spec"]["allow_unconverged"] is True
    w = pd.read_csv(s / "respondents.csv")["weight"]
    assert list(w) == [5.0] * 10 + [35.0] * 10

    est = ["survey", "estimate", inst, str(s), "--out", str(tmp_path / "e")]
    code, out, err = run(capsys, *est)
    assert code == 1
    assert err.strip() == (
        f"Error: {s / 'weighting.json'}: the weights did not converge (margin 'race_ethnicity', "
        "category 'hispanic' short by 50.0 of 100.0); re-weight, or pass --allow-unconverged "
        "to use them")
    assert not (tmp_path / "e").exists()
    code, out, err = run(capsys, *est, "--allow-unconverged")
    assert code == 0, err
    assert "WARNING: weighted figures use weights whose raking did not converge" in out
    record = json.loads((tmp_path / "e" / "run_estimate.json").read_text())
    assert record["extra"]["weights"] == {"converged": False, "unmet_margin": unmet,
                                          "allow_unconverged": True}
    e = pd.read_csv(tmp_path / "e" / "estimates.csv", dtype=str)
    row = e[(e["breakdown"] == "all") & (e["measure"] == "q1") & (e["weighted"] == "True")]
    assert float(row["pct_favorable"].item()) == pytest.approx(12.5)
    # the report refuses them the same way
    code, out, err = run(capsys, "survey", "report", inst, str(s), "--out",
                         str(tmp_path / "r" / "report.html"))
    assert code == 1 and "the weights did not converge" in err


def test_surveymonkey_other_please_specify_column(other_inst, write):
    # SurveyMonkey: one column per option, then "Other (please specify)" holding the text; the
    # "Other" choice has no column of its own, so typing in it counts as choosing it
    text = ("Respondent ID,Which supports would help your child most?,,,,,,Staff respect my "
            "family's culture.\n"
            ",Tutoring,\"A laptop, tablet or internet\",Meals,\"Counseling, mental health\","
            "Transportation,Other (please specify),Response\n"
            "7001,Tutoring,,,,,\"A bus pass, please\",Agree\n"
            "7002,,,Meals,,,,Disagree\n")
    p = write("sm.csv", text)
    not_asked = ("q1", "q3", "q4", "q6", "school", "race_ethnicity", "grade_span",
                 "student_group")
    data = read_export(p, other_inst, "surveymonkey", not_asked=not_asked)
    assert sorted(map(tuple, data.responses.to_numpy())) == sorted([
        ("7001", "q5", "tutoring"), ("7001", "q5", "other"),
        ("7001", "q5_other", "A bus pass, please"), ("7001", "q2", "3"),
        ("7002", "q5", "meals"), ("7002", "q2", "2"),
    ])
    c = data.columns.set_index("column")
    assert c.loc["Which supports would help your child most? / Other (please specify)",
                 "target"] == "q5_other"


def test_survey_folder_with_impossible_progress_refused(inst, write, tmp_path):
    from equitable.voice._pipeline import load_survey_dir

    s = tmp_path / "s"
    s.mkdir()
    (s / "respondents.csv").write_text(RESPONDENTS.replace("R3,en,qualtrics,6,true,100",
                                                           "R3,en,qualtrics,6,true,140"))
    (s / "responses.csv").write_text(RESPONSES)
    with pytest.raises(InputError) as e:
        load_survey_dir(s, inst)
    assert str(e.value) == (f"{s}: respondents table fails check 'str_matches('^(|\\d{{1,2}}|"
                            "100)$')' in column 'progress' (1 failing value(s))")
