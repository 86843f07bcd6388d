"""The CLI's shared behaviour: version, help, errors as one line with exit code 1."""

from __future__ import annotations

import subprocess
import sys

from equitable import __version__


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "equitable.cli", *args], capture_output=True, text=True
    )


def test_version_prints_package_version():
    r = run_cli("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == f"equitable {__version__}"


def test_unknown_command_is_a_usage_error_without_traceback():
    r = run_cli("no-such-command")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "No such command" in r.stderr
