"""Readers of the staffing inputs (docs/staffing.md gives each layout).

* :func:`read_positions` - a district staffing export, one row per position;
* :func:`read_staff_schools` - the schools the positions belong to (enrollment, % FRPM, ...);
* :func:`read_cde_staff_fte` - CDE's "Staff School FTE" download (one row per staff member and
  job classification; https://www.cde.ca.gov/ds/ad/fsstaffschoolfte.asp).

Each returns a table validated by a pandera schema, or raises one
:class:`~equitable.errors.InputError` line naming the file, the row (header = line 1) and the
column of the first problem, and how many more there are in that column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from equitable.data._common import (
    MISSING_MARKS,
    Table,
    pad_code,
    parse_number,
    read_delimited,
    register_source_names,
    require_columns,
    validate,
)
from equitable.errors import InputError, location
from equitable.ids import CDS_CODE, COUNTY_DISTRICT, SCHOOL_CODE
from equitable.staffing._layout import (
    CREDENTIALS,
    IN_FIELD_ALIASES,
    JOB_CLASSES,
    LEVEL_ALIASES,
    STATUS_ALIASES,
)

__all__ = ["POSITIONS_SCHEMA", "SCHOOLS_SCHEMA", "read_cde_staff_fte", "read_positions",
           "read_staff_schools"]

POSITION_COLUMNS = ("position_id", "cds_code", "job_class", "fte", "status")
OPTIONAL_POSITION_COLUMNS = ("subject", "date_opened", "date_filled", "credential", "in_field",
                             "years_experience")

#: The most years of teaching experience a row may hold (a career from age 18 to 78): more is a
#: typo or a shifted cell, refused like a negative value.
MAX_YEARS_EXPERIENCE = 60

#: The validated positions table (see :func:`read_positions`).
POSITIONS_SCHEMA = pa.DataFrameSchema(
    {
        "position_id": pa.Column(str, unique=True),
        "cds_code": pa.Column(str, pa.Check.str_matches(CDS_CODE.pattern)),
        "job_class": pa.Column(str, pa.Check.isin(list(JOB_CLASSES))),
        "subject": pa.Column(str, nullable=True),
        "fte": pa.Column(float, pa.Check.in_range(0, 1, include_min=False)),
        "status": pa.Column(str, pa.Check.isin(["filled", "vacant"])),
        "date_opened": pa.Column("datetime64[ns]", nullable=True),
        "date_filled": pa.Column("datetime64[ns]", nullable=True),
        "credential": pa.Column(str, pa.Check.isin(list(CREDENTIALS)), nullable=True),
        "in_field": pa.Column(str, pa.Check.isin(["yes", "no", "misassigned"]), nullable=True),
        "years_experience": pa.Column(float, pa.Check.in_range(0, MAX_YEARS_EXPERIENCE),
                                      nullable=True),
    },
    strict=True,
    coerce=False,
)

#: The validated schools table (see :func:`read_staff_schools`).
SCHOOLS_SCHEMA = pa.DataFrameSchema(
    {
        "cds_code": pa.Column(str, pa.Check.str_matches(CDS_CODE.pattern), unique=True),
        "school_name": pa.Column(str, nullable=True),
        "level": pa.Column(str, pa.Check.isin(["elementary", "middle", "high", "other"]),
                           nullable=True),
        "enrollment": pa.Column(float, pa.Check.ge(0)),
        "pct_frpm": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "pct_minority": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "tier": pa.Column(str, nullable=True),
        "need_score": pa.Column(float, nullable=True),
    },
    strict=True,
)


def _raise_at(table: Table, bad: pd.Series | np.ndarray, column: str, message) -> None:
    """Raise one line for the first True of ``bad``: file, row, column, message(pos)."""
    bad = np.asarray(bad, dtype=bool)
    if not bad.any():
        return
    pos = int(np.flatnonzero(bad)[0])
    more = int(bad.sum()) - 1
    extra = f" ({more} more in this column)" if more else ""
    raise InputError(f"{location(table.label, table.line(pos), column)}: {message(pos)}{extra}")


def _text(table: Table, column: str) -> pd.Series:
    if column not in table.frame.columns:
        return pd.Series([None] * len(table.frame), dtype=object)
    # Arrow strings strip and compare in vectorised code (60,000 rows x 11 columns matter)
    s = table.frame[column].astype("string[pyarrow]").str.strip()
    keep = (~s.isin(MISSING_MARKS)).to_numpy(dtype=bool)
    return s.astype(object).where(keep, None)


def _vocab(table: Table, column: str, allowed: dict[str, str], what: str,
           aliases: dict[str, str] | None = None) -> pd.Series:
    raw = _text(table, column)
    mapping = aliases if aliases is not None else {k: k for k in allowed}
    out = raw.str.lower().map(mapping)
    bad = out.isna() & raw.notna()
    out = out.astype(object).where(out.notna(), None)
    names = ", ".join(sorted(set(mapping.values())))
    _raise_at(table, bad.to_numpy(), column,
              lambda p: f"'{raw.iloc[p]}' is not a {what} (one of: {names})")
    return out


def _dates(table: Table, column: str) -> pd.Series:
    raw = _text(table, column)
    iso = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    us = pd.to_datetime(raw, format="%m/%d/%Y", errors="coerce")
    out = iso.fillna(us)
    _raise_at(table, (out.isna() & raw.notna()).to_numpy(), column,
              lambda p: f"'{raw.iloc[p]}' is not a date (YYYY-MM-DD or M/D/YYYY)")
    return out.astype("datetime64[ns]")


def read_positions(path: str | Path) -> pd.DataFrame:
    """Read a district staffing export: one row per position (filled or vacant).

    Layout (CSV, tab-delimited text, XLSX or Parquet; header names as below; docs/staffing.md):

    ``position_id`` (text, unique), ``cds_code`` (14-digit CDS code of the school), ``job_class``
    (``teacher``, ``counselor``, ``social_worker``, ``psychologist``, ``nurse``,
    ``psa_counselor``, ``other``), ``fte`` (0 < FTE <= 1), ``status`` (``filled``/``vacant``),
    and optionally ``subject``, ``date_opened``, ``date_filled`` (YYYY-MM-DD or M/D/YYYY),
    ``credential`` (``clear``, ``intern``, ``permit``, ``waiver``, ``none``), ``in_field``
    (``yes``, ``no``, ``misassigned``) and ``years_experience`` (years, 0 to 60). A filled teaching
    position needs ``credential``, ``in_field`` and ``years_experience``; a vacant position needs
    ``date_opened`` and has no ``date_filled``, credential or experience.

    Returns
    -------
    DataFrame, one row per position in file order, columns of :data:`POSITIONS_SCHEMA`
    (dates as ``datetime64[ns]``, NaT when blank).

    Raises
    ------
    InputError
        Missing column, unknown job class / status / credential, FTE not in (0, 1], date filled
        before date opened, duplicate position id, ...: one line naming file, row and column.
    """
    table = read_delimited(path)
    require_columns(table, POSITION_COLUMNS)
    unknown = [c for c in table.frame.columns
               if c not in POSITION_COLUMNS + OPTIONAL_POSITION_COLUMNS]
    if unknown:
        raise InputError(f"{table.label}: unknown column{'s' if len(unknown) > 1 else ''} "
                         + ", ".join(f"'{c}'" for c in unknown)
                         + " (docs/staffing.md lists the positions layout)")
    pid = _text(table, "position_id")
    _raise_at(table, pid.isna().to_numpy(), "position_id", lambda p: "a value is required here")
    cds = pad_code(table, "cds_code", CDS_CODE)
    job = _vocab(table, "job_class", JOB_CLASSES, "job class")
    _raise_at(table, job.isna().to_numpy(), "job_class", lambda p: "a value is required here")
    fte = parse_number(table, "fte")
    _raise_at(table, (fte.isna()).to_numpy(), "fte", lambda p: "a value is required here")
    _raise_at(table, ((fte <= 0) | (fte > 1)).to_numpy(), "fte",
              lambda p: f"FTE {fte.iloc[p]:g} is out of range (a position is more than 0 and at "
                        "most 1.0 FTE)")
    status = _vocab(table, "status", {}, "status", STATUS_ALIASES)
    _raise_at(table, status.isna().to_numpy(), "status", lambda p: "a value is required here")
    opened = _dates(table, "date_opened")
    filled_on = _dates(table, "date_filled")
    _raise_at(table, (filled_on < opened).to_numpy(), "date_filled",
              lambda p: f"date filled {filled_on.iloc[p].date()} is before date opened "
                        f"{opened.iloc[p].date()}")
    vacant = (status == "vacant").to_numpy()
    _raise_at(table, vacant & filled_on.notna().to_numpy(), "date_filled",
              lambda p: "a vacant position has no date filled (status is 'vacant')")
    _raise_at(table, vacant & opened.isna().to_numpy(), "date_opened",
              lambda p: "a vacant position needs the date it opened")
    cred = _vocab(table, "credential", CREDENTIALS, "credential status")
    infield = _vocab(table, "in_field", {}, "value of in_field", IN_FIELD_ALIASES)
    years = (parse_number(table, "years_experience") if "years_experience" in table.frame
             else pd.Series(np.nan, index=table.frame.index))
    # a teaching career is never longer than MAX_YEARS_EXPERIENCE: 150 is a typo or a
    # shifted cell, and it would move the school's experience figures silently
    _raise_at(table, ((years < 0) | (years > MAX_YEARS_EXPERIENCE)).to_numpy(),
              "years_experience",
              lambda p: f"{years.iloc[p]:g} years of experience is out of range (0 to "
                        f"{MAX_YEARS_EXPERIENCE})")
    teacher_filled = ((job == "teacher") & (status == "filled")).to_numpy()
    for col, series in (("credential", cred), ("in_field", infield),
                        ("years_experience", years)):
        if col not in table.frame.columns and teacher_filled.any():
            raise InputError(f"{table.label}: missing column '{col}' (filled teaching positions "
                             "need credential, in_field and years_experience)")
        _raise_at(table, teacher_filled & series.isna().to_numpy(), col,
                  lambda p: "a filled teaching position needs a value here")
        _raise_at(table, vacant & series.notna().to_numpy(), col,
                  lambda p: "a vacant position has no incumbent: leave this blank")
    df = pd.DataFrame({
        "position_id": pid.astype(object),
        "cds_code": cds.astype(object),
        "job_class": job.astype(object),
        "subject": _text(table, "subject"),
        "fte": fte.astype(float),
        "status": status.astype(object),
        "date_opened": opened,
        "date_filled": filled_on,
        "credential": cred.astype(object),
        "in_field": infield.astype(object),
        "years_experience": years.astype(float),
    })
    return validate(df, POSITIONS_SCHEMA, table)


_SCHOOL_ALIASES = {
    "cds_code": ("cds_code", "cds", "CDSCode", "CDS Code"),
    "school_name": ("school_name", "School Name"),
    "level": ("level", "school_level", "span"),
    "enrollment": ("enrollment", "Enrollment (K-12)"),
    "pct_frpm": ("pct_frpm", "frpm_pct"),
    "pct_minority": ("pct_minority", "minority_pct"),
    "tier": ("tier",),
    "need_score": ("need_score", "score"),
}


def read_staff_schools(path: str | Path) -> pd.DataFrame:
    """Read the schools of a staffing analysis: one row per school.

    Columns (first spelling found): ``cds_code`` (or ``cds``), ``enrollment``, ``pct_frpm`` (or
    ``frpm_pct``; percent of students eligible for free or reduced-price meals, 0-100), and
    optionally ``school_name``, ``level`` (or ``span``: ``elementary``, ``middle``, ``high``;
    ``k12`` and other spans become ``other``), ``pct_minority`` (or ``minority_pct``: percent
    of students who are American Indian/Alaska Native, Asian, African American, Filipino,
    Native Hawaiian/Pacific Islander, Hispanic or two or more races, the SBE 2019 definition of
    a minority student), ``tier`` (a need tier, e.g. ``1 Highest`` from ``equitable index``) and
    ``need_score``. ``lausd/schools_2024_25.csv`` and an ``equitable run`` ``schools.csv`` fit.

    Returns
    -------
    DataFrame with the columns of :data:`SCHOOLS_SCHEMA` (absent optional columns are missing
    values), in file order.
    """
    table = read_delimited(path)
    cols: dict[str, str] = {}
    for name, options in _SCHOOL_ALIASES.items():
        for o in options:
            if o in table.frame.columns:
                cols[name] = o
                break
    if "cds_code" not in cols or "enrollment" not in cols:
        require_columns(table, [c for c in ("cds_code", "enrollment") if c not in cols])
    register_source_names(table, {k: v for k, v in cols.items()})
    n = len(table.frame)
    df = pd.DataFrame(index=table.frame.index)
    df["cds_code"] = pad_code(table, cols["cds_code"], CDS_CODE).astype(object)
    df["school_name"] = _text(table, cols["school_name"]) if "school_name" in cols else None
    if "level" in cols:
        raw = _text(table, cols["level"])
        lv = raw.map(lambda v: None if v is None else LEVEL_ALIASES.get(str(v).lower(), "?"))
        _raise_at(table, (lv == "?").to_numpy(), cols["level"],
                  lambda p: f"'{raw.iloc[p]}' is not a school level (elementary, middle, high, "
                            "k12 or other)")
        df["level"] = lv.astype(object)
    else:
        df["level"] = pd.Series([None] * n, dtype=object)
    for name in ("enrollment", "pct_frpm", "pct_minority", "need_score"):
        if name in cols:
            df[name] = parse_number(table, cols[name]).astype(float)
        else:
            df[name] = np.nan
    _raise_at(table, df["enrollment"].isna().to_numpy(), cols["enrollment"],
              lambda p: "a value is required here")
    df["tier"] = _text(table, cols["tier"]) if "tier" in cols else None
    df["school_name"] = df["school_name"].astype(object)
    df["tier"] = df["tier"].astype(object)
    return validate(df, SCHOOLS_SCHEMA, table)


CDE_FTE_COLUMNS = ("AcademicYear", "DistrictCode", "SchoolCode", "JobClassification",
                   "StaffType", "FTE")
CDE_JOB_CLASSIFICATIONS = {"10": "Administrator", "11": "Pupil services", "12": "Teacher",
                           "25": "Non-certificated Administrator",
                           "26": "Charter School Non-certificated Teacher",
                           "27": "Itinerant or Pull-Out/Push-In Teacher"}
CDE_STAFF_TYPES = {"A": "administrator", "P": "pupil_services", "T": "teacher"}


def read_cde_staff_fte(path: str | Path) -> pd.DataFrame:
    """Read CDE's Staff School FTE file and sum FTE per school and staff type.

    Layout: CDE, "File Structure: Staff School FTE" (https://www.cde.ca.gov/ds/ad/
    fsstaffschoolfte.asp): ``AcademicYear``, ``RecID``, ``DistrictCode`` (7 digits),
    ``SchoolCode`` (7), names, ``JobClassification`` (10 administrator, 11 pupil services, 12
    teacher, 25, 26, 27), ``StaffType`` (``A``, ``P``, ``T``), ``FTE`` (100 = one full-time
    equivalent), ``FileCreated``. Tab-delimited ``.txt`` as CDE publishes it, or CSV.

    Returns
    -------
    DataFrame ``cds_code``, ``academic_year``, ``staff_type`` (``administrator``,
    ``pupil_services``, ``teacher``), ``fte`` (sum of FTE / 100), ``staff`` (records), sorted by
    CDS code and staff type. Pupil services are not split into counselors, psychologists and
    the rest in this file: use a district export for the professional ratios.
    """
    table = read_delimited(path)
    require_columns(table, CDE_FTE_COLUMNS)
    dist = pad_code(table, "DistrictCode", COUNTY_DISTRICT)
    school = pad_code(table, "SchoolCode", SCHOOL_CODE)
    jc = _text(table, "JobClassification")
    _raise_at(table, ~jc.isin(list(CDE_JOB_CLASSIFICATIONS)).to_numpy(), "JobClassification",
              lambda p: f"'{jc.iloc[p]}' is not a CDE job classification (10, 11, 12, 25, 26, "
                        "27)")
    st = _text(table, "StaffType")
    _raise_at(table, ~st.isin(list(CDE_STAFF_TYPES)).to_numpy(), "StaffType",
              lambda p: f"'{st.iloc[p]}' is not a CDE staff type (A, P or T)")
    fte = parse_number(table, "FTE")
    _raise_at(table, (fte.isna() | (fte < 0) | (fte > 100)).to_numpy(), "FTE",
              lambda p: f"FTE '{table.frame['FTE'].iloc[p]}' is out of range (0-100, 100 = one "
                        "full-time equivalent)")
    df = pd.DataFrame({"cds_code": (dist + school).astype(object),
                       "academic_year": _text(table, "AcademicYear"),
                       "staff_type": st.map(CDE_STAFF_TYPES), "fte": fte / 100.0})
    out = (df.groupby(["cds_code", "academic_year", "staff_type"], sort=True)
           .agg(fte=("fte", "sum"), staff=("fte", "size")).reset_index())
    out["fte"] = out["fte"].round(4)
    out.attrs["notes"] = [n for n in table.notes if n]  # codes padded by equitable.ids
    return out
