"""The bounded, expiring cache behind the token and principal caches."""

from app.core.expiring_lru import ExpiringLru


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_gone_once_its_expiry_is_reached() -> None:
    clock = Clock()
    cache: ExpiringLru[str, int] = ExpiringLru(4, clock)
    cache.put("a", 1, expires_at=10.0)

    clock.now = 9.9
    assert cache.get("a") == 1
    clock.now = 10.0
    assert cache.get("a") is None


def test_the_least_recently_used_value_goes_first() -> None:
    cache: ExpiringLru[str, int] = ExpiringLru(2, Clock())
    cache.put("a", 1, expires_at=10.0)
    cache.put("b", 2, expires_at=10.0)
    assert cache.get("a") == 1  # "b" is now the least recently used

    cache.put("c", 3, expires_at=10.0)

    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_pop_and_clear_forget_values() -> None:
    cache: ExpiringLru[str, int] = ExpiringLru(4, Clock())
    cache.put("a", 1, expires_at=10.0)
    cache.put("b", 2, expires_at=10.0)

    cache.pop("a")
    cache.pop("missing")
    assert (cache.get("a"), cache.get("b")) == (None, 2)
    cache.clear()
    assert cache.get("b") is None
