"""The vocabularies of the staffing inputs and the published figures the part uses.

Sources
-------
* Educator equity definitions: California State Board of Education, 6 November 2019, "Updated
  Teacher Equity Definitions" (https://www.cde.ca.gov/pd/ee/teacherequitydefinitions.asp).
* Professional ratios: ASCA, "The Role of the School Counselor" (recommended 250 students per
  school counselor); NASP, "Model for Comprehensive and Integrated School Psychological
  Services" (2020), 500 students per school psychologist; SSWAA, "School Social Work Model"
  / NASW Standards for School Social Work Services (2012), 250 students per school social
  worker; NASN, position statement "School Nurse Workload: Staffing for Safe Care" (2015 and
  earlier): one nurse per 750 students in general (well) populations.
"""

from __future__ import annotations

#: Job classes of a position (column ``job_class``): code -> description.
JOB_CLASSES: dict[str, str] = {
    "teacher": "classroom teacher (give 'subject')",
    "counselor": "school counselor (PPS credential, school counseling)",
    "social_worker": "psychiatric social worker / school social worker (PPS, school social work)",
    "psychologist": "school psychologist (PPS, school psychology)",
    "nurse": "school nurse (school nurse services credential)",
    "psa_counselor": "pupil services and attendance counselor (PPS, child welfare and attendance)",
    "other": "any other position",
}

#: Credential status of a filled teaching position (column ``credential``).
CREDENTIALS: dict[str, str] = {
    "clear": "full credential (preliminary or clear) for the assignment's area",
    "intern": "university or district intern credential (effective under the SBE 2019 rules)",
    "permit": "limited or emergency permit without a full credential: Provisional Internship "
              "Permit (PIP), Short-Term Staff Permit (STSP), substitute permit or TSPL as "
              "teacher of record",
    "waiver": "Variable Term Waiver (VTW) or other CTC waiver",
    "none": "no credential, permit or authorization to teach in California",
}

#: Whether a filled teaching assignment is in field (column ``in_field``).
IN_FIELD: dict[str, str] = {
    "yes": "the credential authorizes the assignment",
    "no": "credentialed teacher outside the credential's area under a limited assignment "
          "permit (GELAP, SELAP) or local assignment option: out-of-field",
    "misassigned": "credentialed teacher outside the credential's area with no permit or "
                   "authorization for it: ineffective (misassignment)",
}

#: Spellings accepted for ``in_field`` and ``status``.
IN_FIELD_ALIASES = {"yes": "yes", "y": "yes", "true": "yes", "1": "yes",
                    "no": "no", "n": "no", "false": "no", "0": "no",
                    "misassigned": "misassigned"}
STATUS_ALIASES = {"filled": "filled", "vacant": "vacant", "open": "vacant"}

#: Students per professional: job class -> (students per 1.0 FTE, organisation, source).
RATIOS: dict[str, tuple[int, str, str]] = {
    "counselor": (250, "ASCA", "American School Counselor Association, 'The Role of the School "
                  "Counselor' and 'School Counselor Roles & Ratios' (250:1)"),
    "social_worker": (250, "SSWAA", "School Social Work Association of America, 'School Social "
                      "Work Model'; NASW Standards for School Social Work Services, 2012 "
                      "(250:1)"),
    "psychologist": (500, "NASP", "National Association of School Psychologists, 'Model for "
                     "Comprehensive and Integrated School Psychological Services', 2020 "
                     "(500:1)"),
    "nurse": (750, "NASN", "National Association of School Nurses, position statement 'School "
              "Nurse Workload: Staffing for Safe Care' (1:750 in general populations)"),
}

#: School levels of the educator equity tables (CDE reports elementary, middle and high).
LEVELS = ("elementary", "middle", "high")
LEVEL_ALIASES = {"elementary": "elementary", "elem": "elementary", "es": "elementary",
                 "middle": "middle", "ms": "middle", "junior high": "middle",
                 "high": "high", "hs": "high", "k12": "other", "k-12": "other",
                 "span": "other", "other": "other"}

#: Days after which an open position counts as long open.
LONG_OPEN_DAYS = 60

#: Published figures the synthetic district is calibrated to (see docs/staffing.md).
PUBLISHED = {
    # CDE, Teaching Assignment Monitoring Outcomes (TAMO), state level, by FTE: 83.1% clear in
    # 2020-21 and 83.9% in 2021-22 ("83-84%").
    "state_clear_pct": 83.5,
    # Partnership for Los Angeles Schools, "Closing the Equity Gap in School Staffing" (March
    # 2022): in October 2021 the highest-need LAUSD schools had twice as many teacher vacancies
    # as the lowest-need ones.
    "vacancy_ratio_highest_to_lowest": 2.0,
    # LAUSD, start of 2024-25: 4,467 certificated vacancies, 3,314 of them classroom teachers.
    "lausd_2024_25_certificated_vacancies": 4467,
    "lausd_2024_25_teacher_vacancies": 3314,
}
