"""Codebook, coded excerpts (CSV, REFI-QDA), agreement, themes and scrubbing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

import krippendorff
import numpy as np
import pandas as pd
import pytest

from equitable.errors import InputError, SpecError
from equitable.voice import scrub_text
from equitable.voice._qual import (
    agreement,
    export_qdpx,
    import_qdpx,
    load_codebook,
    read_excerpts,
    stop_words,
    suggest_themes,
    write_excerpts,
)

from .conftest import EXAMPLES

NS = "{urn:QDA-XML:project:1.0}"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(EXAMPLES / "codebook.toml")


def test_scrub_names_phones_emails():
    assert scrub_text("Call Ms. Garcia at (213) 555-0100 or ana.g@example.org") == \
        "Call Ms. [name] at [phone] or [email]"
    assert scrub_text("My son Diego Ramirez loves art. My daughter is happy.") == \
        "My son [name] loves art. My daughter is happy."
    assert scrub_text("Mi hija se llama Sofía y la Sra. Pérez la ayuda; tel 323.555.0199") == \
        "Mi hija se llama [name] y la Sra. [name] la ayuda; tel [phone]"
    assert scrub_text("Llamen al +52 55 1234 5678") == "Llamen al [phone]"
    # years, grades and times are not phone numbers
    assert scrub_text("In 2020-2021 grade 3 lost 3.5 hours a day") == \
        "In 2020-2021 grade 3 lost 3.5 hours a day"
    # a roster of names catches bare names too
    assert scrub_text("Maria said the bus was late", names=["Maria"]) == \
        "[name] said the bus was late"


def test_codebook_errors(write):
    p = write("cb.toml", '[codebook]\nid = "x"\n[[codes]]\nid = "a"\n[[codes]]\nid = "a"\n')
    with pytest.raises(SpecError) as e:
        load_codebook(p)
    assert str(e.value) == f"{p}: key 'codes.1.id': code 'a' is repeated"
    p = write("cb2.toml", '[codebook]\nid = "x"\n[[codes]]\nid = "a"\nparent = "z"\n')
    with pytest.raises(SpecError, match="key 'codes.0.parent': 'z' is not a code"):
        load_codebook(p)


def test_excerpt_csv_read_write(codebook, write, tmp_path):
    p = write("ex.csv", "document,start,end,code,coder,text\n"
                        "fg1,0,20,tutoring,ana,\"Ms. Lee's tutoring at 213-555-0101\"\n")
    ex = read_excerpts(p, codebook)
    assert ex.loc[0, "text"] == "Ms. [name]'s tutoring at [phone]"
    assert ex.loc[0, "excerpt_id"] == "x1"
    out = write_excerpts(ex, tmp_path / "out.csv")
    assert out.read_text().splitlines()[0] == "excerpt_id,document,start,end,code,coder,text"
    bad = write("bad.csv", "document,start,end,code,coder,text\nfg1,0,5,horses,ana,x\n")
    with pytest.raises(InputError) as e:
        read_excerpts(bad, codebook)
    assert str(e.value) == (f"{bad}, row 2, column 'code': 'horses' is not a code of codebook "
                            "'recovery-themes'")
    bad = write("bad2.csv", "document,start,end,code,coder,text\nfg1,9,5,tutoring,ana,x\n")
    with pytest.raises(InputError) as e:
        read_excerpts(bad, codebook)
    assert str(e.value) == f"{bad}, row 2, column 'end': end 5 is before start 9"
    bad = write("bad3.csv", "document,start,end,code,coder\nfg1,a,5,tutoring,ana\n")
    with pytest.raises(InputError, match=r"row 2, column 'start': 'a' is not a character"):
        read_excerpts(bad, codebook)


def test_refi_qda_round_trip_scrubs_and_moves_offsets(codebook, tmp_path):
    doc = "Ms. Garcia said call 213-555-0100. Tutoring helps. Buses are late."
    s1 = doc.index("Tutoring")
    s2 = doc.index("Buses")
    ex = pd.DataFrame({
        "excerpt_id": ["a", "b", "c"], "document": ["fg1"] * 3,
        "start": [s1, s1, s2], "end": [s1 + len("Tutoring helps."), s1 + 15, len(doc)],
        "code": ["tutoring", "tutoring", "transport"], "coder": ["ana", "ben", "ana"],
        "text": ["", "", ""],
    })
    out = export_qdpx(tmp_path / "p.qdpx", codebook, {"fg1": doc}, ex)
    again = export_qdpx(tmp_path / "p2.qdpx", codebook, {"fg1": doc}, ex)
    assert out.read_bytes() == again.read_bytes()  # deterministic
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        root = ET.fromstring(z.read("project.qde"))
        src_txt = z.read(next(n for n in names if n.startswith("sources/"))).decode()
    assert names[0] == "project.qde"
    assert root.tag == f"{NS}Project"
    assert src_txt == "Ms. [name] said call [phone]. Tutoring helps. Buses are late."
    assert "Garcia" not in ET.tostring(root, encoding="unicode")
    codes = {c.get("name"): c for c in root.iter(f"{NS}Code")}
    assert set(codes) == {c.name["en"] for c in codebook.codes}
    sels = list(root.iter(f"{NS}PlainTextSelection"))
    assert len(sels) == 2  # one selection per span; two codings on the first
    first = sels[0]
    start, end = int(first.get("startPosition")), int(first.get("endPosition"))
    assert src_txt[start:end] == "Tutoring helps."
    assert len(first.findall(f"{NS}Coding")) == 2
    users = {u.get("name") for u in root.iter(f"{NS}User")}
    assert users == {"ana", "ben"}
    codes_back, docs, ex_back = import_qdpx(out)
    assert docs == {"fg1": src_txt}
    got = sorted(zip(ex_back["code"], ex_back["coder"], ex_back["text"]))
    assert got == [("Transport", "ana", "Buses are late."),
                   ("Tutoring", "ana", "Tutoring helps."),
                   ("Tutoring", "ben", "Tutoring helps.")]
    assert {c["name"] for c in codes_back} >= {"Tutoring", "Transport"}


def test_import_qdpx_written_by_another_tool(tmp_path):
    # the shape QualCoder/Taguette write: nested codes, internal:// sources, users by GUID
    qde = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="fg" origin="QualCoder">
 <Users><User guid="U1" name="coder one"/></Users>
 <CodeBook><Codes>
  <Code guid="C1" name="Safety" isCodable="true"><Code guid="C2" name="Buses" isCodable="true"/></Code>
 </Codes></CodeBook>
 <Sources><TextSource guid="S1" name="notes" plainTextPath="internal://S1.txt">
  <PlainTextSelection guid="P1" startPosition="0" endPosition="9" creatingUser="U1">
   <Coding guid="K1" creatingUser="U1"><CodeRef targetGUID="C2"/></Coding>
  </PlainTextSelection></TextSource></Sources>
</Project>"""
    p = tmp_path / "x.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/S1.txt", "Late bus every day, says Mr. Smith.")
    codes, docs, ex = import_qdpx(p)
    assert codes == [{"id": "Safety", "name": "Safety", "parent": "", "description": ""},
                     {"id": "Buses", "name": "Buses", "parent": "Safety", "description": ""}]
    assert docs["notes"] == "Late bus every day, says Mr. [name]."
    assert ex[["code", "coder", "text"]].values.tolist() == [["Buses", "coder one", "Late bus "]]
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip")
    with pytest.raises(InputError) as e:
        import_qdpx(bad)
    assert str(e.value) == f"{bad}: not a REFI-QDA project (.qdpx is a zip file)"


@pytest.mark.parametrize("code, source, message", [
    ('<Code name="Safety" isCodable="true"/>', '<TextSource guid="S1" name="notes"/>',
     "a code of the codebook has no guid (REFI-QDA requires one)"),
    ('<Code guid="C1" name="Safety" isCodable="true"/>', "<TextSource/>",
     "a text source has no guid (REFI-QDA requires one)"),
])
def test_import_qdpx_element_without_guid_is_an_error(tmp_path, code, source, message):
    # REFI-QDA 1.0 requires a guid on every Code and TextSource: one missing was read as a code
    # or document named None
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="fg">
 <CodeBook><Codes>{code}</Codes></CodeBook>
 <Sources>{source}</Sources>
</Project>"""
    p = tmp_path / "x.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", qde)
    with pytest.raises(InputError) as e:
        import_qdpx(p)
    assert str(e.value) == f"{p}: {message}"


def test_krippendorff_worked_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
    # observers, twelve units, missing values; published alpha nominal .743, ordinal .815,
    # interval .849, ratio .797.
    n = np.nan
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    for level, published in [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849),
                             ("ratio", 0.797)]:
        got = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert round(float(got), 3) == published


def test_agreement_by_hand():
    a = [1, 1, 1, 0, 0, 0, 1, 0, 1, 0]
    b = [1, 1, 0, 0, 0, 0, 1, 1, 1, 0]
    rows = []
    for u in range(10):
        for coder, v in (("ana", a[u]), ("ben", b[u])):
            rows.append({"document": f"d{u}", "code": "tutoring" if v else "other",
                         "coder": coder})
    table = agreement(pd.DataFrame(rows), unit=["document"]).set_index("code")
    t = table.loc["tutoring"]
    # observed agreement 8/10; chance 0.5*0.5 + 0.5*0.5 = 0.5 -> kappa (0.8 - 0.5)/0.5 = 0.6
    assert t["percent_agreement"] == pytest.approx(80.0)
    assert t["kappa ana|ben"] == pytest.approx(0.6)
    # alpha: coincidences o_01 + o_10 = 4 of n = 20 pairable values, n_0 = n_1 = 10:
    # alpha = 1 - (n - 1) (o_01 + o_10) / (2 n_0 n_1) = 1 - 19 * 4 / 200 = 0.62
    assert t["krippendorff_alpha"] == pytest.approx(0.62)
    with pytest.raises(InputError, match="agreement needs at least two coders"):
        agreement(pd.DataFrame(rows[::2]), unit=["document"])
    with pytest.raises(InputError, match=r"unit columns \['start', 'end'\] are missing"):
        agreement(pd.DataFrame(rows))


def test_theme_suggestions_separate_topics_in_both_languages():
    en = ["More tutoring after school", "Tutoring in math after school",
          "After school tutoring for reading", "The bus is always late",
          "Late buses every morning", "Bus drivers are late"] * 2
    th = suggest_themes(en, n_themes=2)
    terms = " | ".join(th["terms"])
    assert "tutoring" in th["terms"].iloc[0] or "tutoring" in th["terms"].iloc[1]
    bus_theme = th[th["terms"].str.contains("late")].iloc[0]
    assert "tutoring" not in bus_theme["terms"], terms
    assert th["answers"].sum() == 12
    es = ["Más tutoría después de clases", "Tutoría de matemáticas después de clases",
          "Tutoría de lectura", "El autobús siempre llega tarde",
          "Los autobuses llegan tarde", "Autobús tarde cada mañana"] * 2
    th_es = suggest_themes(es, language="es", n_themes=2)
    assert any("tutoría" in t for t in th_es["terms"])
    assert not any(w in t.split(", ") for t in th_es["terms"] for w in ("de", "la", "los"))
    assert suggest_themes(en, n_themes=2).equals(th)  # deterministic
    assert "de" in stop_words("es") and "the" in stop_words("en")
