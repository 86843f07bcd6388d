"""Administrators see the open sessions of the staff console and end them (one session, every
session of a user, or the account itself). OWASP Session Management Cheat Sheet: the server can
invalidate any session; see :mod:`equitable.auth._sessions`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from equitable.auth import (
    User,
    end_session_by_id,
    end_user_sessions,
    list_sessions,
    set_active,
)
from equitable.outreach import read_session
from equitable.web.deps import csrf_protect, get_engine, render, require_roles
from equitable.web.outreach._labels import LABELS

router = APIRouter(prefix="/staff", dependencies=[Depends(csrf_protect)])
admin_only = require_roles("admin")
RowId = Annotated[int, Path(le=2_147_483_647)]


@router.get("/sessions")
def sessions(request: Request, user: User = Depends(admin_only)) -> Response:
    settings = request.app.state.settings
    rows = list_sessions(get_engine(request), idle=dt.timedelta(seconds=settings.session_idle_s),
                         max_age=dt.timedelta(seconds=settings.session_max_age_s))
    return render(request, "sessions.html", {
        "rows": rows, "labels": LABELS, "idle_min": settings.session_idle_s // 60,
        "max_age_h": round(settings.session_max_age_s / 3600, 1)})


@router.post("/sessions/{session_id}/end")
def end_one(request: Request, session_id: RowId, user: User = Depends(admin_only)) -> Response:
    end_session_by_id(get_engine(request), session_id, "admin")
    return RedirectResponse("/staff/sessions", status_code=303)


def _user(request: Request, user_id: int) -> User:
    with read_session(get_engine(request)) as s:
        u = s.get(User, user_id)
    if u is None:
        raise HTTPException(status_code=404)
    return u


@router.post("/users/{user_id}/sessions/end")
def end_all(request: Request, user_id: RowId, user: User = Depends(admin_only)) -> Response:
    end_user_sessions(get_engine(request), _user(request, user_id).id, "admin")
    return RedirectResponse("/staff/sessions", status_code=303)


@router.post("/users/{user_id}/disable")
def disable(request: Request, user_id: RowId, user: User = Depends(admin_only)) -> Response:
    target = _user(request, user_id)
    if target.id == user.id:  # an administrator cannot lock themself out by mistake
        raise HTTPException(status_code=403)
    set_active(get_engine(request), target.username, False)
    return RedirectResponse("/staff/sessions", status_code=303)
