"""A process's memory of principals: used while it hears every change, dropped
when any process changes the account or the subscription is lost."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis

from app.core.config import Settings
from app.core.db import Database
from app.core.redis import create_redis_pool
from app.models.user import User
from app.services.auth.principal_memory import CHANGES_CHANNEL, PrincipalMemory
from app.services.auth.principals import TOMBSTONE, Principal, Principals


class Process:
    """What one webserver process holds: its own memory and connections."""

    def __init__(self, settings: Settings, *, ttl_s: float = 10.0) -> None:
        self.database = Database(settings)
        self.redis = Redis(connection_pool=create_redis_pool(settings))
        listener = Redis(connection_pool=create_redis_pool(settings, retries="none"))
        self.memory = PrincipalMemory(listener, ttl_s=ttl_s)
        self.principals = Principals(self.database, self.redis, self.memory)

    async def close(self) -> None:
        await self.principals.close()
        await self.redis.aclose(close_connection_pool=True)
        await self.database.dispose()


async def _until(
    condition: Callable[[], bool], what: str, within_s: float = 5.0
) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, f"not {what} within {within_s} s"
        await asyncio.sleep(0.01)


async def _listening(process: Process, user: User) -> Principal:
    """Look `user` up until the memory is subscribed and keeps the answer."""
    await process.principals.active(user.id or 0)  # starts the listener
    await _until(lambda: process.memory.listening, "subscribed")
    principal = await process.principals.active(user.id or 0)
    assert principal is not None and process.memory.get(principal.id) == principal
    return principal


@pytest.fixture
async def processes(
    settings: Settings,
) -> AsyncIterator[Callable[..., Awaitable[Process]]]:
    opened: list[Process] = []

    async def open_process(**options: float) -> Process:
        opened.append(Process(settings, **options))
        return opened[-1]

    yield open_process
    for process in opened:
        await process.close()


async def _rename_in_database(database: Database, user: User, name: str) -> None:
    """Behind every cache's back: only a lookup that reaches the database sees it."""
    pool = await database.pool()
    await pool.execute('UPDATE "user" SET full_name = $1 WHERE id = $2', name, user.id)


async def test_a_kept_principal_is_answered_without_redis_or_the_database(
    processes, user: User
) -> None:
    process = await processes()
    await _listening(process, user)
    await _rename_in_database(process.database, user, "Homer J.")
    await process.redis.delete(f"sector7g:principal:{user.id}")

    principal = await process.principals.active(user.id or 0)

    assert principal is not None and principal.full_name == user.full_name


async def test_a_change_in_another_process_is_dropped_here_at_once(
    processes, user: User
) -> None:
    here, there = await processes(), await processes()
    await _listening(here, user)
    await _rename_in_database(here.database, user, "Homer J.")

    await there.principals.forget(user.id or 0)
    await _until(lambda: here.memory.get(user.id or 0) is None, "dropped", 1.0)

    principal = await here.principals.active(user.id or 0)
    assert principal is not None and principal.full_name == "Homer J."


async def test_nothing_is_kept_across_a_lost_subscription(
    processes, settings: Settings, user: User
) -> None:
    process = await processes()
    await _listening(process, user)
    generation = process.memory.generation

    async with Redis.from_url(settings.redis_dsn) as admin:
        assert await admin.client_kill_filter(_type="pubsub") >= 1
    await _until(lambda: not process.memory.listening, "unsubscribed")

    assert process.memory.get(user.id or 0) is None
    assert process.memory.generation > generation
    await process.principals.active(user.id or 0)
    assert process.memory.get(user.id or 0) is None, "kept while not subscribed"
    await _listening(process, user)  # subscribed again: kept again


async def test_a_lookup_that_started_before_a_change_keeps_nothing(
    processes, user: User
) -> None:
    process = await processes()
    principal = await _listening(process, user)
    process.memory.drop(principal.id)
    generation = process.memory.generation

    process.memory.drop(principal.id)  # a change, while the lookup ran
    process.memory.put(principal, generation)

    assert process.memory.get(principal.id) is None


async def test_a_message_it_cannot_read_drops_everything(
    processes, settings: Settings, user: User
) -> None:
    process = await processes()
    await _listening(process, user)

    async with Redis.from_url(settings.redis_dsn) as publisher:
        await publisher.publish(CHANGES_CHANNEL, "not a user id")
    await _until(lambda: process.memory.get(user.id or 0) is None, "dropped", 1.0)


async def test_a_kept_principal_expires(processes, user: User) -> None:
    process = await processes(ttl_s=0.2)
    await _listening(process, user)

    await asyncio.sleep(0.25)

    assert process.memory.get(user.id or 0) is None


async def test_a_kept_principal_cannot_be_changed_by_a_request(
    processes, user: User
) -> None:
    """One instance serves every request the memory answers."""
    principal = await _listening(await processes(), user)

    with pytest.raises(ValidationError):
        principal.is_admin = True


async def test_nothing_is_kept_while_the_accounts_tombstone_stands(
    processes, user: User
) -> None:
    """A change whose second message was lost cannot leave the old row kept."""
    process = await processes()
    await _listening(process, user)
    process.memory.drop(user.id or 0)
    await process.redis.set(f"sector7g:principal:{user.id}", TOMBSTONE, ex=60)

    assert await process.principals.active(user.id or 0) is not None

    assert process.memory.get(user.id or 0) is None
