"""The web app: FastAPI + Jinja2 + htmx. Staff console (``/staff``) and, when present, the public
dashboard (``equitable.web.dashboard``). See docs/web.md."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from equitable.web._app import create_app
    from equitable.web._settings import WebSettings, load_settings

# The submodules load on first use (PEP 562), so `equitable --help` does not pay for the
# heavy libraries they import.

from equitable._lazy import lazy_exports

_LAZY = {
    "create_app": "equitable.web._app",
    "WebSettings": "equitable.web._settings",
    "load_settings": "equitable.web._settings",
}

__all__ = ["WebSettings", "create_app", "load_settings"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
