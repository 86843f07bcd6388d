"""Issue 14: `/es/` (a path many people type for the Spanish site) was a 404; `equitable serve`
without a session secret did not say how to make one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from equitable.web import create_app, load_settings


@pytest.fixture
def client(tmp_path):
    app = create_app(load_settings(dev=True, database_url=f"sqlite:///{tmp_path / 'web.db'}"))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


@pytest.mark.parametrize(("path", "lang"), [("/es/", "es"), ("/es", "es"), ("/en/", "en")])
def test_language_paths_redirect_to_the_home_page_in_that_language(client, path, lang):
    r = client.get(path, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (307, f"/?lang={lang}")
    # followed: the home page (the dashboard; here without results, so its "no results yet"
    # page) in that language
    home = client.get(path)
    assert str(home.url).endswith(f"/?lang={lang}")
    assert home.headers["content-language"] == lang
    assert f'lang="{lang}"' in home.text


def test_serve_without_a_session_secret_says_what_to_set_and_how(tmp_path):
    env = os.environ.copy()
    env.pop("EQUITABLE_SESSION_SECRET", None)
    r = subprocess.run([sys.executable, "-m", "equitable.cli", "serve", "--db",
                        f"sqlite:///{tmp_path / 'o.db'}"], capture_output=True, text=True,
                       env=env, check=False)
    assert (r.returncode, r.stderr) == (1, (
        "Error: EQUITABLE_SESSION_SECRET is not set: set it to a random string of at least 32 "
        "characters (the key that signs staff sign-in cookies; keep it secret and the same across "
        "restarts), e.g. export EQUITABLE_SESSION_SECRET=\"$(python -c 'import secrets; "
        "print(secrets.token_urlsafe(32))')\" before 'equitable serve'; or run 'equitable serve "
        "--dev' for a throw-away one (sign-ins end when it stops)\n"))
    env["EQUITABLE_SESSION_SECRET"] = "too-short"
    r = subprocess.run([sys.executable, "-m", "equitable.cli", "serve", "--db",
                        f"sqlite:///{tmp_path / 'o.db'}"], capture_output=True, text=True,
                       env=env, check=False)
    assert (r.returncode, r.stderr) == (1, (
        "Error: EQUITABLE_SESSION_SECRET must have at least 32 characters (it has 9): e.g. export "
        "EQUITABLE_SESSION_SECRET=\"$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        "\" before 'equitable serve'\n"))
