"""Fixtures of the outreach tests: the database fixtures come from the plugin
``equitable.outreach.testing`` (loaded in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(fast_password_hashing):
    """Every test here hashes passwords with small Argon2id parameters."""
