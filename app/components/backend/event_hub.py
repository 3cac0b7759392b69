"""Live events for the webserver's subscribers: one Redis reader, fanned out.

However many clients watch, a webserver process reads the event stream once
(one blocking XREAD loop on its own connection) and copies each entry into a
bounded queue per subscriber. The number of subscribers is capped, and a
subscriber that falls too far behind is dropped rather than allowed to hold
memory without bound; a reconnecting client resumes with Last-Event-ID.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Self

import structlog
from redis.asyncio import Redis

from app.services.tasks.events import EventLog, StreamEntry

log = structlog.get_logger(__name__)

BLOCK_MS = 5_000
# Entries a subscriber may have waiting before it is dropped as too slow.
SUBSCRIBER_BUFFER = 1_000
# Entries replayed to a client that reconnects with Last-Event-ID.
REPLAY_LIMIT = 1_000
RETRY_DELAY_S = 1.0


class HubFullError(Exception):
    """Every subscriber place is taken."""


def stream_id_key(entry_id: str) -> tuple[int, int]:
    """Stream ids ("1700000000000-3") in their real order."""
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)


class Subscription:
    def __init__(self, hub: "EventHub", last_id: str | None) -> None:
        self.hub = hub
        self.last_id = last_id
        self.queue: asyncio.Queue[StreamEntry | None] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self.closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Leave the hub; `entries()` ends once it has drained what it holds."""
        if self.closed:
            return
        self.closed = True
        self.hub.unsubscribe(self)
        if self.queue.full():
            self.queue.get_nowait()  # make room for the end-of-stream marker
        self.queue.put_nowait(None)

    def deliver(self, entry: StreamEntry) -> None:
        try:
            self.queue.put_nowait(entry)
        except asyncio.QueueFull:
            log.warning("dropping a live-event subscriber that fell behind")
            self.close()

    async def entries(self) -> AsyncIterator[StreamEntry]:
        """Replayed entries after Last-Event-ID, then live ones, without repeats."""
        if self.last_id is not None:
            for entry in await self.hub.events.read_after(
                self.last_id, count=REPLAY_LIMIT
            ):
                self.last_id = entry.id
                yield entry
        while (entry := await self.queue.get()) is not None:
            if self.last_id is None or stream_id_key(entry.id) > stream_id_key(
                self.last_id
            ):
                self.last_id = entry.id
                yield entry


class EventHub:
    def __init__(
        self,
        events: EventLog,
        reader: Redis,
        *,
        max_subscribers: int,
        block_ms: int = BLOCK_MS,
    ) -> None:
        """`reader` is a client of its own whose socket timeout exceeds `block_ms`."""
        self.events = events
        self.reader = reader
        self.max_subscribers = max_subscribers
        self.block_ms = block_ms
        self.subscribers: set[Subscription] = set()
        self._task: asyncio.Task | None = None

    def subscribe(self, last_id: str | None = None) -> Subscription:
        if len(self.subscribers) >= self.max_subscribers:
            raise HubFullError
        subscription = Subscription(self, last_id)
        self.subscribers.add(subscription)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._read_forever())
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscribers.discard(subscription)

    async def close(self) -> None:
        for subscription in list(self.subscribers):
            subscription.close()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.reader.aclose(close_connection_pool=True)

    async def _read_forever(self) -> None:
        reader_log = EventLog(self.reader, max_length=self.events.max_length)
        last_id: str | None = None  # from the newest entry when reading starts
        while self.subscribers:
            try:
                if last_id is None:
                    last_id = await reader_log.newest_id()
                entries = await reader_log.read_after(
                    last_id, count=500, block_ms=self.block_ms
                )
            except Exception:  # Redis away: try again, subscribers stay connected
                log.warning("live-event reader lost Redis; retrying", exc_info=True)
                await asyncio.sleep(RETRY_DELAY_S)
                continue
            for entry in entries:
                last_id = entry.id
                for subscription in list(self.subscribers):
                    subscription.deliver(entry)
