"""The principal cache: used when present, voided by account changes; a
token's checked claims, kept until it expires."""

import asyncio
import time

import jwt
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


async def test_a_token_checked_once_is_refused_once_it_expires(
    client: AsyncClient, settings: Settings, user: User
) -> None:
    now = time.time()
    claims = {
        "sub": str(user.id),
        "iat": int(now),
        "exp": now + 1.5,
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
    }
    secret = settings.SECRET_KEY.get_secret_value()
    token = jwt.encode(claims, secret, settings.JWT_ALGORITHM)
    assert (await client.get(ME, headers=bearer(token))).status_code == 200
    assert (await client.get(ME, headers=bearer(token))).status_code == 200
    forged = jwt.encode({**claims, "sub": "1"}, "another-key-" * 4, "HS256")
    assert (await client.get(ME, headers=bearer(forged))).status_code == 401
    await asyncio.sleep(now + 1.6 - time.time())
    assert (await client.get(ME, headers=bearer(token))).status_code == 401
