"""The web app: FastAPI + Jinja2 + htmx. Staff console (``/staff``) and, when present, the public
dashboard (``equitable.web.dashboard``). See docs/web.md."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from equitable.web._app import create_app
    from equitable.web._settings import WebSettings, load_settings

# The submodules load on first use (PEP 562), so `equitable --help` does not pay for the
# heavy libraries they import.
_LAZY = {
    "create_app": "equitable.web._app",
    "WebSettings": "equitable.web._settings",
    "load_settings": "equitable.web._settings",
}

__all__ = ["WebSettings", "create_app", "load_settings"]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
