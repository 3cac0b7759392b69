"""The webserver's one reader of the event stream, against real Redis."""

import asyncio
from typing import Any

from redis.asyncio import Redis

from app.components.backend.event_hub import EventHub
from app.core.config import Settings
from app.services.tasks.events import EventLog, event


class PausingReader(Redis):
    """A real client that, once, holds still after a read that found nothing:
    the moment between two reads, made long enough to publish in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.between_reads = asyncio.Event()
        self.read_on = asyncio.Event()

    async def xread(self, *args: Any, **kwargs: Any) -> Any:
        reply = await super().xread(*args, **kwargs)
        if not reply and not self.between_reads.is_set():
            self.between_reads.set()
            await self.read_on.wait()
        return reply


async def test_an_event_published_between_two_reads_reaches_the_subscriber(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn, decode_responses=True)
    reader = PausingReader.from_url(settings.redis_dsn, decode_responses=True)
    events = EventLog(redis, max_length=1_000)
    await events.publish(event("job.enqueued", n="already there"))
    hub = EventHub(events, reader, max_subscribers=1, block_ms=50)
    try:
        async with hub.subscribe() as subscription:
            await asyncio.wait_for(reader.between_reads.wait(), timeout=5)
            await events.publish(event("job.enqueued", n="between two reads"))
            reader.read_on.set()
            first = await asyncio.wait_for(anext(subscription.entries()), timeout=5)
    finally:
        await hub.close()
        await redis.aclose()
    assert first.data["n"] == "between two reads"
