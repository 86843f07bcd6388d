"""One id type, one rule (issue 19 item 4): equitable.ids on hand-made values, and the readers
that now share it."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitable import ids
from equitable.errors import InputError


def _norm(values, kind, **kw):
    kw.setdefault("label", "f.csv")
    kw.setdefault("column", "cds")
    return ids.normalize(pd.Series(values, dtype=object), kind, **kw)


def test_fourteen_digit_cds_code_is_kept_and_spaces_stripped():
    out, restored = _norm(["19647331935121", " 01611190130229 "], ids.CDS_CODE)
    assert out.tolist() == ["19647331935121", "01611190130229"]
    assert str(out.dtype) == "string" and restored == 0


def test_thirteen_digit_cds_code_is_restored_and_counted_where_the_reader_restores():
    out, restored = _norm(["1611190130229", "19647331935121", "1611190130237"], ids.CDS_CODE,
                          restore=True)
    assert out.tolist() == ["01611190130229", "19647331935121", "01611190130237"]
    assert restored == 2
    assert ids.restore_note("f.csv", "cds", restored, ids.CDS_CODE) == (
        "f.csv, column 'cds': 2 CDS codes had lost their leading zeros (fewer than 14 digits) "
        "and were padded with zeros")


def test_thirteen_digit_cds_code_is_an_error_where_nothing_is_restored():
    with pytest.raises(InputError) as e:
        _norm(["19647331935121", "1611190130229"], ids.CDS_CODE)
    assert str(e.value) == ("f.csv, row 3, column 'cds': '1611190130229' is not a CDS code "
                            "(14 digits: county 2 + district 5 + school 7)")


def test_a_cds_code_cannot_have_lost_two_zeros():
    # county codes run 01-58: a 12-digit value is not a CDS code that lost its zeros
    with pytest.raises(InputError, match=r"row 2, column 'cds': '161119013022' is not a CDS code"):
        _norm(["161119013022"], ids.CDS_CODE, restore=True)


def test_scientific_notation_is_an_error_naming_row_and_column():
    with pytest.raises(InputError) as e:
        _norm(["19647331935121", "1.96467E+13", "1.96467E+13"], ids.CDS_CODE, restore=True)
    msg = str(e.value)
    assert msg.startswith("f.csv, column 'cds': 2 CDS codes are in scientific notation (rows 3, 4, "
                          "e.g. '1.96467E+13'): a spreadsheet saved the CDS code as a number")
    assert "formatted as Text" in msg


def test_scientific_notation_of_a_student_file_shows_no_value():
    with pytest.raises(InputError) as e:
        _norm(["6.03701E+09"], ids.CDS_CODE, show_values=False)
    assert "6.03701E+09" not in str(e.value) and "(row 2)" in str(e.value)


@pytest.mark.parametrize("bad", ["19-64733", "1964733.0", "'01611190130229", "196473319351210",
                                 "１９６４７３３１９３５１２１", "١٩٦٤٧٣٣١٩٣٥١٢١"])
def test_dashes_decimals_apostrophes_extra_or_non_ascii_digits_are_errors(bad):
    with pytest.raises(InputError) as e:
        _norm(["19647331935121", bad], ids.CDS_CODE, restore=True)
    assert str(e.value) == (f"f.csv, row 3, column 'cds': '{bad}' is not a CDS code (14 digits: "
                            "county 2 + district 5 + school 7)")


def test_geoid_restored_to_eleven_digits_where_allowed():
    out, restored = _norm(["6037101110", "06037101110"], ids.TRACT_GEOID, column="GEOID",
                          restore=True)
    assert out.tolist() == ["06037101110", "06037101110"] and restored == 1


def test_block_group_geoid_with_letters_is_rejected():
    with pytest.raises(InputError) as e:
        _norm(["060371011101", "06037101110A"], ids.BLOCK_GROUP_GEOID, column="GEOID",
              first_line=5)
    assert str(e.value) == ("f.csv, row 6, column 'GEOID': '06037101110A' is not a block group "
                            "GEOID (12 digits: state 2 + county 3 + tract 6 + block group 1)")


def test_blank_is_missing_only_where_allowed():
    out, _ = _norm(["06037", "", None], ids.COUNTY_FIPS, allow_missing=True)
    assert out.isna().tolist() == [False, True, True]
    with pytest.raises(InputError, match=r"row 3, column 'cds': '\(blank\)' is not a county FIPS"):
        _norm(["06037", ""], ids.COUNTY_FIPS)


def test_many_bad_values_are_counted_in_one_message():
    with pytest.raises(InputError, match=r"row 2, .*'1X' is not a state FIPS code .*\(2 more in "
                                         r"this column\)"):
        _norm(["1X", "abc", "123"], ids.STATE_FIPS)


def test_student_files_name_rows_not_values():
    with pytest.raises(InputError) as e:
        _norm(["19647331935121", "S-77", "S-78"], ids.CDS_CODE, show_values=False)
    assert str(e.value) == ("f.csv, row 3, column 'cds': 2 values are not a CDS code (14 digits: "
                            "county 2 + district 5 + school 7) (rows 3, 4)")


def test_one_value_by_the_same_rule():
    assert ids.check(" 1611190130229 ", ids.CDS_CODE, restore=True) == "01611190130229"
    assert ids.check("19647331935121", ids.CDS_CODE) == "19647331935121"
    with pytest.raises(InputError, match=r"^--school: '1964733' is not a CDS code \(14 digits"):
        ids.check("1964733", ids.CDS_CODE, where="--school", restore=True)
    with pytest.raises(InputError, match="scientific notation"):
        ids.check("1.96467E+13", ids.CDS_CODE)
    assert ids.is_valid("19647331935121", ids.CDS_CODE)
    assert not ids.is_valid("１９６４７３３１９３５１２１", ids.CDS_CODE)
    assert ids.valid_mask(pd.Series(["06037101110", "6037101110", None]),
                          ids.TRACT_GEOID).tolist() == [True, False, False]


def test_pydantic_type():
    from pydantic import BaseModel, ValidationError

    class M(BaseModel):
        school: ids.CdsCode
        district: ids.DistrictCode | None = None

    assert M(school="19647331935121", district="64733").school == "19647331935121"
    with pytest.raises(ValidationError, match="a CDS code is a string of 14 digits. Got '1964733'"):
        M(school="1964733")
    with pytest.raises(ValidationError, match='write the district code as text in quotes, e.g. '
                                              '"01611"'):
        M(school="19647331935121", district=1611)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(ids.KINDS)), st.data())
def test_a_digit_string_of_the_right_width_is_unchanged(key, data):
    kind = ids.KINDS[key]
    value = data.draw(st.text(alphabet="0123456789", min_size=kind.width, max_size=kind.width))
    out, restored = _norm([value], kind, restore=True)
    assert out.tolist() == [value] and restored == 0
    assert ids.check(value, kind) == value


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(ids.KINDS)), st.data())
def test_a_value_that_lost_its_zeros_comes_back_whole(key, data):
    kind = ids.KINDS[key]
    lost = data.draw(st.integers(1, kind.max_lost))
    first = data.draw(st.sampled_from("123456789"))
    tail = data.draw(st.text(alphabet="0123456789", min_size=kind.width - lost - 1,
                             max_size=kind.width - lost - 1))
    whole = "0" * lost + first + tail
    assert str(int(whole)) == first + tail  # what a spreadsheet keeps of it
    out, restored = _norm([str(int(whole))], kind, restore=True)
    assert out.tolist() == [whole] and restored == 1


# ---- the readers and models that share the rule --------------------------------------------


def test_run_config_selection_uses_the_one_rule():
    from pydantic import ValidationError

    from equitable.pipeline._config import Selection

    # full-width digits passed str.isdigit() and were kept as a CDS code that matches no school
    with pytest.raises(ValidationError, match="a CDS code is a string of 14 digits"):
        Selection(only=["１９６４７３３１９３５１２１"])
    with pytest.raises(ValidationError, match="a district code is a string of 5 digits. Got '1611'"):
        Selection(district_code="1611")
    assert Selection(exclude=[" 19647331935121"], district_code="64733").exclude == [
        "19647331935121"]


def test_prior_year_file_ids_follow_the_one_rule(tmp_path):
    from equitable.pipeline._prior import read_prior

    p = tmp_path / "prior.csv"
    p.write_text("cds_code,amount\n19647331935121,10\n1.96473E+13,20\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_prior(p, "amount")
    # was "'1.96473E+13' is not a 14-digit CDS code": now says what happened and how to fix it
    assert str(e.value).startswith(f"{p}, column 'cds_code': 1 CDS code is in scientific "
                                   "notation (row 3, e.g. '1.96473E+13')")
    p.write_text("cds_code,amount\n19647331935121,10\n１９６４７３３１９３５１２２,20\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3, column 'cds_code': '１９６４７３３１９３５１２２' is "
                                         r"not a CDS code \(14 digits"):
        read_prior(p, "amount")
    p.write_text("cds_code,amount\n 19647331935121 ,10\n", encoding="utf-8")
    assert read_prior(p, "amount")["cds_code"].tolist() == ["19647331935121"]


def test_dashboard_crosswalk_code_that_is_not_a_cds_code_is_an_error_not_skipped(tmp_path):
    from equitable.web.dashboard._data import CROSSWALK_FILE, _board_districts

    p = tmp_path / CROSSWALK_FILE
    p.parent.mkdir(parents=True)
    p.write_text("ApplyCDSCode,ApplyBoardDistrict\n19647336018535,7\n,5\n1964733-6018543,7\n",
                 encoding="utf-8")
    # the school on row 4 was left out silently, so the dashboard showed it without a district
    with pytest.raises(InputError) as e:
        _board_districts(tmp_path)
    assert str(e.value) == (f"{p}, row 4, column 'ApplyCDSCode': '1964733-6018543' is not a CDS "
                            "code (14 digits: county 2 + district 5 + school 7)")
    p.write_text("ApplyCDSCode,ApplyBoardDistrict\n 19647336018535,7\n,5\n", encoding="utf-8")
    assert _board_districts(tmp_path) == ({"19647336018535": "7"}, p.name)


_LAUSD_HEADER = ("cds,school_name,span,enrollment,pct_frpm,pct_el,pct_swd,fed_ppe,sl_ppe,total_ppe,"
                 "ela_prior_pct_met,ela_pct_met\n")


@pytest.mark.parametrize("code, why", [
    ("１９６４７３３１９３５１２１", "full-width digits matched \\d and were kept"),
    ("161119013022", "two lost zeros: was zero-filled to 00161119013022, county 00"),
    ("19647331935121.0", "a decimal was cut off silently"),
    ("'19647331935121", "a leading apostrophe was dropped silently"),
])
def test_data_readers_refuse_what_they_used_to_repair_silently(tmp_path, code, why):
    from equitable.data import read_lausd_schools

    p = tmp_path / "schools.csv"
    p.write_text(_LAUSD_HEADER + "19647331935122,Lincoln,high,913,89.3,6.7,14.0,1,2,3,65.3,64.1\n"
                 f"{code},Other,high,913,89.3,6.7,14.0,1,2,3,65.3,64.1\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_lausd_schools(p)
    assert str(e.value) == (f"{p}, row 3, column 'cds': '{code}' is not a CDS code (14 digits: "
                            "county 2 + district 5 + school 7)"), why


def test_svi_county_file_read_as_numbers_is_restored_with_a_note(tmp_path):
    from equitable.checks import ReadNotes
    from equitable.data import read_svi_tracts

    p = tmp_path / "svi.csv"
    p.write_text("FIPS,RPL_THEMES\n1001,0.5\n06037,0.9\n", encoding="utf-8")
    df = read_svi_tracts(p)
    assert df["geoid"].tolist() == ["01001", "06037"]
    assert ReadNotes.of(df) == ["svi.csv, column 'FIPS': 1 county FIPS code had lost its leading "
                                "zero (fewer than 5 digits) and was padded with zeros"]


def test_seni_school_codes_that_lost_their_zeros_are_noted_and_decimals_refused(tmp_path):
    from equitable.index import read_lausd_seni

    p = tmp_path / "seni.csv"
    p.write_text("CDS Code,SENI Score 2020-21\n100037,1.5\n0100074,2.5\n19647330100111,3.5\n",
                 encoding="utf-8")
    f = read_lausd_seni(p)
    assert f.table["cds_code"].tolist() == ["19647330100037", "19647330100074", "19647330100111"]
    # the zero was put back silently before
    assert f.notes == ["seni.csv, column 'CDS Code': 1 school code had lost its leading zero "
                       "(fewer than 7 digits) and was padded with zeros"]
    p.write_text("CDS Code,SENI Score 2020-21\n0100037,1.5\n0100074.0,2.5\n", encoding="utf-8")
    with pytest.raises(InputError) as e:  # the .0 was cut off silently before
        read_lausd_seni(p)
    assert str(e.value) == (f"{p}, row 3, column 'CDS Code': '0100074.0' is not a 7-digit LAUSD "
                            "school code (or a 14-digit CDS code starting 1964733)")
    p.write_text("CDS Code,SENI Score 2020-21\n0100037,1.5\n1.00074E+05,2.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'CDS Code': 1 school code is in scientific "
                                         r"notation \(row 3"):
        read_lausd_seni(p)


def test_staffing_commands_report_the_codes_they_padded(tmp_path):
    """read_positions / read_staff_schools padded a 13-digit CDS code with a note that no
    staffing command printed or wrote (the padding was silent)."""
    import json

    from equitable.staffing._io import gaps_files

    pos = tmp_path / "positions.csv"
    pos.write_text("position_id,cds_code,job_class,subject,fte,status,date_opened,date_filled,"
                   "credential,in_field,years_experience\n"
                   "P1,1611190130229,teacher,mathematics,1,filled,,,clear,yes,5\n"
                   "P2,19647330000001,teacher,english,1,filled,,,clear,yes,2\n", encoding="utf-8")
    sch = tmp_path / "schools.csv"
    sch.write_text("cds_code,school_name,enrollment,pct_frpm\n1611190130229,A,500,80\n"
                   "19647330000001,B,400,20\n", encoding="utf-8")
    out = gaps_files(pos, sch, tmp_path / "out")
    padded = ("positions.csv, column 'cds_code': 1 CDS code had lost its leading zero (fewer "
              "than 14 digits) and was padded with zeros")
    assert out.notes[:2] == [padded, padded.replace("positions.csv", "schools.csv")]
    run = json.loads((tmp_path / "out" / "gaps.run.json").read_text(encoding="utf-8"))
    assert json.dumps(run).count("had lost its leading zero") == 2


def test_survey_margins_check_the_school_table_codes(tmp_path):
    from typer.testing import CliRunner

    from equitable.cli import app
    from equitable.voice import margins_from_lausd_schools

    p = tmp_path / "schools.csv"
    p.write_text("cds,span,enrollment\n1611190130229,high,900\n19647331935121,elementary,400\n",
                 encoding="utf-8")
    m = margins_from_lausd_schools(p)
    assert m.loc[m["variable"] == "school", "category"].tolist() == ["01611190130229",
                                                                     "19647331935121"]
    note = ("schools.csv, column 'cds': 1 CDS code had lost its leading zero (fewer than 14 "
            "digits) and was padded with zeros")
    assert m.attrs["notes"] == [note]
    r = CliRunner().invoke(app, ["survey", "margins", "--lausd-schools", str(p), "--out",
                                 str(tmp_path / "m.csv")])
    assert r.exit_code == 0 and f"Note: {note}" in r.output
    # a code that is not a CDS code became a margin category of its own
    p.write_text("cds,span,enrollment\n1964733-1935121,high,900\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column 'cds': '1964733-1935121' is not a CDS "
                                         r"code"):
        margins_from_lausd_schools(p)
