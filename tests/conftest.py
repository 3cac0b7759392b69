"""Real servers for the session; a clean state for every test that uses them."""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from httpx import AsyncClient

from app.core import migrations
from app.core.config import Settings, load_settings
from app.devstack.servers import PostgresServer, RedisServer
from tests.utils import services
from tests.utils.http import app_client

# A key good enough for APP_ENV=prod, known only to the tests.
TEST_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with services.running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with services.running_redis() as server:
        yield server


@pytest.fixture(scope="session")
def database_url(postgres: PostgresServer) -> str:
    url = postgres.url(services.TEST_DATABASE)
    migrations.upgrade(settings_for(url, "redis://127.0.0.1:1/0"))
    return url


@pytest.fixture
def make_settings(
    database_url: str, redis_server: RedisServer
) -> Callable[..., Settings]:
    """Settings for the test servers, `overrides` on top; the servers start empty."""
    services.reset_database(database_url)
    services.reset_redis(redis_server.url())

    def make(**overrides: Any) -> Settings:
        return settings_for(database_url, redis_server.url(), **overrides)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncClient]:
    async with app_client(settings) as http:
        yield http


def settings_for(database_url: str, redis_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "APP_ENV": "dev",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "IN_CONTAINER": False,
        "LOG_FORMAT": "console",
        "AUTH_REGISTRATION_ENABLED": True,
        "DOCS_PASSWORD": None,
    }
    values.update(overrides)
    return load_settings(env_file=None, **values)
