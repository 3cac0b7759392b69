"""This process's copy of the principals it used lately, kept only while it
hears of every account change.

An account change is published on `CHANGES_CHANNEL` (`Principals.forget`),
and every webserver process drops that account when Redis delivers the
message, normally well within a millisecond. Nothing is kept while the
subscription is not confirmed: before it first is, after its connection
fails, until it is confirmed again. Entries also expire after `TTL_S`: the
bound for a connection that died without Redis or the OS noticing.

A lookup that started before a change (or before a lost subscription) must
not store what it read: the generation, bumped by each, tells it so.
"""

import asyncio
import time
from typing import TYPE_CHECKING

import structlog
from redis.asyncio import Redis

from app.core.expiring_lru import ExpiringLru

if TYPE_CHECKING:
    from app.services.auth.principals import Principal

log = structlog.get_logger(__name__)

CHANGES_CHANNEL = "sector7g:principal-changes"
TTL_S = 10.0
CAPACITY = 4096
# How long one wait for a message lasts; the loop then waits again.
POLL_S = 5.0
RETRY_DELAY_S = 1.0


class PrincipalMemory:
    def __init__(self, listener: Redis, *, ttl_s: float = TTL_S) -> None:
        """`listener` must not retry: redis-py would reconnect and subscribe
        again silently, and the messages sent in between would be lost."""
        self.listener = listener
        self.ttl_s = ttl_s
        self.generation = 0
        self.listening = False
        self._entries: ExpiringLru[int, Principal] = ExpiringLru(
            CAPACITY, time.monotonic
        )
        self._task: asyncio.Task | None = None

    def get(self, user_id: int) -> "Principal | None":
        # The listener starts with the first lookup: opening the webserver's
        # resources touches no server.
        if self._task is None:
            self._task = asyncio.create_task(self._listen_forever())
        return self._entries.get(user_id)

    def put(self, principal: "Principal", generation: int) -> None:
        """Keep `principal`, read by a lookup that started at `generation`."""
        if not self.listening or generation != self.generation:
            return
        self._entries.put(principal.id, principal, time.monotonic() + self.ttl_s)

    def drop(self, user_id: int) -> None:
        self._entries.pop(user_id)
        self.generation += 1

    def _forget_all(self) -> None:
        self._entries.clear()
        self.generation += 1

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.listener.aclose(close_connection_pool=True)

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen()
            except Exception:  # Redis away: keep nothing until subscribed again
                if self.listening:
                    log.warning("principal change listener lost Redis; retrying")
            finally:
                self.listening = False
                self._forget_all()
            await asyncio.sleep(RETRY_DELAY_S)

    async def _listen(self) -> None:
        async with self.listener.pubsub() as pubsub:
            await pubsub.subscribe(CHANGES_CHANNEL)
            while True:
                message = await pubsub.get_message(timeout=POLL_S)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    self._forget_all()
                    self.listening = True
                elif message["type"] == "message":
                    self._heard(message["data"])

    def _heard(self, data: str) -> None:
        if data.isdigit():
            self.drop(int(data))
        else:  # not ours to read: assume the worst
            self._forget_all()
