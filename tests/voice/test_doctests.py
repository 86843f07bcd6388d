"""The examples in the voice docstrings run as tests."""

from __future__ import annotations

import doctest

import pytest

from equitable.voice import _estimate, _scrub


@pytest.mark.parametrize("module", [_scrub, _estimate])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
