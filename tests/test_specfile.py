"""One TOML-to-model loader that reports every problem at once, with the file and each key."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, Field

from equitable.errors import InputError, SpecError
from equitable.specfile import load_model, spec_error


class Tier(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    weight: float = Field(ge=0)


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    budget: int
    tiers: list[Tier] = []


def test_every_problem_is_named_with_its_key(tmp_path):
    p = tmp_path / "spec.toml"
    p.write_text('nmae = "x"\nbudget = "lots"\ncolour = "red"\n'
                 '[[tiers]]\nname = "A"\nweight = -1\n', encoding="utf-8")
    with pytest.raises(SpecError) as e:
        load_model(p, Spec)
    # unknown keys first (the typo with its suggestion, whose own "missing" is not repeated),
    # then the others in the model's order
    assert str(e.value) == (
        f"{p}: key 'nmae': unknown key (did you mean 'name'?); key 'colour': unknown key; "
        "key 'budget': Input should be a valid integer, unable to parse string as an integer; "
        "key 'tiers.0.weight': Input should be greater than or equal to 0")


def test_a_table_of_the_file_and_the_file_errors(tmp_path):
    p = tmp_path / "run.toml"
    p.write_text('[privacy]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(SpecError, match=r"run\.toml \[privacy\]: key 'budget': missing required "
                                         r"key$"):
        load_model(p, Spec, table="privacy")
    p.write_text('name = "x"\nbudget = 5\n', encoding="utf-8")
    assert load_model(p, Spec, table="privacy") == Spec(name="x", budget=5)
    p.write_text('name = "x"\nbudget = \n', encoding="utf-8")
    with pytest.raises(SpecError, match=r"run\.toml: not valid TOML: .*line 2"):
        load_model(p, Spec)
    with pytest.raises(SpecError, match=r"nope\.toml: codebook file not found$"):
        load_model(tmp_path / "nope.toml", Spec, what="codebook file")
    (tmp_path / "latin1.toml").write_bytes('name = "Espa\xf1ol"\n'.encode("latin-1"))
    with pytest.raises(SpecError, match=r"latin1\.toml: not a UTF-8 text file$"):
        load_model(tmp_path / "latin1.toml", Spec)


def test_the_converter_can_raise_an_input_error():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as e:
        Spec.model_validate({"name": "x"})
    err = spec_error(e.value, "form", error=InputError)
    assert isinstance(err, InputError)
    assert str(err) == "form: key 'budget': missing required key"
