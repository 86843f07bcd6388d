"""Missing students: daily attendance and platform activity -> chronic absence, SB 98
re-engagement triggers, "missing" and "never engaged" students, an outreach queue.

The rules are Ibis expressions run on DuckDB (default) or PySpark; see docs/engagement.md.
"""

from equitable.engagement._io import ABSENT_STATUSES, PRESENT_STATUSES, STATUSES
from equitable.engagement._pipeline import EngagementResult, compute_engagement, run_engagement

__all__ = [
    "ABSENT_STATUSES",
    "PRESENT_STATUSES",
    "STATUSES",
    "EngagementResult",
    "compute_engagement",
    "run_engagement",
]
