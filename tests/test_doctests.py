"""Examples in docstrings run as tests (every module of the package that has one)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import equitable


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(equitable.__path__, "equitable."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        spec = importlib.util.find_spec(info.name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        with open(spec.origin, encoding="utf-8") as fh:
            if ">>> " in fh.read():
                names.append(info.name)
    return sorted(names)


MODULES = _modules_with_examples()


def test_some_modules_have_examples():
    assert "equitable.index" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
