"""English and Spanish, per user and per request; sessions, cookies, throttling, settings."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from equitable.errors import SpecError
from equitable.web import load_settings
from equitable.web._messages import message_ids, missing
from equitable.web.i18n import negotiate, translations

PASSWORD = "correct horse battery"


def _login(client, username, password=PASSWORD):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, follow_redirects=False)


def test_every_message_has_a_spanish_translation():
    ids = message_ids()
    assert len(ids) > 150
    assert missing("es") == []
    es = translations("es")
    assert es.gettext("Outreach queue") == "Cola de contacto"
    assert es.gettext("Choose why the case is closed.") == "Elija por qué se cierra el caso."
    assert translations("en").gettext("Outreach queue") == "Outreach queue"


def test_language_negotiation_order():
    assert negotiate("es", "en", "en", "en-US") == "es"  # ?lang= first
    assert negotiate(None, "es", "en", "en-US") == "es"  # then the cookie
    assert negotiate(None, None, "es", "en-US") == "es"  # then the user's preference
    assert negotiate(None, None, None, "fr-FR, es;q=0.8, en;q=0.5") == "es"
    assert negotiate("fr", "xx", None, "de") == "en"


def test_public_language_switch_without_login(app_and_ids):
    app, _ = app_and_ids
    with TestClient(app) as c:
        r = c.get("/login?lang=es")
        assert '<html lang="es">' in r.text and "Iniciar sesión</h1>" in r.text
        assert r.cookies.get("lang") == "es"
        assert "Iniciar sesión</h1>" in c.get("/login").text  # remembered by the cookie
        assert "Sign in</h1>" in c.get("/login?lang=en").text


def test_the_users_language_is_chosen_at_sign_in_and_on_the_account_page(app_and_ids):
    app, ids = app_and_ids
    with TestClient(app) as c:
        assert _login(c, "worker1").status_code == 303  # worker1 prefers Spanish
        assert "<h1>Cola de contacto</h1>" in c.get("/staff/").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/account").text).group(1)
        r = c.post("/account", data={"ui_language": "en", "csrf_token": token})
        assert "Saved." in r.text
        assert "<h1>Outreach queue</h1>" in c.get("/staff/").text
        r = c.post("/account", data={"ui_language": "fr", "csrf_token": token})
        assert r.status_code == 422 and "Choose a language from the list." in r.text


def test_form_errors_come_back_in_the_users_language(app_and_ids):
    app, ids = app_and_ids
    with TestClient(app) as c:
        _login(c, "worker1")
        page = c.get(f"/staff/cases/{ids['case_all']}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = c.post(f"/staff/cases/{ids['case_all']}/contacts",
                   data={"contacted_on": "2999-01-01", "mode": "fax", "language": "",
                         "outcome": "reached", "csrf_token": token})
        assert r.status_code == 422
        assert "La fecha no puede ser futura." in r.text
        assert "Elija cómo se contactó a la familia." in r.text
        assert "Escriba el idioma usado." in r.text
        r = c.post(f"/staff/cases/{ids['case_all']}/details",
                   data={"follow_up_date": "next week", "csrf_token": token})
        assert "Escriba la fecha como AAAA-MM-DD." in r.text


def test_session_cookie_flags_and_sign_out(tmp_path, seed_fn):
    from equitable.web import create_app

    settings = load_settings(session_secret="s" * 40,
                             database_url=f"sqlite:///{tmp_path / 'w.db'}")
    app = create_app(settings)
    seed_fn(app.state.engine, tmp_path)
    with TestClient(app, base_url="https://testserver") as c:
        r = _login(c, "admin1")
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie"
                      and v.startswith("equitable_session=")).lower()
        assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
        assert c.get("/staff/", follow_redirects=False).status_code == 200
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/staff/").text).group(1)
        assert c.post("/logout", data={"csrf_token": token},
                      follow_redirects=False).status_code == 303
        assert c.get("/staff/", follow_redirects=False).status_code == 303
    assert r.headers["location"] == "/staff/"
    app.state.engine.dispose()


def test_password_change_ends_open_sessions(app_and_ids):
    from equitable.auth._users import set_password

    app, _ = app_and_ids
    with TestClient(app) as c:
        _login(c, "staff1")
        assert c.get("/staff/", follow_redirects=False).status_code == 200
        set_password(app.state.engine, "staff1", "another long password")
        assert c.get("/staff/", follow_redirects=False).status_code == 303


def test_login_is_throttled_after_five_failures(app_and_ids):
    app, _ = app_and_ids
    with TestClient(app) as c:
        for _ in range(5):
            r = _login(c, "admin1", "wrong password")
            assert r.status_code == 400
            assert "The user name or the password is wrong." in r.text
        r = _login(c, "admin1")  # even the right password is refused for now
        assert r.status_code == 429 and r.headers["retry-after"] == "60"
        assert "Too many attempts. Please wait a few minutes and try again." in r.text


def test_open_redirects_are_refused(app_and_ids):
    app, _ = app_and_ids
    with TestClient(app) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        r = c.post("/login", data={"username": "admin1", "password": PASSWORD,
                                   "csrf_token": token, "next": "//evil.example/"},
                   follow_redirects=False)
        assert r.headers["location"] == "/staff/"


def test_the_session_secret_has_no_default(monkeypatch):
    monkeypatch.delenv("EQUITABLE_SESSION_SECRET", raising=False)
    with pytest.raises(SpecError) as err:
        load_settings()
    assert str(err.value).startswith("EQUITABLE_SESSION_SECRET is not set: set it to a random")
    monkeypatch.setenv("EQUITABLE_SESSION_SECRET", "short")
    with pytest.raises(SpecError, match="at least 32 characters"):
        load_settings()
    a, b = load_settings(dev=True), load_settings(dev=True)
    assert a.session_secret.get_secret_value() != b.session_secret.get_secret_value()
    assert a.cookie_secure is False


def test_security_headers_and_vendored_htmx(app_and_ids):
    app, _ = app_and_ids
    with TestClient(app) as c:
        r = c.get("/login")
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["cache-control"] == "no-store"
        assert '<script src="/static/htmx.min.js" defer></script>' in r.text
        js = c.get("/static/htmx.min.js")
        assert js.status_code == 200 and js.text.startswith("var htmx=function()")
        assert "https://" not in r.text  # no CDN, no external asset


def test_layout_landmarks_labels_and_skip_link(app_and_ids):
    app, ids = app_and_ids
    with TestClient(app) as c:
        _login(c, "admin1")
        html = c.get(f"/staff/cases/{ids['case_all']}").text
    assert html.index('class="skip-link" href="#main"') < html.index("<header")
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    # every form control has a label
    controls = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"',
                          html)
    assert len(controls) >= 12
    for cid in controls:
        assert f'<label for="{cid}">' in html, cid


def test_the_queue_reasons_are_shown_in_the_users_language(app_and_ids):
    from sqlalchemy import update

    from equitable.outreach._models import Case

    app, ids = app_and_ids
    english = ("missing: not present and no platform activity in the last 10 instructional "
               "days; absent the last 12 instructional days in a row; 1 week meeting the SB 98 "
               "re-engagement trigger")
    spanish = ("sin contacto: sin asistencia ni actividad en la plataforma en los últimos 10 días "
               "de instrucción; ausente los últimos 12 días de instrucción seguidos; 1 semana que "
               "cumple el criterio de reintegración de la ley SB 98")
    with app.state.engine.begin() as conn:
        conn.execute(update(Case).where(Case.id == ids["case_all"]).values(reasons=english))
    with TestClient(app) as c:
        _login(c, "worker1")  # prefers Spanish (a queue imported without reason codes)
        queue = c.get("/staff/").text
        assert "<h1>Cola de contacto</h1>" in queue
        assert f'<li class="badge">{spanish}</li>' in queue and english not in queue
        hx = c.get("/staff/", headers={"HX-Request": "true", "HX-Target": "queue"}).text
        assert f'<li class="badge">{spanish}</li>' in hx
        case = c.get(f"/staff/cases/{ids['case_all']}").text
        assert f'<li class="badge">{spanish}</li>' in case
        assert f'<li class="badge">{english}</li>' in c.get("/staff/?lang=en").text
    with TestClient(app) as c:
        _login(c, "admin1")  # English: the text as imported, other tools' free text as well
        queue = c.get("/staff/").text
        assert f'<li class="badge">{english}</li>' in queue and spanish not in queue
        assert "no presence or activity in the last 10 instructional days" in queue
        assert f'<li class="badge">{english}</li>' in c.get(f"/staff/cases/{ids['case_all']}").text
    with TestClient(app) as c:
        _login(c, "admin1")
        queue = c.get("/staff/?lang=es").text  # free text from another tool stays as written
        assert f'<li class="badge">{spanish}</li>' in queue
        assert "no presence or activity in the last 10 instructional days" in queue
