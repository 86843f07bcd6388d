"""The public equity dashboard (no login): school finder and school pages, a map of schools by
tier, an allocation explorer and the methods page, in English and Spanish, every table as CSV.

The app factory (:func:`equitable.web.create_app`) mounts :data:`router` and owns ``/`` with it.
The data is one ``equitable run`` output folder (``schools.csv`` + ``run.json``), named by
``EQUITABLE_DASHBOARD_RESULTS`` (default ``out/lausd``) and loaded into memory on first use, or
set directly: ``app.state.dashboard_data = load_results("out/lausd")``. See docs/dashboard.md.
"""

from equitable.web.dashboard._data import RESULTS_ENV, DashboardData, load_results
from equitable.web.dashboard._routes import router

#: Main navigation entries (message id, href), prepended to the app's navigation.
NAV = [("Find a school", "/"), ("Map", "/map"), ("Allocation explorer", "/explorer"),
       ("Methods", "/methods")]

__all__ = ["NAV", "RESULTS_ENV", "DashboardData", "load_results", "router"]
