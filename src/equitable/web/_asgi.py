"""ASGI entry point for multi-process servers: ``uvicorn equitable.web._asgi:app``.

Reads the settings from the environment (``EQUITABLE_SESSION_SECRET`` is required).
"""

from equitable.web import create_app, load_settings
from equitable.web._app import prepare_to_serve

app = create_app(load_settings(migrate_on_start=False))
prepare_to_serve()
