"""The app factory: ``create_app(settings)`` builds the FastAPI app of every web domain."""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from equitable.outreach import database_error, make_engine, migrate
from equitable.web._settings import WebSettings
from equitable.web.deps import LoginRequired, render, translate
from equitable.web.i18n import LANG_COOKIE, LANGUAGES, negotiate

__all__ = ["CONTENT_SECURITY_POLICY", "OPTIONAL_DOMAINS", "SESSION_COOKIE", "create_app",
           "prepare_to_serve"]

log = logging.getLogger("equitable.web")
SESSION_COOKIE = "equitable_session"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
# Domains mounted when their package exists: module path -> attribute holding an APIRouter.
OPTIONAL_DOMAINS = ("equitable.web.dashboard",)
_STATIC = Path(__file__).with_name("static")


def _include_optional(app: FastAPI, module_name: str) -> bool:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            return False
        raise
    router = getattr(module, "router", None)
    if router is None:
        return False
    app.include_router(router)
    app.state.nav = list(getattr(module, "NAV", [])) + app.state.nav
    static = Path(module.__file__).with_name("static") if module.__file__ else None
    if static is not None and static.is_dir():
        app.mount(f"/static/{module_name.rsplit('.', 1)[-1]}", StaticFiles(directory=static),
                  name=f"static-{module_name.rsplit('.', 1)[-1]}")
    return True


class LanguageAndHeadersMiddleware:
    """Pure ASGI middleware: picks the request's language (``scope["state"]["lang"]``), remembers
    ``?lang=`` in a cookie, and adds the security headers to every response."""

    def __init__(self, app, settings: WebSettings, app_state) -> None:
        self.app, self.settings, self.app_state = app, settings, app_state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        query = request.query_params.get("lang")
        query = query if query in LANGUAGES else None
        cookie = request.cookies.get(LANG_COOKIE)
        lang = negotiate(query, cookie, None, request.headers.get("accept-language"),
                         self.settings.default_language)
        scope.setdefault("state", {})["lang"] = lang
        path = scope["path"]
        extra: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", self.app_state.csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"content-language", lang.encode()),
        ]
        if path == "/staff" or path.startswith(("/staff/", "/login", "/account")):
            extra.append((b"cache-control", b"no-store"))
        if query and cookie != query:
            secure = "; Secure" if self.settings.cookie_secure else ""
            extra.append((b"set-cookie", f"{LANG_COOKIE}={query}; Max-Age={365 * 24 * 3600}; "
                          f"Path=/; HttpOnly; SameSite=Lax{secure}".encode()))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                for k, v in extra:
                    if k == b"set-cookie" or k not in names or k == b"cache-control":
                        headers = [h for h in headers if not (h[0].lower() == k
                                                              and k == b"cache-control")]
                        headers.append((k, v))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: Collector thresholds while serving (CPython's default is (700, 10, 10)): a full collection
#: every ~700 x 10 x 10 surviving allocations walked all of the app's objects and stopped every
#: thread for 150-190 ms, several times a minute under load (measured with gc.callbacks).
SERVING_GC_THRESHOLD = (50_000, 20, 10)


def prepare_to_serve() -> None:
    """Tune the garbage collector of a process that is about to serve the app it has built.

    ``gc.freeze()`` moves every object alive now (the imported libraries, templates, the app)
    to the permanent generation, so later collections no longer walk them; a higher first
    threshold (:data:`SERVING_GC_THRESHOLD`) makes collections rarer. Reference counting still
    frees everything at once; only reference cycles wait longer. Python documentation, ``gc``
    module, ``gc.freeze`` and ``gc.set_threshold``. Called by ``equitable serve`` (and the
    ``equitable.web._asgi`` entry point of its worker processes), never by tests or library
    users, whose processes keep Python's defaults.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVING_GC_THRESHOLD)


def _lifespan(settings: WebSettings):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the thread pool of the sync handlers: AnyIO's default of 40 threads per process
        # (WebSettings.request_threads says why fewer)
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        yield

    return lifespan


def create_app(settings: WebSettings, *, engine=None) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    settings : :class:`~equitable.web.WebSettings` (see :func:`~equitable.web.load_settings`).
    engine : an existing SQLAlchemy engine (tests); default: one made from
        ``settings.database_url``.

    The staff console (``/staff``, ``/login``) is always mounted; a public dashboard package
    ``equitable.web.dashboard`` exposing ``router`` (and optionally ``NAV``, a list of
    ``(message id, href)`` for the main navigation) is mounted when it exists, and owns ``/``.
    """
    from equitable.web import _auth, _sessions_admin
    from equitable.web.outreach import router as outreach_router

    app = FastAPI(title="equitable", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_lifespan(settings))
    app.state.settings = settings
    app.state.engine = engine if engine is not None else make_engine(settings.database_url)
    if settings.migrate_on_start:
        migrate(app.state.engine)
    app.state.nav = [("Outreach queue", "/staff/")]
    app.state.csp = CONTENT_SECURITY_POLICY

    app.include_router(_auth.router)
    app.include_router(outreach_router)
    app.include_router(_sessions_admin.router)
    has_dashboard = any(_include_optional(app, m) for m in OPTIONAL_DOMAINS)
    if not has_dashboard:
        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/staff/", status_code=303)

    @app.get("/es", include_in_schema=False)
    @app.get("/es/", include_in_schema=False)
    def spanish_home() -> RedirectResponse:
        # a path many people type for the Spanish site: the home page in Spanish, not a 404
        return RedirectResponse("/?lang=es", status_code=307)

    @app.get("/en", include_in_schema=False)
    @app.get("/en/", include_in_schema=False)
    def english_home() -> RedirectResponse:
        return RedirectResponse("/?lang=en", status_code=307)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        # browsers ask for it on every first visit; no icon, and no 404 in their console
        return Response(status_code=204)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = "/login?next=" + request.url.path
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        titles = {403: "You do not have access to this page.",
                  404: "This page does not exist, or you do not have access to it.",
                  405: "This action is not allowed here.",
                  429: "Too many attempts. Please wait 15 minutes and try again.",
                  503: "This page is not available yet: the results it shows have not been "
                       "published."}
        message = titles.get(exc.status_code, "Something went wrong.")
        return render(request, "error.html", {"status": exc.status_code,
                                              "message": translate(request, message)},
                      status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return render(request, "error.html",
                      {"status": 422, "message": translate(request, "The request was not valid.")},
                      status_code=422)

    from sqlalchemy.exc import SQLAlchemyError

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(request: Request, exc: SQLAlchemyError) -> Response:
        # the one place a database error of a request becomes a log line: the rule broken and
        # the table and column, never the statement's values or PostgreSQL's detail (they name
        # students; PRIVACY.md); no traceback, which would carry them
        log.error("database error on %s %s: %s", request.method, request.url.path,
                  database_error(exc))
        return render(request, "error.html", {
            "status": 500, "message": translate(request, "Something went wrong.")},
            status_code=500)

    app.add_middleware(LanguageAndHeadersMiddleware, settings=settings, app_state=app.state)
    app.add_middleware(
        SessionMiddleware,  # a signed cookie with the session token and the CSRF token
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    if settings.trusted_proxies:
        # the client address and scheme from X-Forwarded-For/-Proto, only from these proxies
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware,
                           trusted_hosts=[str(n) for n in settings.trusted_proxies])
    return app
