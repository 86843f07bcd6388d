"""Staff console for outreach case management (routes under ``/staff``)."""

from equitable.web.outreach._routes import router

__all__ = ["router"]

from equitable.engagement._reasons import reasons_text as _reasons_text
from equitable.web.deps import templates_env as _env
from equitable.web.outreach._labels import LABELS as _LABELS

_env.globals.setdefault("labels", _LABELS)


def _reasons_filter(value, lang):
    """``{{ r.reasons | reasons_text(lang) }}``: a case's reasons in the page's language (English
    when ``lang`` is not set). A value that is not text is passed through, so Jinja renders it
    exactly as it would without the filter."""
    if not isinstance(value, str):
        return value
    return _reasons_text(value, lang if isinstance(lang, str) else "en")


_env.filters.setdefault("reasons_text", _reasons_filter)
