"""The auth domain of the web app: staff users, passwords, login throttling and server-side
sessions. The web core (sign-in, the current user, the session console) and the ``equitable
outreach user`` commands use these names; the tables (``outreach_user``,
``outreach_login_attempt``, ``outreach_web_session``) are in the outreach database and its
migrations (:mod:`equitable.outreach`).

See docs/web.md (sign-in, sessions, throttling) and docs/outreach.md (users and roles).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from equitable.auth._sessions import (
        END_REASONS,
        end_session,
        end_session_by_id,
        end_user_sessions,
        list_sessions,
        resolve_session,
        start_session,
    )
    from equitable.auth._users import (
        MIN_PASSWORD_LENGTH,
        LoginResult,
        attempt_login,
        authenticate,
        create_user,
        list_users,
        login_throttled,
        set_active,
        set_password,
    )
    from equitable.outreach._models import User

from equitable._lazy import lazy_exports

_LAZY = {
    "END_REASONS": "equitable.auth._sessions",
    "end_session": "equitable.auth._sessions",
    "end_session_by_id": "equitable.auth._sessions",
    "end_user_sessions": "equitable.auth._sessions",
    "list_sessions": "equitable.auth._sessions",
    "resolve_session": "equitable.auth._sessions",
    "start_session": "equitable.auth._sessions",
    "MIN_PASSWORD_LENGTH": "equitable.auth._users",
    "LoginResult": "equitable.auth._users",
    "attempt_login": "equitable.auth._users",
    "authenticate": "equitable.auth._users",
    "create_user": "equitable.auth._users",
    "list_users": "equitable.auth._users",
    "login_throttled": "equitable.auth._users",
    "set_active": "equitable.auth._users",
    "set_password": "equitable.auth._users",
    "User": "equitable.outreach._models",
}

__all__ = [
    "END_REASONS",
    "LoginResult",
    "MIN_PASSWORD_LENGTH",
    "User",
    "attempt_login",
    "authenticate",
    "create_user",
    "end_session",
    "end_session_by_id",
    "end_user_sessions",
    "list_sessions",
    "list_users",
    "login_throttled",
    "resolve_session",
    "set_active",
    "set_password",
    "start_session",
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
