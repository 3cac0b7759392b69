"""Login attempts are limited per account and per client address, in Redis."""

from httpx import AsyncClient

from app.core.config import Settings
from app.devstack.servers import free_port
from tests.api.conftest import USER_EMAIL
from tests.utils.http import app_client
from tests.utils.users import PASSWORD, create_user

TOKEN = "/api/v1/auth/token"


async def _attempt(client: AsyncClient, password: str, email: str = USER_EMAIL):
    return await client.post(TOKEN, data={"username": email, "password": password})


async def test_repeated_wrong_passwords_are_429_with_retry_after(make_settings) -> None:
    settings: Settings = make_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT="3/10 minutes")
    await create_user(settings, USER_EMAIL)
    async with app_client(settings) as client:
        wrong = [(await _attempt(client, "wrong")).status_code for _ in range(3)]
        blocked = await _attempt(client, PASSWORD)

    assert wrong == [401, 401, 401]
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "rate_limited"
    assert 0 < int(blocked.headers["retry-after"]) <= 600


async def test_the_account_limit_is_shared_by_every_webserver(make_settings) -> None:
    """Two app instances (two processes in production) count together."""
    settings: Settings = make_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT="2/10 minutes")
    await create_user(settings, USER_EMAIL)
    async with app_client(settings) as one, app_client(settings) as two:
        await _attempt(one, "wrong")
        await _attempt(two, "wrong")
        assert (await _attempt(one, PASSWORD)).status_code == 429


async def test_a_successful_login_forgives_earlier_failures(make_settings) -> None:
    settings: Settings = make_settings(LOGIN_RATE_LIMIT_PER_ACCOUNT="3/10 minutes")
    await create_user(settings, USER_EMAIL)
    async with app_client(settings) as client:
        statuses = [
            (await _attempt(client, password)).status_code
            for password in ("wrong", "wrong", PASSWORD, "wrong", "wrong", PASSWORD)
        ]
    assert statuses == [401, 401, 200, 401, 401, 200]


async def test_attempts_from_one_address_are_limited_across_accounts(
    make_settings,
) -> None:
    settings: Settings = make_settings(LOGIN_RATE_LIMIT_PER_ADDRESS="4/minute")
    async with app_client(settings) as client:
        statuses = [
            (await _attempt(client, "x", f"user{n}@springfield.com")).status_code
            for n in range(5)
        ]
    assert statuses == [401, 401, 401, 401, 429]


async def test_login_is_refused_with_503_when_redis_is_down(make_settings) -> None:
    settings: Settings = make_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    async with app_client(settings) as client:
        response = await _attempt(client, PASSWORD)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
