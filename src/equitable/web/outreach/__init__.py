"""Staff console for outreach case management (routes under ``/staff``)."""

from equitable.web.outreach._routes import router

__all__ = ["router"]

from equitable.web.deps import templates_env as _env
from equitable.web.outreach._labels import LABELS as _LABELS

_env.globals.setdefault("labels", _LABELS)
