"""Outreach case management: roster, queue import, cases, caseload assignment, disclosure log.

See docs/outreach.md. The schema is built only by the Alembic migrations (:func:`migrate`).
"""

from equitable.outreach._assign import AssignmentResult, assign_caseloads
from equitable.outreach._cases import (
    CaseNotFound,
    Forbidden,
    FormError,
    add_contact,
    add_referral,
    case_counts,
    disclosure_log,
    export_cases,
    export_disclosure_log,
    get_case,
    queue_page,
    set_details,
    set_status,
)
from equitable.outreach._db import make_engine, migrate
from equitable.outreach._import import ImportResult, import_queue, import_roster, import_schools
from equitable.outreach._notices import ec48985_languages, render_notice
from equitable.outreach._users import add_agreement, create_organization, create_user

__all__ = [
    "AssignmentResult",
    "CaseNotFound",
    "Forbidden",
    "FormError",
    "ImportResult",
    "add_agreement",
    "add_contact",
    "add_referral",
    "assign_caseloads",
    "case_counts",
    "create_organization",
    "create_user",
    "disclosure_log",
    "ec48985_languages",
    "export_cases",
    "export_disclosure_log",
    "get_case",
    "import_queue",
    "import_roster",
    "import_schools",
    "make_engine",
    "migrate",
    "queue_page",
    "render_notice",
    "set_details",
    "set_status",
]
