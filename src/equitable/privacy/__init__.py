"""Privacy: the one path by which any aggregate leaves the tool.

Minimal core (primary suppression); see docs/privacy.md and PRIVACY.md.
"""

from equitable.privacy._suppress import MARKER, DEFAULT_THRESHOLD, suppress_table

__all__ = ["MARKER", "DEFAULT_THRESHOLD", "suppress_table"]
