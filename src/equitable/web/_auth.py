"""Sign in, sign out and the account page (interface language)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from equitable.auth import (
    MIN_PASSWORD_LENGTH,
    User,
    attempt_login,
    end_session,
    set_password,
    start_session,
)
from equitable.outreach import write_session
from equitable.web.deps import (
    client_address,
    csrf_protect,
    current_user,
    get_engine,
    render,
    translate,
)
from equitable.web.i18n import LANG_COOKIE, LANGUAGES

router = APIRouter(dependencies=[Depends(csrf_protect)])


def _safe_next(target: str | None) -> str:
    # only local paths: never an open redirect
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/staff/"),
) -> Response:
    engine = get_engine(request)
    address = client_address(request)
    name = username.strip().lower()[:100]
    result = attempt_login(engine, name, password, address)
    if result.retry_after:
        return render(request, "login.html", {
            "next": _safe_next(next), "username": name,
            "error": translate(request, "Too many attempts. Please wait a few minutes and try "
                                        "again.")}, status_code=429,
            headers={"Retry-After": str(result.retry_after)})
    user = result.user
    if user is None:
        return render(request, "login.html", {
            "next": _safe_next(next), "username": name,
            "error": translate(request, "The user name or the password is wrong.")},
            status_code=400)
    # a fresh session (no fixation): a new server-side session and a new CSRF token; a session
    # the browser held before is ended
    end_session(engine, request.session.get("sid"), "logout")
    request.session.clear()
    request.session.update({"sid": start_session(engine, user.id, address),
                            "csrf": secrets.token_urlsafe(32)})
    target = _safe_next(next)
    if target == "/staff/" and user.role == "outreach_worker":
        target = "/staff/day"  # a worker's home page: their day (issue 21.2)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(LANG_COOKIE, user.ui_language, max_age=365 * 24 * 3600, samesite="lax",
                    secure=request.app.state.settings.cookie_secure, httponly=True)
    return resp


@router.post("/logout")
def logout(request: Request) -> Response:
    # ended on the server: a copy of the cookie taken before is refused afterwards
    end_session(get_engine(request), request.session.get("sid"), "logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/account")
def account(request: Request, user: User = Depends(current_user)) -> Response:
    return render(request, "account.html", {"saved": False})


@router.post("/account")
def account_save(request: Request, ui_language: str = Form(""),
                 user: User = Depends(current_user)) -> Response:
    if ui_language not in LANGUAGES:
        return render(request, "account.html", {
            "saved": False, "error": translate(request, "Choose a language from the list.")},
            status_code=422)
    with write_session(get_engine(request)) as s:
        stored = s.get(User, user.id)
        if stored is not None:  # not deleted since the request began
            stored.ui_language = ui_language
    user.ui_language = ui_language
    request.state.lang = ui_language
    resp = render(request, "account.html", {"saved": True})
    resp.set_cookie(LANG_COOKIE, ui_language, max_age=365 * 24 * 3600, samesite="lax",
                    secure=request.app.state.settings.cookie_secure, httponly=True)
    return resp


@router.post("/account/password")
def change_password(request: Request, current_password: str = Form(""),
                    new_password: str = Form(""), new_password_again: str = Form(""),
                    user: User = Depends(current_user)) -> Response:
    """Change one's password: the current one is checked (and throttled like a sign-in), every
    session of the user ends, and this browser gets a new one (OWASP Session Management Cheat
    Sheet: renew the session after a privilege change; end the others)."""
    engine = get_engine(request)
    error, status = None, 422
    if len(new_password) < MIN_PASSWORD_LENGTH:
        error = "The new password must have at least 12 characters."
    elif new_password != new_password_again:
        error = "The two new passwords differ."
    else:
        result = attempt_login(engine, user.username, current_password, client_address(request))
        if result.retry_after:
            error, status = "Too many attempts. Please wait a few minutes and try again.", 429
        elif result.user is None:
            error = "The current password is wrong."
    if error:
        return render(request, "account.html", {
            "saved": False, "password_error": translate(request, error)}, status_code=status)
    set_password(engine, user.username, new_password)  # ends every session of the user
    request.session.clear()
    request.session.update({"sid": start_session(engine, user.id, client_address(request)),
                            "csrf": secrets.token_urlsafe(32)})
    return render(request, "account.html", {"saved": False, "password_saved": True})
