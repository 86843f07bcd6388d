"""Reports: a self-contained bilingual HTML report (plotly inlined, no tiles) and an XLSX
workbook for budget staff. Translations live in one place, ``equitable.report._messages``."""

from equitable.report._html import render_html, write_html
from equitable.report._messages import MESSAGES, t
from equitable.report._model import TIER_COLOURS, ReportData
from equitable.report._xlsx import write_xlsx

__all__ = ["MESSAGES", "TIER_COLOURS", "ReportData", "render_html", "t", "write_html",
           "write_xlsx"]
