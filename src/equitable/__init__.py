"""equitable: need indices, need-based allocation, missing-student outreach, community voice
and a bilingual public dashboard for equitable school recovery.

Data flows one way: public or district files -> validated tables -> indices -> decisions ->
reports. See docs/ for each part and docs/glossary.md for the field's terms.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("equitable")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
