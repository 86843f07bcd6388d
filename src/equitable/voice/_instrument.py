"""The survey instrument: items, constructs, response scales, favorable answers, wording per language.

An instrument is a TOML file validated by pydantic (unknown keys are errors)::

    [instrument]
    id = "family-climate-2026"
    title = { en = "Family climate survey", es = "Encuesta de clima familiar" }
    languages = ["en", "es"]

    [scales.agree4]
    options = ["1", "2", "3", "4"]                 # answer codes, in scale order
    favorable = ["3", "4"]
    labels.en = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
    labels.es = ["Muy en desacuerdo", "En desacuerdo", "De acuerdo", "Muy de acuerdo"]

    [constructs.belonging]
    label = { en = "Belonging", es = "Pertenencia" }

    [[items]]
    id = "q1"
    construct = "belonging"
    scale = "agree4"
    text = { en = "I feel welcome at my child's school.", es = "Me siento bienvenido/a ..." }

    [[attributes]]                                # asked in the survey, kept per respondent
    id = "school"
    text = { en = "School", es = "Escuela" }

Items have a ``type``: ``single`` (one answer from the scale, the default), ``multiple`` (any
number of options; one long-table row per chosen option) or ``text`` (open-ended; scrubbed of
names, phone numbers and e-mail addresses when read). Attributes (school, student group, grade
span, race/ethnicity, language...) go to the respondent table, optionally restricted to a scale.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from equitable.specfile import load_model

__all__ = ["Attribute", "Instrument", "Item", "Scale", "load_instrument", "normalize_label"]

_ID = r"^[A-Za-z_][A-Za-z0-9_.\-]*$"
#: columns of the respondent table that an item or attribute id may not take
RESERVED_COLUMNS = frozenset({"respondent_id", "language", "platform", "source_row", "finished",
                              "progress", "weight"})


def normalize_label(text: str) -> str:
    """Case-, accent-width- and whitespace-insensitive form of a label or question text (NFKC)."""
    t = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    return re.sub(r"\s+", " ", t)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Model):
    """An ordered set of answer codes; ``labels[lang]`` gives each code's wording."""

    options: list[str] = Field(min_length=1)
    favorable: list[str] = Field(default_factory=list)
    labels: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Scale:
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must be distinct")
        bad = [f for f in self.favorable if f not in self.options]
        if bad:
            raise ValueError(f"favorable answers {bad} are not among the options")
        for lang, labels in self.labels.items():
            if len(labels) != len(self.options):
                raise ValueError(
                    f"labels.{lang} has {len(labels)} labels for {len(self.options)} options"
                )
        return self


class Construct(_Model):
    label: dict[str, str] = Field(default_factory=dict)


with warnings.catch_warnings():  # the field "construct" shadows BaseModel.construct (deprecated)
    warnings.simplefilter("ignore", UserWarning)

    class _ItemBase(_Model):
        # pydantic's BaseModel declares the deprecated classmethod construct(); the field
        # replaces it (a gap of pydantic's typing, not an error)
        construct: str | None = None  # type: ignore[assignment]


class Item(_ItemBase):
    """One question. ``aliases`` are extra column names or question texts that identify it.

    ``other`` (single and multiple items) names the open-ended (``text``) item that holds the
    free text of the question's "Other:" choice: Google Forms writes that text into the
    question's own cell (after the chosen labels), the other platforms into a column of its own
    (matched to the text item by its aliases).
    """

    id: str = Field(pattern=_ID)
    type: Literal["single", "multiple", "text"] = "single"
    scale: str | None = None
    text: dict[str, str] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    other: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Item:
        if self.type != "text" and self.scale is None:
            raise ValueError(f"item '{self.id}' of type '{self.type}' needs a scale")
        if self.other is not None and self.type == "text":
            raise ValueError(f"item '{self.id}' is open-ended: it has no 'Other' choice")
        return self


class Attribute(_Model):
    """A respondent characteristic asked in the survey (school, student group, language...)."""

    id: str = Field(pattern=_ID)
    scale: str | None = None
    text: dict[str, str] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)


class _Header(_Model):
    id: str = Field(pattern=_ID)
    title: dict[str, str] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=lambda: ["en", "es"])
    ignore_columns: list[str] = Field(default_factory=list)


class Instrument(_Model):
    """A validated instrument (see the module docstring for the TOML layout)."""

    instrument: _Header
    scales: dict[str, Scale] = Field(default_factory=dict)
    constructs: dict[str, Construct] = Field(default_factory=dict)
    items: list[Item] = Field(min_length=1)
    attributes: list[Attribute] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Instrument:
        ids = [i.id for i in self.items] + [a.id for a in self.attributes]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate item or attribute ids: {dup}")
        for it in self.questions():
            if it.scale is not None and it.scale not in self.scales:
                raise ValueError(f"'{it.id}' uses unknown scale '{it.scale}'")
        kinds = {i.id: i.type for i in self.items}
        for it in self.items:
            if it.construct is not None and it.construct not in self.constructs:
                raise ValueError(f"item '{it.id}' uses unknown construct '{it.construct}'")
            if it.other is not None and kinds.get(it.other) != "text":
                raise ValueError(f"item '{it.id}': other = '{it.other}' is not an open-ended "
                                 "(type = \"text\") item")
        clash = sorted(set(ids) & RESERVED_COLUMNS)
        if clash:
            raise ValueError(f"ids {clash} are columns of the respondent table; rename them")
        return self

    # -- lookups ------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.instrument.id

    def scale_of(self, q: Item | Attribute) -> Scale:
        """The scale of a single or multiple item (each has one) or of an attribute with one.

        Raises ValueError for an open-ended item or an attribute without a scale.
        """
        if q.scale is None:
            raise ValueError(f"'{q.id}' has no scale")
        return self.scales[q.scale]

    def questions(self) -> list[Item | Attribute]:
        """The items, then the attributes, in instrument order."""
        return [*self.items, *self.attributes]

    @cached_property
    def item_map(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def attribute_map(self) -> dict[str, Attribute]:
        return {a.id: a for a in self.attributes}

    def construct_items(self) -> dict[str, list[str]]:
        """Construct id -> ids of its items with a favorable set (in instrument order)."""
        out: dict[str, list[str]] = {c: [] for c in self.constructs}
        for it in self.items:
            if (it.construct and it.type == "single" and it.scale is not None
                    and self.scales[it.scale].favorable):
                out[it.construct].append(it.id)
        return out

    def scored_items(self) -> list[str]:
        """Items for which percent favorable is defined (single answer, favorable set given)."""
        return [
            i.id
            for i in self.items
            if i.type == "single" and i.scale is not None and self.scales[i.scale].favorable
        ]

    def answer_lookup(self, scale: str) -> dict[str, str]:
        """Normalized code or label (any language) -> answer code."""
        sc = self.scales[scale]
        out = {normalize_label(o): o for o in sc.options}
        for labels in sc.labels.values():
            for code, lab in zip(sc.options, labels):
                out.setdefault(normalize_label(lab), code)
        return out

    def column_lookup(self) -> dict[str, str]:
        """Normalized column name, alias or question text (any language) -> item/attribute id."""
        out: dict[str, str] = {}
        for it in self.questions():
            keys = [it.id, *it.aliases, *it.text.values()]
            for k in keys:
                out.setdefault(normalize_label(k), it.id)
        return out

    def label(self, scale: str, code: str, lang: str = "en") -> str:
        sc = self.scales[scale]
        labels = sc.labels.get(lang) or sc.labels.get("en")
        return labels[sc.options.index(code)] if labels else code

    def text(self, item_id: str, lang: str = "en") -> str:
        it = self.item_map.get(item_id) or self.attribute_map.get(item_id)
        if it is None:
            return item_id
        return it.text.get(lang) or it.text.get("en") or item_id

    def construct_label(self, cid: str, lang: str = "en") -> str:
        c = self.constructs[cid]
        return c.label.get(lang) or c.label.get("en") or cid


def load_instrument(path: str | Path) -> Instrument:
    """Read and validate an instrument TOML file.

    Raises
    ------
    SpecError
        The file is missing, is not valid TOML, or breaks the schema; the message names the file
        and the key.
    """
    return load_model(path, Instrument, what="instrument file")
