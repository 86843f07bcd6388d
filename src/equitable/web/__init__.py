"""The web app: FastAPI + Jinja2 + htmx. Staff console (``/staff``) and, when present, the public
dashboard (``equitable.web.dashboard``). See docs/web.md."""

from equitable.web._app import create_app
from equitable.web._settings import WebSettings, load_settings

__all__ = ["WebSettings", "create_app", "load_settings"]
