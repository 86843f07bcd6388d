"""Shared test fixtures.

Tests that need the real public data in ../shared/data use the ``data_dir`` fixture (or
``require_data``): they skip with a clear reason when it is absent, except when
``EQUITABLE_REQUIRE_DATA=1`` (set by .ci/run), where a missing file fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from equitable.errors import InputError
from equitable.paths import data_dir as _data_dir

pytest_plugins = ["equitable.outreach.testing"]

REQUIRE_DATA = os.environ.get("EQUITABLE_REQUIRE_DATA") == "1"


def require_data(relative: str = "") -> Path:
    """Return the data folder (or a file in it); skip, or fail under EQUITABLE_REQUIRE_DATA=1."""
    try:
        base = _data_dir()
    except InputError as exc:
        if REQUIRE_DATA:
            pytest.fail(f"EQUITABLE_REQUIRE_DATA=1 but {exc}")
        pytest.skip(f"real public data not available: {exc}")
    path = base / relative if relative else base
    if not path.exists():
        if REQUIRE_DATA:
            pytest.fail(f"EQUITABLE_REQUIRE_DATA=1 but {path} is missing")
        pytest.skip(f"real public data file not available: {path}")
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of real public data (../shared/data or EQUITABLE_DATA_DIR)."""
    return require_data()


CHROMIUM = os.environ.get("EQUITABLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") or REQUIRE_DATA:
            pytest.fail(f"{CHROMIUM} is missing: scripts/setup --test installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (scripts/setup --test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of the test PostgreSQL database (scripts/start-postgres prints it)."""
    url = os.environ.get("EQUITABLE_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") or REQUIRE_DATA:
            pytest.fail("EQUITABLE_TEST_POSTGRES_URL is not set: run the tests with scripts/test")
        pytest.skip("EQUITABLE_TEST_POSTGRES_URL is not set (scripts/test starts PostgreSQL)")
    return url


_ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOffice:
    """LibreOffice Calc headless (Debian ``libreoffice-calc``), with a private profile set to
    recalculate every formula when it loads an XLSX file (its default trusts the cached values
    of files written by "Microsoft Excel", which XlsxWriter names itself)."""

    def __init__(self, exe: str, tmp: Path) -> None:
        self.exe, self.tmp = exe, tmp

    def recalculate(self, files: list[Path]) -> list[Path]:
        """Open each workbook, recalculate and save it as XLSX again; return the copies."""
        import subprocess

        profile = self.tmp / "lo-profile"
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_ALWAYS_RECALCULATE)
        out = self.tmp / "recalculated"
        r = subprocess.run([self.exe, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                            "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
                           capture_output=True, text=True, timeout=300, check=False)
        assert r.returncode == 0, r.stderr
        return [out / f.name for f in files]

    @staticmethod
    def formulas(path: Path) -> dict[tuple[str, str], tuple[str, object]]:
        """(sheet, cell) -> (formula, cached value) of every formula cell of a workbook."""
        import openpyxl

        formulas = openpyxl.load_workbook(path)
        cached = openpyxl.load_workbook(path, data_only=True)
        out = {}
        for ws in formulas.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        out[(ws.title, c.coordinate)] = (c.value,
                                                         cached[ws.title][c.coordinate].value)
        return out


@pytest.fixture
def libreoffice(tmp_path) -> LibreOffice:
    """LibreOffice Calc headless; skips when it is not installed (scripts/setup --test installs
    ``libreoffice-calc``)."""
    import shutil

    exe = os.environ.get("EQUITABLE_SOFFICE") or shutil.which("soffice")
    if not exe:
        pytest.skip("LibreOffice is not installed (scripts/setup --test installs "
                    "libreoffice-calc)")
    return LibreOffice(exe, tmp_path)


@pytest.fixture
def new_language(tmp_path, monkeypatch):
    """Add a language the way a translator does, as one catalogue file: ``new_language("fr",
    "FR ")`` copies the Spanish catalogue as ``fr`` (every translation prefixed with the mark)
    into a temporary locale folder that :mod:`equitable.i18n` then reads."""
    import shutil

    from babel.messages.pofile import read_po, write_po

    from equitable import i18n

    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)

    def add(code: str, mark: str) -> Path:
        po = locale / code / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True)
        with open(locale / "es" / "LC_MESSAGES" / "messages.po", "rb") as fh:
            catalogue = read_po(fh, locale="es")
        for m in catalogue:
            if m.id:
                m.string = (f"{mark}{m.string}" if isinstance(m.string, str)
                            else tuple(f"{mark}{s}" for s in m.string))
        with open(po, "wb") as fh:
            write_po(fh, catalogue)
        i18n.clear_cache()
        return po

    yield add
    i18n.clear_cache()
