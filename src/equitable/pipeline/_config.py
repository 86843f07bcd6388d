"""The analysis config of ``equitable run``: a TOML file validated by pydantic (docs/run.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from equitable.errors import SpecError
from equitable.ids import CdsCode, DistrictCode
from equitable.specfile import load_toml, spec_error


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Inputs(_Model):
    """Input files, relative to the data folder (or absolute)."""

    schools: str = Field(description="school table: cds, school_name, span, enrollment, pct_*")
    math: str | None = Field(default=None, description="CAASPP mathematics companion (join on cds)")
    directory: str = Field(description="CDE Public Schools and Districts directory")
    frpm: str = Field(description="CDE FRPM school-level file (xlsx, txt or csv)")
    calenviroscreen: str = Field(description="OEHHA CalEnviroScreen 4.0 results by tract")
    tracts: str = Field(description="2010 census tract polygons (GeoJSON)")
    neighbourhoods: str | None = Field(default=None, description="LA Times neighbourhoods")
    chronic_absenteeism: str | None = Field(
        default=None, description="CDE chronic absenteeism download (school rows joined on CDS "
        "code as chronic_absence_pct; docs/run.md)")
    allow_subset: bool = Field(
        default=False,
        description="accept a CalEnviroScreen file with fewer tracts than the published 8,035 "
                    "on purpose (noted on the terminal and in run.json)",
    )
    staffing: str | None = Field(
        default=None, description="district staffing export, one row per position (writes the "
        "staffing sheets and page beside the allocation; docs/staffing.md)")
    prior_allocation: str | None = Field(
        default=None, description="the prior-year allocation, one row per school (CDS code and "
        "the amount in dollars in the column named by [prior] column; docs/run.md)")


class Selection(_Model):
    """Which schools are ranked: active, district-run schools of one district (docs/run.md)."""

    # CDE's 5-digit district code and 14-digit CDS codes, as text (equitable.ids: a TOML number
    # is refused, it would lose its leading zero)
    district_code: DistrictCode | None = None
    include_affiliated_charters: bool = True
    exclude: list[CdsCode] = []
    only: list[CdsCode] | None = None


class IndexChoice(_Model):
    """The index spec: a preset name (e.g. ``seni-style``) or a TOML file beside the config."""

    spec: str


class Report(_Model):
    """Report settings."""

    title: str | None = None
    title_es: str | None = None
    languages: list[str] = ["en", "es"]
    map: bool = True

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, v: list[str]) -> list[str]:
        # English, or a language with a message catalogue (docs/translating.md)
        from equitable.i18n import available_languages

        known = available_languages()
        for lang in v:
            if lang not in known:
                raise ValueError(f"'{lang}' has no message catalogue (languages: "
                                 f"{', '.join(known)}; see docs/translating.md)")
        return v


class Prior(_Model):
    """The prior-year allocation shown beside this year's in the workbook (docs/run.md): a
    column of ``inputs.prior_allocation`` (or, without it, of ``inputs.schools``)."""

    column: str = Field(min_length=1, description="the prior-year amount, in dollars")
    id_column: str | None = Field(default=None, description="the CDS code column (default: "
                                  "cds_code or cds)")


class Health(_Model):
    """The ``[health]`` section: each school's community health vulnerability (docs/health.md).

    Paths are relative to the data folder (or absolute), like ``[inputs]``.
    """

    hpi: str = Field(description="Healthy Places Index 2.0 master file by 2010 tract "
                     "(CensusTract, hpi2score, hpi2_pctile_pos, quartiles)")
    svi: str | None = Field(default=None, description="CDC/ATSDR SVI 2018 California tract file "
                            "(FIPS, RPL_THEMES); optional")
    sites: str | None = Field(default=None, description="a site plan: the output folder of "
                              "'equitable sites' (sites.csv and schools.csv); optional")


class RunConfig(_Model):
    """A validated ``equitable run`` config."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str | None = None
    inputs: Inputs
    selection: Selection
    index: IndexChoice
    allocation: dict[str, Any]
    report: Report = Report()
    prior: Prior | None = None
    health: Health | None = None


def _format_loc(loc: tuple[Any, ...]) -> str:
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def parse_config(data: dict[str, Any], *, source: str = "<config>") -> RunConfig:
    """Validate a config mapping; errors are one :class:`SpecError` naming the source and key."""
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, source, format_loc=_format_loc) from None


def load_config(path: str | Path) -> RunConfig:
    """Read and validate an ``equitable run`` config (TOML).

    Raises
    ------
    SpecError
        File missing, not valid TOML (with line and column), or a key missing, unknown or of the
        wrong type (naming the file and the key).
    """
    p = Path(path)
    if p.is_dir():
        raise SpecError(f"{p}: is a folder; give the config file, e.g. examples/lausd.toml")
    data = load_toml(p, what="config file")
    return parse_config(data, source=str(p))
