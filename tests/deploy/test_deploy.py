"""The shipped deployment (deploy/, docs/deploy.md) brought up on this machine, without containers
and without systemd: the test PostgreSQL database, the web app's workers started by the
ExecStart line of deploy/systemd/equitable-web.service, Debian's nginx with
deploy/nginx/equitable.conf (rendered for a temporary prefix, free ports and a self-signed
certificate made here), and the ExecStart lines of equitable-import.service run once on a
synthetic district. Then the browser smoke tests over HTTPS through nginx.

Everything is read from the shipped files; only the values an operator replaces (ports,
paths, the certificate, the secret, the database) are substituted, and each substitution must
find its placeholder, so a changed file fails here rather than being tested half-rendered."""

from __future__ import annotations

import csv
import os
import re
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from equitable.outreach import make_engine
from equitable.outreach._db import read_session
from equitable.outreach._models import Case, LoginAttempt, User, WebSession
from equitable.outreach.testing import fresh_database

pytestmark = [pytest.mark.deploy, pytest.mark.browser, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = os.environ.get("EQUITABLE_NGINX", "/usr/sbin/nginx")
INSTALL_BIN = "/opt/equitable/venv/bin/"  # where docs/deploy.md installs the package
ADMIN_PASSWORD = "a long test password for the deployment"
FORGED = "203.0.113.7"  # TEST-NET-3 (RFC 5737): the address a client claims to be
CLIENT = "127.0.0.2"  # the address the test's client really connects from (all of 127/8 is lo)
STUDENTS, DAYS = 400, 60


# --- reading the shipped files as systemd and nginx would -------------------------------------

def read_unit(path: Path) -> dict[tuple[str, str], list[str]]:
    """``{(section, key): [values in order]}`` of a systemd unit file (systemd.syntax(7): comment
    lines start with # or ;, no line continuations are used in the shipped files)."""
    out: dict[tuple[str, str], list[str]] = {}
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        assert not line.endswith("\\"), f"{path.name}: line continuations are not parsed here"
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=value: {line}"
        out.setdefault((section, key.strip()), []).append(value.strip())
    return out


def read_env_file(path: Path) -> dict[str, str]:
    """An EnvironmentFile= (systemd.exec(5)): KEY=value lines; a value wholly in single or double
    quotes loses them."""
    env = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"{path.name}: {line}"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key] = value
    return env


def exec_argv(line: str, env: dict[str, str]) -> list[str]:
    """One ExecStart= as systemd runs it (systemd.service(5), "Command lines"): words split
    shell-like, ``${VAR}`` replaced by the variable's value within its word; the installed
    program path mapped to this test's virtual environment."""
    assert "%" not in line and not re.search(r"\$(?!\{)", line), \
        f"only ${{VAR}} substitutions are rendered here: {line}"
    words = [re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], w) for w in shlex.split(line)]
    assert words[0].startswith(INSTALL_BIN), words[0]
    words[0] = str(Path(sys.executable).parent / words[0][len(INSTALL_BIN):])
    return words


def render(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        assert old in text, f"placeholder {old!r} is not in the shipped file"
        text = text.replace(old, new)
    return text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args[0]} exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, verify=False, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s:\n{log.read_text()}")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """End a process this test started (and its children: it leads its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """An RSA 2048 certificate for 127.0.0.1, valid two days (openssl req -x509)."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


# --- the deployment ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def deployment(request, tmp_path_factory, data_dir):
    if not Path(NGINX).exists():
        if os.environ.get("CI") or os.environ.get("EQUITABLE_REQUIRE_DATA") == "1":
            pytest.fail(f"{NGINX} is missing: scripts/setup --test installs Debian's nginx")
        pytest.skip(f"{NGINX} is not installed (scripts/setup --test installs Debian's nginx)")
    base = tmp_path_factory.mktemp("deploy")
    db_url = fresh_database(request, base, "postgres")  # a schema of our own, dropped after

    # the operator's /etc/equitable/equitable.env: the shipped example with its placeholders set
    shipped = read_env_file(DEPLOY / "equitable.env.example")
    app_port = free_port()
    overrides = {
        "EQUITABLE_SESSION_SECRET": secrets.token_urlsafe(48),
        "EQUITABLE_DATABASE_URL": db_url,
        "EQUITABLE_WEB_PORT": str(app_port),
        "EQUITABLE_DASHBOARD_RESULTS": str(base / "results"),
        "EQUITABLE_DATA_DIR": str(base / "data"),
        "EQUITABLE_SIS_EXPORT": str(base / "sis"),
        "EQUITABLE_ENGAGEMENT_OUT": str(base / "engagement"),
    }
    assert set(overrides) <= set(shipped), set(overrides) - set(shipped)
    settings = {**shipped, **overrides}
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUITABLE_")}
    env.update(settings)
    state = base / "state"  # WorkingDirectory=/var/lib/equitable
    state.mkdir()

    # the public dashboard's results: `equitable run` on a small synthetic county
    from equitable.pipeline import run
    from equitable.pipeline._synthetic import write_synthetic_inputs

    config = write_synthetic_inputs(base / "data", 40, grid=5, n_unplaced=0)
    run(config, out_dir=base / "results", data_dir=base / "data")

    # the night's student information system export (calibrated on the real public data)
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "equitable"), "synth", "district", "--students", str(STUDENTS),
                    "--days", str(DAYS), "--seed", "7", "-o", str(base / "sis"),
                    "--data-dir", str(data_dir)],
                   env=env, check=True, capture_output=True, text=True)

    # equitable-import.service, once: its ExecStart lines in order, as systemd runs a oneshot
    unit = read_unit(DEPLOY / "systemd" / "equitable-import.service")
    assert unit[("Service", "Type")] == ["oneshot"]
    assert unit[("Service", "EnvironmentFile")] == ["/etc/equitable/equitable.env"]
    import_runs = []
    for line in unit[("Service", "ExecStart")]:
        argv = exec_argv(line, settings)
        done = subprocess.run(argv, env=env, cwd=state, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        import_runs.append(done)

    # the first administrator, as docs/deploy.md creates them
    env_admin = {**env, "EQUITABLE_ADMIN_PASSWORD": ADMIN_PASSWORD}
    subprocess.run([str(bin_dir / "equitable"), "outreach", "user", "add", "admin1", "--role",
                    "admin", "--password-env", "EQUITABLE_ADMIN_PASSWORD"],
                   env=env_admin, cwd=state, check=True, capture_output=True, text=True)

    procs: list[subprocess.Popen] = []
    try:
        # equitable-web.service
        web = read_unit(DEPLOY / "systemd" / "equitable-web.service")
        (line,) = web[("Service", "ExecStart")]
        web_log = base / "web.log"
        with web_log.open("w") as log:
            procs.append(subprocess.Popen(exec_argv(line, settings), env=env, cwd=state,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
        wait_for(f"http://127.0.0.1:{app_port}/healthz", procs[-1], web_log)

        # nginx with the shipped site, rendered for a prefix of our own
        prefix = base / "nginx"
        (prefix / "logs").mkdir(parents=True)
        (prefix / "tmp").mkdir()
        cert, key = self_signed(prefix)
        tls_port, http_port = free_port(), free_port()
        site_text = (DEPLOY / "nginx" / "equitable.conf").read_text()
        upstream = f"server {shipped['EQUITABLE_WEB_HOST']}:{shipped['EQUITABLE_WEB_PORT']};"
        site = render(site_text, [
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;"),
            ("listen 80;", f"listen 127.0.0.1:{http_port};"),
            ("listen [::]:443 ssl http2;", ""),  # the test machine may have no IPv6
            ("listen [::]:80;", ""),
            (upstream, f"server 127.0.0.1:{app_port};"),  # the env file's port, as shipped
            ("/etc/letsencrypt/live/equitable.example.org/fullchain.pem", str(cert)),
            ("/etc/letsencrypt/live/equitable.example.org/privkey.pem", str(key)),
            ("/var/log/nginx/", f"{prefix}/logs/"),
        ])
        (prefix / "equitable.conf").write_text(site)
        temp = "\n".join(f"  {d}_temp_path {prefix}/tmp/{d};"
                         for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # Debian's /etc/nginx/nginx.conf, reduced to what a test prefix needs
        (prefix / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")  # workers can reach the temp folder
            + f"worker_processes 1;\npid {prefix}/nginx.pid;\n"
            f"error_log {prefix}/logs/error.log warn;\n"
            "events { worker_connections 128; }\n"
            f"http {{\n{temp}\n  access_log off;\n  include {prefix}/equitable.conf;\n}}\n")
        nginx_log = prefix / "logs" / "stderr.log"
        with nginx_log.open("w") as log:
            procs.append(subprocess.Popen(
                [NGINX, "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"),
                 "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        wait_for(f"https://127.0.0.1:{tls_port}/healthz", procs[-1], nginx_log)

        yield {"https": f"https://127.0.0.1:{tls_port}", "http": f"http://127.0.0.1:{http_port}",
               "app": f"http://127.0.0.1:{app_port}", "db_url": db_url, "base": base,
               "env": env, "settings": settings, "import_unit": unit, "import_runs": import_runs,
               "prefix": prefix, "tls_port": tls_port}
    finally:
        for proc in reversed(procs):
            stop(proc, signal.SIGQUIT if proc.args[0] == NGINX else signal.SIGTERM)


@pytest.fixture(scope="module")
def engine(deployment):
    eng = make_engine(deployment["db_url"])
    yield eng
    eng.dispose()


def queue_rows(deployment) -> list[dict]:
    with open(deployment["base"] / "engagement" / "outreach_queue.csv", newline="") as f:
        return list(csv.DictReader(f))


# --- the nightly import -----------------------------------------------------------------------

def test_the_nightly_import_opens_one_case_per_queued_student(deployment, engine):
    queue = queue_rows(deployment)
    assert len(queue) > 25  # more than one page of the staff queue
    with read_session(engine) as s:
        cases = dict(s.execute(select(Case.student_id, Case.priority_rank)).all())
    assert cases == {r["student_id"]: int(r["priority"]) for r in queue}
    assert f"{len(queue)} new" in deployment["import_runs"][-1].stdout

    # the next night with the same export: the same command lines change nothing
    for line in deployment["import_unit"][("Service", "ExecStart")]:
        done = subprocess.run(exec_argv(line, deployment["settings"]), env=deployment["env"],
                              cwd=deployment["base"] / "state", capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
    assert "already imported; nothing changed" in done.stdout
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == len(queue)


def test_the_timer_starts_the_import_each_night():
    timer = read_unit(DEPLOY / "systemd" / "equitable-import.timer")
    assert timer[("Timer", "OnCalendar")] == ["*-*-* 02:30:00"]
    assert timer[("Timer", "Persistent")] == ["true"]
    assert timer[("Install", "WantedBy")] == ["timers.target"]
    # the timer starts the service of the same name (systemd.timer(5): Unit= defaults to it)
    assert ("Timer", "Unit") not in timer
    assert (DEPLOY / "systemd" / "equitable-import.service").is_file()


# --- TLS, headers, proxy ----------------------------------------------------------------------

def _handshake(port: int, cipher: str) -> str:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(cipher + ":@SECLEVEL=0")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
            ctx.wrap_socket(raw) as tls:
        return tls.cipher()[0]


def test_tls_settings_hsts_and_redirect(deployment):
    port = deployment["tls_port"]
    # TLS 1.2 with an AEAD suite is accepted; a CBC suite (which nginx's default
    # "HIGH:!aNULL:!MD5" would accept) is refused
    assert _handshake(port, "ECDHE-RSA-AES128-GCM-SHA256") == "ECDHE-RSA-AES128-GCM-SHA256"
    with pytest.raises(ssl.SSLError):
        _handshake(port, "ECDHE-RSA-AES128-SHA")
    # (a worker loads the published results on its first dashboard page: seconds on a busy CI)
    r = httpx.get(deployment["https"] + "/?lang=en", verify=False, timeout=120)
    assert r.status_code == 200
    assert r.headers["strict-transport-security"] == "max-age=63072000"
    assert r.headers["content-security-policy"].startswith("default-src 'self'")  # the app's
    assert "server" not in r.headers or r.headers["server"] == "nginx"  # server_tokens off
    plain = httpx.get(deployment["http"] + "/staff/?status=open", follow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["location"] == "https://127.0.0.1/staff/?status=open"


def test_a_forged_forwarded_for_does_not_change_the_address_the_app_records(deployment, engine):
    """The client connects to nginx from 127.0.0.2 and claims to be 203.0.113.7: the app records
    127.0.0.2 (what nginx saw), not the claim and not nginx's own 127.0.0.1."""
    transport = httpx.HTTPTransport(local_address=CLIENT, verify=False)
    forged = {"X-Forwarded-For": FORGED, "X-Real-IP": FORGED, "Forwarded": f"for={FORGED}"}
    with httpx.Client(transport=transport, base_url=deployment["https"], headers=forged,
                      timeout=60) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        bad = c.post("/login", data={"username": "admin1", "password": "wrong password",
                                     "csrf_token": token, "next": "/staff/"})
        assert bad.status_code == 400 and 'name="csrf_token"' in bad.text  # the form again
        token = re.search(r'name="csrf_token" value="([^"]+)"', bad.text).group(1)
        good = c.post("/login", data={"username": "admin1", "password": ADMIN_PASSWORD,
                                      "csrf_token": token, "next": "/staff/"},
                      follow_redirects=False)
        assert good.status_code == 303, good.text
    with read_session(engine) as s:
        attempts = s.execute(select(LoginAttempt.address, LoginAttempt.success)
                             .where(LoginAttempt.username == "admin1")
                             .order_by(LoginAttempt.id)).all()
        admin = s.scalar(select(User.id).where(User.username == "admin1"))
        sessions = s.scalars(select(WebSession.address).where(WebSession.user_id == admin)
                             .order_by(WebSession.id)).all()
    assert [tuple(a) for a in attempts][-2:] == [(CLIENT, False), (CLIENT, True)]
    assert sessions[-1] == CLIENT


# --- the browser smoke tests, over HTTPS through nginx -----------------------------------------

@pytest.fixture(scope="module")
def browser_context(chromium_browser):
    context = chromium_browser.new_context(ignore_https_errors=True)
    context.set_default_timeout(120_000)  # a worker's first dashboard page loads the results
    yield context
    context.close()


@pytest.mark.parametrize(("lang", "heading"), [("en", "Find a school"),
                                               ("es", "Buscar una escuela")])
def test_public_dashboard_home(browser_context, deployment, lang, heading):
    page = browser_context.new_page()
    try:
        page.goto(f"{deployment['https']}/?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.get_by_role("heading", level=1).inner_text() == heading
        # the tier table counts every school of the published results
        counts = page.locator("table:has(#finder-table-2) tbody tr td:nth-of-type(1)")
        with open(deployment["base"] / "results" / "schools.csv", newline="") as f:
            n_schools = sum(1 for _ in csv.DictReader(f))
        assert sum(int(t.replace(",", "").replace("\u00a0", "")) for t in
                   counts.all_inner_texts()) == n_schools
    finally:
        page.close()


def test_staff_sign_in_and_the_queue_of_imported_cases(browser_context, deployment):
    base = deployment["https"]
    page = browser_context.new_page()
    try:
        page.goto(base + "/staff/?lang=en")
        assert page.url.startswith(base + "/login")
        page.get_by_label("User name").fill("admin1")
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Sign in").click()  # a POST with Origin: CSRF check
        page.wait_for_url(base + "/staff/")
        assert page.get_by_role("heading", level=1).inner_text() == "Outreach queue"
        queue = sorted(queue_rows(deployment), key=lambda r: int(r["priority"]))
        shown = page.locator("#queue tbody tr th a, #queue tbody tr td a").all_inner_texts()
        # the first page: the 25 highest-priority students of the night's queue, in order
        assert [s for s in shown if s.startswith(queue[0]["student_id"][:1])][:25] == \
            [r["student_id"] for r in queue[:25]]
    finally:
        page.close()
