"""The principal cache: used when present, voided by account changes."""

import redis
from httpx import AsyncClient

from app.core.config import Settings
from app.models.user import User
from app.services.auth.principals import TOMBSTONE
from tests.utils.http import bearer

ME = "/api/v1/auth/me"


def _cached(settings: Settings, user_id: int) -> str | None:
    with redis.Redis.from_url(settings.redis_dsn, decode_responses=True) as r:
        return r.get(f"sector7g:principal:{user_id}")


async def test_a_request_caches_its_principal_without_secrets(
    client: AsyncClient, settings: Settings, user: User, user_token: str
) -> None:
    assert (await client.get(ME, headers=bearer(user_token))).status_code == 200
    cached = _cached(settings, user.id or 0)
    assert cached is not None and user.email in cached
    assert "argon2" not in cached and "password" not in cached


async def test_an_account_change_leaves_a_tombstone_and_takes_effect_at_once(
    client: AsyncClient,
    settings: Settings,
    user: User,
    user_token: str,
    admin_token: str,
) -> None:
    await client.get(ME, headers=bearer(user_token))  # cache it
    await client.post(
        f"/api/v1/auth/users/{user.id}/deactivate", headers=bearer(admin_token)
    )
    assert _cached(settings, user.id or 0) == TOMBSTONE
    assert (await client.get(ME, headers=bearer(user_token))).status_code == 401


async def test_a_tombstone_is_not_overwritten_by_a_lookup(
    client: AsyncClient, settings: Settings, user: User, user_token: str
) -> None:
    with redis.Redis.from_url(settings.redis_dsn) as r:
        r.set(f"sector7g:principal:{user.id}", TOMBSTONE, ex=60)
    assert (await client.get(ME, headers=bearer(user_token))).status_code == 200
    assert _cached(settings, user.id or 0) == TOMBSTONE
