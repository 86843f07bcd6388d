"""A least-recently-used cache bounded by the bytes it holds, not only its entries.

The public pages are served to anonymous visitors, who choose the URL: a cache bounded by a
count of entries holds as many bytes as visitors make its entries big. This one counts each
entry's size (``sizeof``) and evicts the least recently used entries until the total is within
``max_bytes``; an entry larger than the bound alone is not kept. Thread-safe (the pages are built
in the thread pool). Eviction order is LRU (``collections.OrderedDict``), as in Python's
``functools.lru_cache``.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["ByteLRU", "key_size"]


def key_size(key: Hashable) -> int:
    """An estimate of a key's bytes: its ``str`` length plus Python's object overhead."""
    return len(str(key)) + sys.getsizeof(key)


class ByteLRU:
    """``get``/``put`` with an LRU bound of ``max_bytes`` (values sized by ``sizeof``)."""

    def __init__(self, max_bytes: int, sizeof: Callable[[Any], int]) -> None:
        self.max_bytes = max_bytes
        self._sizeof = sizeof
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return default
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: Hashable, value: Any) -> bool:
        """Keep ``value`` under ``key``; False when it alone is larger than the bound."""
        size = self._sizeof(value) + key_size(key)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if size > self.max_bytes:
                return False
            self._items[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, n) = self._items.popitem(last=False)
                self.bytes -= n
            return True
