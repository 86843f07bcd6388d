"""The instrument TOML: lookups and clear errors."""

from __future__ import annotations

import pytest

from equitable.errors import SpecError
from equitable.voice import load_instrument


def test_example_instrument_lookups(inst):
    assert inst.id == "family-climate-example"
    assert inst.scored_items() == ["q1", "q2", "q3", "q4"]  # q5 multiple, q6 text
    assert inst.construct_items() == {"belonging": ["q1", "q2"], "communication": ["q3", "q4"]}
    agree = inst.answer_lookup("agree4")
    # codes, English and Spanish labels all map to the code, case- and space-insensitively
    assert agree["3"] == "3" and agree["agree"] == "3" and agree["de acuerdo"] == "3"
    assert agree["muy de acuerdo"] == "4"
    cols = inst.column_lookup()
    assert cols["q1"] == "q1"
    assert cols["me siento bienvenido/a en la escuela de mi hijo/a."] == "q1"
    assert inst.label("agree4", "4", "es") == "Muy de acuerdo"
    assert inst.text("q4", "es") == "Recibo mensajes en mi idioma."


def test_unknown_key_is_an_error_naming_file_and_key(write):
    p = write("bad.toml", '[instrument]\nid = "x"\ncolour = "red"\n[[items]]\nid = "q1"\n'
                          'type = "text"\n')
    with pytest.raises(SpecError) as e:
        load_instrument(p)
    # worded as every spec's unknown key (equitable.specfile)
    assert str(e.value) == f"{p}: key 'instrument.colour': unknown key"


def test_unknown_scale_and_bad_favorable(write):
    p = write("bad.toml", '[instrument]\nid = "x"\n[[items]]\nid = "q1"\nscale = "nope"\n')
    with pytest.raises(SpecError, match="'q1' uses unknown scale 'nope'"):
        load_instrument(p)
    p = write("bad2.toml", '[instrument]\nid = "x"\n[scales.s]\noptions = ["1", "2"]\n'
                           'favorable = ["3"]\n[[items]]\nid = "q1"\nscale = "s"\n')
    with pytest.raises(SpecError, match=r"key 'scales.s': favorable answers \['3'\] are not"):
        load_instrument(p)


def test_missing_file(tmp_path):
    with pytest.raises(SpecError, match="instrument file not found"):
        load_instrument(tmp_path / "none.toml")
