"""The live event stream: capped, trimmed by age, read in order."""

import time

from redis.asyncio import Redis

from app.core.config import Settings
from app.services.tasks import keys
from app.services.tasks.events import EventLog, event


async def _publish_many(log: EventLog, count: int) -> None:
    async with log.redis.pipeline(transaction=False) as pipeline:
        for n in range(count):
            log.publish_in(pipeline, event("job.enqueued", n=n))
        await pipeline.execute()


async def test_the_stream_stays_within_its_cap_after_10000_events(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn, decode_responses=True)
    log = EventLog(redis, max_length=settings.EVENT_STREAM_MAX_LENGTH)
    try:
        await _publish_many(log, 10_000)
        await log.publish(event("job.completed", n="last"))
        small = EventLog(redis, max_length=500)
        await small.publish(event("job.completed", n="trimmed"))
        assert await log.length() == 500
        newest = await log.recent(2)
    finally:
        await redis.aclose()
    assert [entry.data["n"] for entry in newest] == ["last", "trimmed"]


async def test_the_full_cap_is_exact(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn, decode_responses=True)
    log = EventLog(redis, max_length=settings.EVENT_STREAM_MAX_LENGTH)
    try:
        await _publish_many(log, settings.EVENT_STREAM_MAX_LENGTH + 2_000)
        assert await log.length() == settings.EVENT_STREAM_MAX_LENGTH
    finally:
        await redis.aclose()


async def test_trim_drops_only_events_older_than_the_age(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn, decode_responses=True)
    log = EventLog(redis, max_length=1000)
    try:
        old_ms = int((time.time() - 7200) * 1000)
        for n in range(3):
            await redis.xadd(
                keys.EVENTS, {"data": '{"type": "old"}'}, id=f"{old_ms}-{n}"
            )
        await log.publish(event("job.started"))
        trimmed = await log.trim_older_than(3600)
        remaining = await log.recent(10)
    finally:
        await redis.aclose()
    assert trimmed == 3
    assert [entry.data["type"] for entry in remaining] == ["job.started"]


async def test_read_after_returns_newer_entries_in_order(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn, decode_responses=True)
    log = EventLog(redis, max_length=1000)
    try:
        first = await log.publish(event("a"))
        await log.publish(event("b"))
        await log.publish(event("c"))
        entries = await log.read_after(first)
    finally:
        await redis.aclose()
    assert [entry.data["type"] for entry in entries] == ["b", "c"]
