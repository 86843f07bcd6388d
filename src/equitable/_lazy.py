"""Lazy public names for the subpackages, so ``import equitable.cli`` stays fast.

Each subpackage lists ``name -> implementation module`` and calls :func:`lazy_exports`; a name is
imported on first use (PEP 562 module ``__getattr__``) and then cached in the package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package`` exporting ``where``'s names lazily.

    Parameters
    ----------
    package : the package's ``__name__``.
    where : public name -> the module that defines it.
    namespace : the package's ``globals()``; a loaded name is cached there.
    """

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
