"""Commands to the leading scheduler: none is lost between two reads."""

from redis.asyncio import Redis

from app.core.config import Settings
from app.services.scheduler import control


async def _send(redis: Redis, name: str) -> None:
    await redis.xadd(control.COMMANDS, {"data": name})


async def test_a_leader_reads_every_command_sent_after_it_took_over(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn, decode_responses=True)
    try:
        assert await control.newest_command_id(redis) == "0-0"  # none sent yet
        await _send(redis, "to the previous leader")
        after = await control.newest_command_id(redis)
        # Sent before the new leader's first read: XREAD's "$" would miss it.
        await _send(redis, "first")
        await _send(redis, "second")
        read = await redis.xread({control.COMMANDS: after}, block=100)
    finally:
        await redis.aclose()
    assert [fields["data"] for _, entries in read for _, fields in entries] == [
        "first",
        "second",
    ]
