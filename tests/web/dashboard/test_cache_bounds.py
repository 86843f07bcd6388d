"""Anonymous visitors cannot exhaust memory: the public pages' cache keys on the parameters each
page reads (others are ignored) and is bounded in bytes, as is the explorer's scenario cache."""

from __future__ import annotations

import re

import pytest

from equitable.web.dashboard import _routes
from equitable.web.dashboard._cache import ByteLRU, key_size


@pytest.fixture
def fresh_caches(dashboard_data, monkeypatch):
    """Empty page and scenario caches for this test (the data is shared by the session)."""
    for name in ("pages", "explore"):
        if name in dashboard_data.cache:
            monkeypatch.delitem(dashboard_data.cache, name)
    yield dashboard_data.cache
    for name in ("pages", "explore"):
        dashboard_data.cache.pop(name, None)


def _paths(cache) -> list[tuple[str, str, str]]:
    return sorted(cache["pages"]._items)


def test_unknown_parameters_make_no_new_cache_entry(client, fresh_caches):
    first = client.get("/map?tier=2+High")
    for junk in ("&utm_source=x", "&a=1&b=2", "&tier2=3", "&" + "z" * 500 + "=1"):
        r = client.get("/map?tier=2+High" + junk)
        assert r.status_code == 200
        assert r.text == first.text  # the same page: junk does not reach it (nor its links)
    client.get("/map?span=&tier=2+High&district=")  # empty values and another order
    client.get("/methods?anything=1")
    client.get("/methods?lang=es")
    assert _paths(fresh_caches) == [
        ("/map", "tier=2+High", "en"), ("/methods", "", "en"), ("/methods", "", "es")]
    assert "utm_source" not in first.text and "zzzz" not in client.get("/methods?zzzz=1").text


def test_the_explorer_keys_on_its_own_parameters(client, fresh_caches, dashboard_data):
    n_tiers = len(dashboard_data.tiers)
    a = client.get("/explorer?rule=per_pupil&budget=1000000&w1=3&extra=1")
    b = client.get("/explorer?budget=1000000&rule=per_pupil&w1=3")
    assert a.status_code == b.status_code == 200 and a.text == b.text
    client.get(f"/explorer?rule=per_pupil&budget=1000000&w1=3&w{n_tiers + 1}=9")
    assert _paths(fresh_caches) == [("/explorer", "rule=per_pupil&budget=1000000&w1=3", "en")]


def test_the_page_cache_is_bounded_in_bytes(client, fresh_caches, monkeypatch):
    bound = 100_000
    monkeypatch.setattr(_routes, "PAGE_CACHE_BYTES", bound)
    sizes = []
    for i in range(40):
        r = client.get(f"/?q=school+{i}")
        assert r.status_code == 200
        sizes.append(len(r.content))
    cache = fresh_caches["pages"]
    # the 40 finder pages (4-17 kB each) would not fit in 100 kB
    assert sum(sizes) > 2 * bound
    assert cache.bytes <= bound
    assert cache.bytes == sum(size for _, size in cache._items.values())
    assert 0 < len(cache) < 40
    # the newest pages are the ones kept
    assert ("/", "q=school+39", "en") in cache and ("/", "q=school+0", "en") not in cache
    # a page served from the cache is the page (the CSRF token is per session)
    again = client.get("/?q=school+39")
    assert re.sub(r'value="[^"]+"', "", again.text) == re.sub(
        r'value="[^"]+"', "", client.get("/?q=school+39&nocache=1").text)


def test_the_scenario_cache_is_bounded_in_bytes(client, fresh_caches, monkeypatch):
    monkeypatch.setattr(_routes, "EXPLORER_CACHE_BYTES", 60_000)
    for i in range(12):
        assert client.get(f"/explorer?rule=per_pupil&budget={1_000_000 + i}").status_code == 200
    cache = fresh_caches["explore"]
    assert 0 < cache.bytes <= 60_000 and len(cache) < 12


def test_byte_lru_evicts_least_recently_used():
    lru = ByteLRU(100 + 3 * key_size("a"), len)
    lru.put("a", "x" * 40)
    lru.put("b", "y" * 40)
    assert lru.get("a") == "x" * 40  # a is now the most recently used
    lru.put("c", "z" * 40)  # 120 bytes of values: b goes
    assert "b" not in lru and "a" in lru and "c" in lru
    assert lru.bytes == 80 + 2 * key_size("a")
    assert lru.put("d", "w" * 500) is False and "d" not in lru  # larger than the bound
    lru.put("a", "short")
    assert lru.bytes == 45 + 2 * key_size("a")
