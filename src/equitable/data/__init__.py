"""Readers for the real public files (CDE, LAUSD, OEHHA CalEnviroScreen, CDC/ATSDR SVI, Census
TIGER, LA Times Mapping L.A.).

Each reader returns a table validated with a pandera schema, with identifiers as zero-padded
strings (``cds_code`` 14 digits, ``geoid`` 11 digits), percent columns (``*_pct``) on the 0-100
scale and percentiles (``*_pctl``) on 0-100, and CDE's ``*`` suppression read as missing, never 0.
A malformed file raises :class:`equitable.errors.InputError` naming the file, row and column.
See docs/data.md for where each file comes from.
"""

from equitable.data._absence import read_chronic_absenteeism
from equitable.data._cde import read_frpm, read_school_directory
from equitable.data._community import read_calenviroscreen, read_svi_tracts
from equitable.data._geojson import read_neighbourhoods, read_tracts
from equitable.data._lausd import read_lausd_math, read_lausd_schools

#: The percent scale every ``*_pct`` column uses.
PERCENT_SCALE = (0.0, 100.0)

__all__ = [
    "PERCENT_SCALE",
    "read_calenviroscreen",
    "read_chronic_absenteeism",
    "read_frpm",
    "read_lausd_math",
    "read_lausd_schools",
    "read_neighbourhoods",
    "read_school_directory",
    "read_svi_tracts",
    "read_tracts",
]
