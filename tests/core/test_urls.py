"""Service URLs: Compose hostnames, passwords, and unix sockets for real."""

import asyncpg
import psycopg
import pytest
import redis.asyncio
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.core import urls
from app.devstack.servers import PostgresServer, RedisServer
from tests.conftest import settings_for
from tests.utils.services import TEST_DATABASE


@pytest.mark.parametrize("host", ["postgres", "redis", "traefik"])
def test_compose_hostnames_mean_localhost_outside_a_container(host: str) -> None:
    assert urls.resolve_service_host(host, in_container=False) == "localhost"
    assert urls.resolve_service_host(host, in_container=True) == host


def test_other_hostnames_are_left_alone() -> None:
    assert urls.resolve_service_host("db.internal", in_container=False) == "db.internal"


def test_every_consumer_gets_the_same_translation() -> None:
    settings = settings_for(
        "postgresql://app@postgres:5432/app",
        "redis://redis:6379/2",
    )
    assert settings.database_url_sync.host == "localhost"
    assert settings.database_url_async.host == "localhost"
    assert settings.redis_dsn == "redis://localhost:6379/2"
    assert settings.postgres_dsn == "postgresql://app@localhost:5432/app"


def test_database_url_takes_driver_and_password() -> None:
    url = urls.database_url(
        "postgresql://app@db:5432/app",
        driver="async",
        password="p@ss:/",
        in_container=True,
    )
    assert (url.drivername, url.host, url.password) == (
        "postgresql+asyncpg",
        "db",
        "p@ss:/",
    )


def test_postgres_dsn_drops_the_driver_and_escapes_the_password() -> None:
    dsn = urls.postgres_dsn(
        "postgresql+psycopg://app:old@db:5432/app?sslmode=require",
        password="p@ss:/",
        in_container=True,
    )
    assert dsn == "postgresql://app:p%40ss%3A%2F@db:5432/app?sslmode=require"
    kept = urls.postgres_dsn(
        "postgresql://a%40b:p%2F1@db/app", password=None, in_container=True
    )
    assert kept == "postgresql://a%40b:p%2F1@db/app"
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        urls.postgres_dsn("mysql://x@y/z", password=None, in_container=False)


def test_redis_unix_url_always_names_a_database() -> None:
    dsn = urls.redis_url(
        "unix:///run/redis-x/redis.sock", password=None, in_container=False
    )
    assert dsn == "unix:///run/redis-x/redis.sock?db=0"


def test_redis_password_is_applied_and_escaped() -> None:
    dsn = urls.redis_url("redis://redis:6379/0", password="a/b@c", in_container=False)
    assert dsn == "redis://:a%2Fb%40c@localhost:6379/0"


def test_redact_url_hides_passwords_wherever_they_are() -> None:
    assert urls.redact_url("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert (
        urls.redact_url("postgresql://app:s3cret@db/app?sslmode=require")
        == "postgresql://app:***@db/app?sslmode=require"
    )
    assert "s3cret" not in urls.redact_url("unix:///r.sock?db=0&password=s3cret")


def test_non_postgres_or_redis_schemes_are_refused() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        urls.database_url(
            "mysql://x@y/z", driver="sync", password=None, in_container=False
        )
    with pytest.raises(ValueError, match="not a Redis URL"):
        urls.redis_url("memcached://x", password=None, in_container=False)


async def test_postgres_over_its_unix_socket_with_every_driver(
    postgres: PostgresServer, database_url: str
) -> None:
    """`?host=/socket/dir` reaches PostgreSQL through every driver and DSN."""
    settings = settings_for(postgres.socket_url(TEST_DATABASE), "redis://x:1/0")
    assert settings.database_url_sync.host is None

    sync_engine = create_engine(settings.database_url_sync)
    with sync_engine.connect() as connection:
        via_sync = connection.execute(text("SELECT inet_server_addr()")).scalar()
    sync_engine.dispose()

    async_engine = create_async_engine(settings.database_url_async)
    async with async_engine.connect() as connection:
        via_async = (
            await connection.execute(text("SELECT inet_server_addr()"))
        ).scalar()
    await async_engine.dispose()

    connection = await asyncpg.connect(settings.postgres_dsn)
    try:
        via_asyncpg = await connection.fetchval("SELECT inet_server_addr()")
    finally:
        await connection.close()

    # inet_server_addr() is NULL exactly when the connection is a unix socket.
    assert (via_sync, via_async, via_asyncpg) == (None, None, None)
    with psycopg.connect(postgres.url(TEST_DATABASE)) as tcp:
        assert tcp.execute("SELECT inet_server_addr()").fetchone() != (None,)


async def test_redis_over_its_unix_socket(redis_server: RedisServer) -> None:
    settings = settings_for("postgresql://x@y/z", f"unix://{redis_server.socket_path}")
    client = redis.asyncio.Redis.from_url(settings.redis_dsn)
    try:
        assert await client.ping()
        info = await client.client_info()
    finally:
        await client.aclose()
    # "U" marks a client connected through the unix socket.
    assert "U" in info["flags"]
