"""Outreach case management: roster, queue import, cases, caseload assignment, disclosure log.

See docs/outreach.md. The schema is built only by the Alembic migrations (:func:`migrate`).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
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
    from equitable.outreach._db import (
        DEFAULT_DATABASE_URL,
        database_error,
        make_engine,
        migrate,
        read_session,
        write_session,
    )
    from equitable.outreach._import import ImportResult, import_queue, import_roster, import_schools
    from equitable.outreach._models import User
    from equitable.outreach._notices import ec48985_languages, render_notice
    from equitable.outreach._organizations import add_agreement, create_organization

# The submodules load on first use (PEP 562), so `equitable --help` does not pay for the
# heavy libraries they import.

from equitable._lazy import lazy_exports

_LAZY = {
    "AssignmentResult": "equitable.outreach._assign",
    "assign_caseloads": "equitable.outreach._assign",
    "CaseNotFound": "equitable.outreach._cases",
    "Forbidden": "equitable.outreach._cases",
    "FormError": "equitable.outreach._cases",
    "add_contact": "equitable.outreach._cases",
    "add_referral": "equitable.outreach._cases",
    "case_counts": "equitable.outreach._cases",
    "disclosure_log": "equitable.outreach._cases",
    "export_cases": "equitable.outreach._cases",
    "export_disclosure_log": "equitable.outreach._cases",
    "get_case": "equitable.outreach._cases",
    "queue_page": "equitable.outreach._cases",
    "set_details": "equitable.outreach._cases",
    "set_status": "equitable.outreach._cases",
    "DEFAULT_DATABASE_URL": "equitable.outreach._db",
    "database_error": "equitable.outreach._db",
    "make_engine": "equitable.outreach._db",
    "migrate": "equitable.outreach._db",
    "read_session": "equitable.outreach._db",
    "write_session": "equitable.outreach._db",
    "User": "equitable.outreach._models",
    "ImportResult": "equitable.outreach._import",
    "import_queue": "equitable.outreach._import",
    "import_roster": "equitable.outreach._import",
    "import_schools": "equitable.outreach._import",
    "ec48985_languages": "equitable.outreach._notices",
    "render_notice": "equitable.outreach._notices",
    "add_agreement": "equitable.outreach._organizations",
    "create_organization": "equitable.outreach._organizations",
    # users are the auth domain's (equitable.auth); kept here for existing callers
    "create_user": "equitable.auth._users",
}

__all__ = [
    "DEFAULT_DATABASE_URL",
    "AssignmentResult",
    "CaseNotFound",
    "Forbidden",
    "FormError",
    "ImportResult",
    "User",
    "add_agreement",
    "add_contact",
    "add_referral",
    "assign_caseloads",
    "case_counts",
    "create_organization",
    "create_user",
    "database_error",
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
    "read_session",
    "render_notice",
    "set_details",
    "set_status",
    "write_session",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
