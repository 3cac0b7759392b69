"""The live event stream: job and worker events on a capped Redis stream.

Each event is one stream entry with a single `data` field holding JSON, so a
reader forwards it without knowing its shape. Every append trims the stream to
its cap exactly, so its length never exceeds EVENT_STREAM_MAX_LENGTH.
"""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from app.services.tasks import keys


def event(kind: str, **fields: Any) -> dict[str, Any]:
    """An event dict: its `type`, the time, and the fields given."""
    return {"type": kind, "at": datetime.now(UTC).isoformat(), **fields}


@dataclass(frozen=True)
class StreamEntry:
    id: str
    data: dict[str, Any]


class EventLog:
    def __init__(self, redis: Redis, *, max_length: int) -> None:
        self.redis = redis
        self.max_length = max_length

    async def publish(self, data: dict[str, Any]) -> str:
        return await self.redis.xadd(
            keys.EVENTS,
            {"data": json.dumps(data)},
            maxlen=self.max_length,
            approximate=False,
        )

    def publish_in(self, pipeline: Pipeline, data: dict[str, Any]) -> None:
        """Queue the append on `pipeline`, to go with the caller's other writes."""
        pipeline.xadd(
            keys.EVENTS,
            {"data": json.dumps(data)},
            maxlen=self.max_length,
            approximate=False,
        )

    async def read_after(
        self, last_id: str, *, count: int = 100, block_ms: int | None = None
    ) -> list[StreamEntry]:
        """Entries newer than `last_id` (see `newest_id`), oldest first."""
        reply = await self.redis.xread(
            {keys.EVENTS: last_id}, count=count, block=block_ms
        )
        return [entry for _, entries in reply for entry in _entries(entries)]

    async def newest_id(self) -> str:
        """The newest entry's id ("0-0" when there is none): read after it for
        what comes next. Unlike "$", a fixed id misses nothing sent between
        two reads."""
        newest = await self.redis.xrevrange(keys.EVENTS, count=1)
        return _text(newest[0][0]) if newest else "0-0"

    async def recent(self, count: int) -> list[StreamEntry]:
        """The newest `count` entries, oldest first."""
        reply = await self.redis.xrevrange(keys.EVENTS, count=count)
        return list(reversed(_entries(reply)))

    async def length(self) -> int:
        return await self.redis.xlen(keys.EVENTS)

    async def trim_older_than(self, max_age_s: float) -> int:
        """Drop entries older than `max_age_s`; the number dropped."""
        oldest_kept_ms = int((time.time() - max_age_s) * 1000)
        return await self.redis.xtrim(
            keys.EVENTS, minid=f"{oldest_kept_ms}-0", approximate=False
        )


def _entries(raw: list[tuple[Any, dict[Any, Any]]]) -> list[StreamEntry]:
    return [
        StreamEntry(_text(id_), json.loads(_text(fields["data"])))
        for id_, fields in raw
    ]


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
