"""Redis clients across a Redis restart: patient ones wait, quick ones fail."""

import asyncio
import threading
import time

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError

from app.core.redis import create_redis_pool
from app.devstack.servers import RedisServer
from tests.conftest import settings_for
from tests.utils.services import running_redis

DOWN_S = 1.5


@pytest.fixture
def restartable_redis(database_url: str):
    """A Redis of this test's own, which it may stop and start."""
    with running_redis() as server:
        yield server


def _restart_later(server: RedisServer) -> threading.Thread:
    def restart() -> None:
        time.sleep(DOWN_S)
        server.start()

    server.stop()
    thread = threading.Thread(target=restart)
    thread.start()
    return thread


async def test_a_patient_client_rides_out_a_restart(
    restartable_redis: RedisServer, database_url: str
) -> None:
    settings = settings_for(database_url, restartable_redis.url())
    client = Redis(connection_pool=create_redis_pool(settings, retries="patient"))
    try:
        await client.set("before", "1")
        restarting = _restart_later(restartable_redis)
        await asyncio.sleep(0.2)  # the pooled connection has seen the close
        # A pipeline (arq's writes) and a plain command both wait for it.
        async with client.pipeline(transaction=True) as pipeline:
            pipeline.incr("during")
            assert await pipeline.execute() == [1]
        assert await client.incr("during") == 2
        await asyncio.to_thread(restarting.join)
    finally:
        await client.aclose(close_connection_pool=True)


async def test_a_quick_client_fails_fast(
    restartable_redis: RedisServer, database_url: str
) -> None:
    settings = settings_for(database_url, restartable_redis.url())
    client = Redis(connection_pool=create_redis_pool(settings))
    try:
        await client.ping()
        restarting = _restart_later(restartable_redis)
        started = time.monotonic()
        with pytest.raises(ConnectionError):
            await client.ping()
        assert time.monotonic() - started < DOWN_S
        await asyncio.to_thread(restarting.join)
    finally:
        await client.aclose(close_connection_pool=True)
