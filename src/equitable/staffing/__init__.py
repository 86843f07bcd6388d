"""Staffing: positions, vacancies and credentials -> educator equity gaps (SBE 2019
definitions), student-support ratios by need tier, recruitment plans through allocate.

Public API (docs/staffing.md)
-----------------------------
read_positions(path), read_staff_schools(path), read_cde_staff_fte(path)
classify_teachers(positions), school_quartiles(values, groups)
educator_equity_gaps(positions, schools) -> EquityGaps
staffing_report(positions, schools, *, as_of, year_start) -> StaffingReport
plan_positions(report.schools, job_class, fte, ...) / plan_incentives(report.schools, budget)
gaps_files / report_files / plan_files (the CLI's commands); synth_staff(out_dir, schools)
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from equitable.staffing._gaps import (
        EquityGaps,
        classify_teachers,
        educator_equity_gaps,
        school_quartiles,
    )
    from equitable.staffing._io import gaps_files, plan_files, report_files
    from equitable.staffing._layout import RATIOS
    from equitable.staffing._plan import StaffingPlan, plan_incentives, plan_positions
    from equitable.staffing._read import read_cde_staff_fte, read_positions, read_staff_schools
    from equitable.staffing._report import StaffingReport, staffing_report
    from equitable.staffing._synth import synth_staff

from equitable._lazy import lazy_exports

_LAZY = {
    "EquityGaps": "equitable.staffing._gaps",
    "classify_teachers": "equitable.staffing._gaps",
    "educator_equity_gaps": "equitable.staffing._gaps",
    "school_quartiles": "equitable.staffing._gaps",
    "gaps_files": "equitable.staffing._io",
    "plan_files": "equitable.staffing._io",
    "report_files": "equitable.staffing._io",
    "RATIOS": "equitable.staffing._layout",
    "StaffingPlan": "equitable.staffing._plan",
    "plan_incentives": "equitable.staffing._plan",
    "plan_positions": "equitable.staffing._plan",
    "read_cde_staff_fte": "equitable.staffing._read",
    "read_positions": "equitable.staffing._read",
    "read_staff_schools": "equitable.staffing._read",
    "StaffingReport": "equitable.staffing._report",
    "staffing_report": "equitable.staffing._report",
    "synth_staff": "equitable.staffing._synth",
}

__all__ = [
    "RATIOS",
    "EquityGaps",
    "StaffingPlan",
    "StaffingReport",
    "classify_teachers",
    "educator_equity_gaps",
    "gaps_files",
    "plan_files",
    "plan_incentives",
    "plan_positions",
    "read_cde_staff_fte",
    "read_positions",
    "read_staff_schools",
    "report_files",
    "school_quartiles",
    "staffing_report",
    "synth_staff",
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
