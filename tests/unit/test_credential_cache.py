"""A verified credential is trusted for a short while, never past its own expiry."""

from __future__ import annotations

import datetime as dt

from warehouse.auth.cache import CredentialCache
from warehouse.context import Actor

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
ACTOR = Actor(kind="staff", id=None, label="recv1", role="receiver")


class Ticker:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_cached_credential_is_forgotten_after_the_ttl():
    ticker = Ticker()
    cache = CredentialCache(ttl_seconds=30, monotonic=ticker)
    cache.put("digest", ACTOR, None)
    assert cache.get("digest", NOW) == ACTOR
    ticker.t += 31
    assert cache.get("digest", NOW) is None


def test_a_cached_token_is_refused_once_it_expires_even_within_the_ttl():
    cache = CredentialCache(ttl_seconds=30, monotonic=Ticker())
    cache.put("digest", ACTOR, NOW + dt.timedelta(seconds=5))
    assert cache.get("digest", NOW) == ACTOR
    assert cache.get("digest", NOW + dt.timedelta(seconds=5)) is None


def test_a_ttl_of_zero_caches_nothing():
    cache = CredentialCache(ttl_seconds=0)
    cache.put("digest", ACTOR, None)
    assert cache.get("digest", NOW) is None


def test_the_cache_stays_bounded_by_dropping_its_oldest_entry():
    cache = CredentialCache(ttl_seconds=30, max_entries=2, monotonic=Ticker())
    for key in ("a", "b", "c"):
        cache.put(key, ACTOR, None)
    assert cache.get("a", NOW) is None
    assert cache.get("b", NOW) == cache.get("c", NOW) == ACTOR
