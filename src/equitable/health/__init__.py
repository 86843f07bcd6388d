"""Health: community health vulnerability per school (CalEnviroScreen 4.0, SVI 2018, Healthy
Places Index 2.0 and the Vaccine Equity Metric quartile) and clinic or information site selection
(maximal covering location, exact with OR-Tools). See docs/health.md.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from equitable.health._io import (
        read_candidate_sites,
        read_site_schools,
        read_travel_times,
        school_health_files,
        sites_files,
    )
    from equitable.health._notices import read_home_languages, site_notices
    from equitable.health._sites import DETOUR_FACTOR, SitesResult, choose_sites, reach_matrix
    from equitable.health._vulnerability import hpi_by_tract, school_health

from equitable._lazy import lazy_exports

_LAZY = {
    "read_candidate_sites": "equitable.health._io",
    "read_site_schools": "equitable.health._io",
    "read_travel_times": "equitable.health._io",
    "school_health_files": "equitable.health._io",
    "sites_files": "equitable.health._io",
    "read_home_languages": "equitable.health._notices",
    "site_notices": "equitable.health._notices",
    "DETOUR_FACTOR": "equitable.health._sites",
    "SitesResult": "equitable.health._sites",
    "choose_sites": "equitable.health._sites",
    "reach_matrix": "equitable.health._sites",
    "hpi_by_tract": "equitable.health._vulnerability",
    "school_health": "equitable.health._vulnerability",
}

__all__ = [
    "DETOUR_FACTOR",
    "SitesResult",
    "choose_sites",
    "hpi_by_tract",
    "reach_matrix",
    "read_candidate_sites",
    "read_home_languages",
    "read_site_schools",
    "read_travel_times",
    "school_health",
    "school_health_files",
    "site_notices",
    "sites_files",
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
