"""Shared pieces every domain of the web app uses: templates, language, session user, CSRF.

A domain (``equitable.web.outreach``, ``equitable.web.dashboard``, ...) imports from here:

- :func:`render` renders a template with the request's language (``_``, ``ngettext``, ``lang``),
  the CSRF token, the signed-in user (or None) and the language-switch links;
- :func:`get_engine` is the database engine; :func:`optional_user` / :func:`current_user` /
  :func:`require_roles` are the user dependencies;
- :func:`csrf_protect` is a router dependency that checks the CSRF token of every unsafe request.

Templates are looked up in ``equitable/web/templates`` and then in each domain package's
``templates`` folder (``equitable/web/<domain>/templates``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from equitable import __version__
from equitable.auth import User
from equitable.web.i18n import LANGUAGE_NAMES, LANGUAGES, locale, translations

__all__ = [
    "LoginRequired",
    "client_address",
    "csrf_protect",
    "csrf_token",
    "current_user",
    "get_engine",
    "optional_user",
    "render",
    "require_roles",
    "templates_env",
]

_WEB = Path(__file__).parent
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _template_dirs() -> list[str]:
    dirs = [str(_WEB / "templates")]
    dirs += [str(p) for p in sorted(_WEB.glob("*/templates")) if p.is_dir()]
    return dirs


templates_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_template_dirs()),
    autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
    cache_size=400,
)


class LoginRequired(Exception):
    """Raised by :func:`current_user` when nobody is signed in (the app redirects to /login)."""


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def csrf_protect(request: Request) -> None:
    """Reject an unsafe request whose CSRF token (form field ``csrf_token`` or header
    ``X-CSRF-Token``) does not match the session's, or whose Origin is another site
    (OWASP CSRF Prevention Cheat Sheet: synchronizer token pattern plus origin check)."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.url.netloc}"
        if origin != expected:
            raise HTTPException(status_code=403, detail="cross-site request refused")
    sent = request.headers.get("x-csrf-token")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            field = form.get("csrf_token")
            sent = field if isinstance(field, str) else None  # an uploaded file is no token
    expected_token = request.session.get("csrf")
    if not sent or not expected_token or not hmac.compare_digest(str(sent), expected_token):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")


def optional_user(request: Request) -> User | None:
    """The signed-in user, or None (the session is checked once per request).

    The cookie holds a random session token (``sid``); the session itself is kept on the server
    (:mod:`equitable.auth._sessions`): ended sessions (sign-out, password change, account
    disabled, ended by an administrator) and sessions idle for ``session_idle_s`` or older than
    ``session_max_age_s`` are refused, and the cookie is cleared.
    """
    if hasattr(request.state, "user"):
        return request.state.user
    from equitable.auth import resolve_session

    user = None
    sid = request.session.get("sid")
    if sid is not None:
        settings = request.app.state.settings
        user = resolve_session(get_engine(request), sid,
                               idle=dt.timedelta(seconds=settings.session_idle_s),
                               max_age=dt.timedelta(seconds=settings.session_max_age_s))
        if user is None:
            request.session.clear()
    elif "uid" in request.session:  # a cookie from before server-side sessions: sign in again
        request.session.clear()
    request.state.user = user
    return user


def client_address(request: Request) -> str:
    """The client's address: the peer of the connection, or, behind a reverse proxy named in
    ``EQUITABLE_TRUSTED_PROXIES``, the address that proxy put in ``X-Forwarded-For`` (resolved
    by uvicorn's ``ProxyHeadersMiddleware``, which :func:`~equitable.web.create_app` adds only
    then; a forged header from anyone else is ignored)."""
    return request.client.host if request.client else "unknown"


async def current_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise LoginRequired()
    return user


def require_roles(*roles: str):
    """Dependency: the signed-in user, who must have one of ``roles`` (else 403)."""

    async def dep(user: User = Depends(current_user)) -> User:
        if user.role not in roles:
            raise HTTPException(status_code=403, detail="not allowed for your role")
        return user

    return dep


def _lang_links(request: Request) -> list[dict[str, Any]]:
    links = []
    for code in LANGUAGES:
        params = dict(request.query_params)
        params["lang"] = code
        links.append({"code": code, "name": LANGUAGE_NAMES[code],
                      "href": f"{request.url.path}?{urlencode(params)}",
                      "current": code == request.state.lang})
    return links


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render ``template`` in the request's language and return an HTML response.

    Every student record in ``context`` (a case, a queue row, a notice) is written to the FERPA
    disclosure log, one row per student, before the response is returned
    (:func:`equitable.web._disclosure.record_shown`): the one choke point of the record of
    disclosures, whatever the route, template or status code.
    """
    from equitable.web._disclosure import record_shown

    lang = getattr(request.state, "lang", "en")
    t = translations(lang)
    user = optional_user(request)  # first: an ended session clears the cookie, CSRF token too
    ctx = {
        "request": request,
        "lang": lang,
        "locale": locale(lang),
        "_": t.gettext,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "csrf_token": csrf_token(request),
        "user": user,
        "lang_links": _lang_links(request),
        "version": __version__,
        "nav": getattr(request.app.state, "nav", []),
    }
    if context:
        ctx.update(context)
    html = templates_env.get_template(template).render(ctx)
    record_shown(get_engine(request), cast("User | None", ctx["user"]), context or {},
                 path=request.url.path)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def translate(request: Request, message: str) -> str:
    """``message`` in the request's language."""
    return translations(getattr(request.state, "lang", "en")).gettext(message)
