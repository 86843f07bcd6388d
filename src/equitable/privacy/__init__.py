"""Privacy: the one path by which any aggregate leaves the tool.

* primary suppression (CDE: any figure about a group of n <= 10 is ``*``): :func:`suppress_table`;
* caps on extreme rates by group size (NCES 2011-603): :func:`cap_rates`;
* complementary suppression of tables with margins, alone or published together:
  :func:`protect_crosstab`, :func:`protect_tables`, :func:`protect_long`, :func:`publish`;
* the tables of one run as one linked set (shared cells and subset links):
  :func:`protect_linked`, :class:`LongTable`, :class:`Subset`;
* the auditor (attacker LP interval of every suppressed cell): :func:`audit_tables`,
  :func:`audit_files`, :func:`audit_linked`, :func:`assert_no_disclosure`;
* pseudonymous student ids (keyed HMAC): :func:`pseudonymize`, :func:`load_key`;
* :func:`find_sensitive` for tests that scan logs and error messages.

See docs/privacy.md (API, method) and PRIVACY.md (the rules and their sources).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from equitable.privacy._audit import (
        AuditReport,
        DisclosureError,
        assert_no_disclosure,
        audit_files,
        audit_linked,
        audit_tables,
    )
    from equitable.privacy._config import PrivacyConfig, RateCap, load_config
    from equitable.privacy._protect import (
        Protected,
        protect_crosstab,
        protect_linked,
        protect_long,
        protect_tables,
        publish,
    )
    from equitable.privacy._pseudonym import (
        find_sensitive,
        load_key,
        pseudonymize,
        pseudonymize_file,
        record_disclosure,
    )
    from equitable.privacy._suppress import DEFAULT_THRESHOLD, MARKER, cap_rates, suppress_table
    from equitable.privacy._tables import LongTable, Subset

# The submodules load on first use (PEP 562), so `equitable --help` does not pay for the
# heavy libraries they import.

from equitable._lazy import lazy_exports

_LAZY = {
    "AuditReport": "equitable.privacy._audit",
    "DisclosureError": "equitable.privacy._audit",
    "assert_no_disclosure": "equitable.privacy._audit",
    "audit_files": "equitable.privacy._audit",
    "audit_linked": "equitable.privacy._audit",
    "audit_tables": "equitable.privacy._audit",
    "PrivacyConfig": "equitable.privacy._config",
    "RateCap": "equitable.privacy._config",
    "load_config": "equitable.privacy._config",
    "LongTable": "equitable.privacy._tables",
    "Protected": "equitable.privacy._protect",
    "protect_crosstab": "equitable.privacy._protect",
    "protect_linked": "equitable.privacy._protect",
    "protect_long": "equitable.privacy._protect",
    "protect_tables": "equitable.privacy._protect",
    "publish": "equitable.privacy._protect",
    "find_sensitive": "equitable.privacy._pseudonym",
    "load_key": "equitable.privacy._pseudonym",
    "pseudonymize": "equitable.privacy._pseudonym",
    "pseudonymize_file": "equitable.privacy._pseudonym",
    "record_disclosure": "equitable.privacy._pseudonym",
    "DEFAULT_THRESHOLD": "equitable.privacy._suppress",
    "MARKER": "equitable.privacy._suppress",
    "cap_rates": "equitable.privacy._suppress",
    "suppress_table": "equitable.privacy._suppress",
    "Subset": "equitable.privacy._tables",
}

__all__ = [
    "DEFAULT_THRESHOLD",
    "MARKER",
    "AuditReport",
    "DisclosureError",
    "LongTable",
    "PrivacyConfig",
    "Protected",
    "RateCap",
    "Subset",
    "assert_no_disclosure",
    "audit_files",
    "audit_linked",
    "audit_tables",
    "cap_rates",
    "find_sensitive",
    "load_config",
    "load_key",
    "protect_crosstab",
    "protect_linked",
    "protect_long",
    "protect_tables",
    "pseudonymize",
    "pseudonymize_file",
    "publish",
    "record_disclosure",
    "suppress_table",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
