"""Workers' presence in Redis: who is alive, which jobs each is running, and
what to do with the jobs of a worker that died.

A worker refreshes its liveness key several times per heartbeat interval; the
key expires one interval after the last refresh, so a dead worker is visibly
dead within one interval. Each running job is claimed in a per-queue hash.
A claim whose worker is gone is released: arq's in-progress marker is deleted,
and the job (still in its queue) runs again at once instead of after arq's
timeout. arq marks a job in progress a moment before the worker can claim it;
a marker still unclaimed one heartbeat interval later belongs to a worker that
died in that moment, and is released the same way.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from app.core.redis import reply
from app.core.topology import QueueSpec
from app.services.tasks import keys

# Releases a claim only if it still names the dead worker, atomically.
_RELEASE_ORPHAN = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
"""

# Releases arq's marker of a job only while no worker claims the job.
_RELEASE_UNCLAIMED = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
return redis.call('DEL', KEYS[2])
"""

# How many jobs at the head of a queue are looked at for unclaimed markers:
# arq takes jobs oldest first, so the running ones are at the head.
UNCLAIMED_SCAN_LIMIT = 1000


@dataclass(frozen=True)
class WorkerPresence:
    queue: str
    worker_id: str
    ttl_s: float

    @property
    def key(self) -> str:
        return keys.worker_alive(self.queue, self.worker_id)

    async def beat(self, redis: Redis, info: dict[str, Any]) -> None:
        await redis.set(self.key, json.dumps(info), px=int(self.ttl_s * 1000))

    async def leave(self, redis: Redis) -> None:
        await redis.delete(self.key)

    async def claim(self, redis: Redis, job_id: str) -> None:
        await reply(redis.hset(keys.claims(self.queue), job_id, self.worker_id))

    def release(self, pipeline: Pipeline, job_id: str) -> None:
        pipeline.hdel(keys.claims(self.queue), job_id)


async def live_workers(redis: Redis, queue: str) -> dict[str, dict[str, Any]]:
    """Worker id -> the info of its last heartbeat, for every live worker."""
    found = [key async for key in redis.scan_iter(keys.worker_alive_pattern(queue))]
    if not found:
        return {}
    values = await redis.mget(found)
    prefix = keys.worker_alive(queue, "")
    return {
        key.removeprefix(prefix): json.loads(value)
        for key, value in zip(found, values, strict=True)
        if value is not None
    }


async def orphaned_claims(redis: Redis, queue: str) -> dict[str, str]:
    """Job id -> worker id, for running jobs whose worker is not alive."""
    claims: dict[str, str] = await reply(redis.hgetall(keys.claims(queue)))
    owners = sorted(set(claims.values()))
    if not owners:
        return {}
    async with redis.pipeline(transaction=False) as pipeline:
        for owner in owners:
            pipeline.exists(keys.worker_alive(queue, owner))
        alive = dict(zip(owners, await pipeline.execute(), strict=True))
    return {job: owner for job, owner in claims.items() if not alive[owner]}


async def release_orphan(redis: Redis, queue: str, job_id: str, worker_id: str) -> bool:
    """Let another worker take up `job_id`; False if someone already did."""
    released = await reply(
        redis.eval(
            _RELEASE_ORPHAN,
            2,
            keys.claims(queue),
            keys.arq_in_progress(job_id),
            job_id,
            worker_id,
        )
    )
    return bool(released)


async def unclaimed_in_progress(redis: Redis, queue: QueueSpec) -> set[str]:
    """Jobs arq marks as running that no worker claims."""
    head: list[str] = await reply(
        redis.zrange(queue.redis_key, 0, UNCLAIMED_SCAN_LIMIT - 1)
    )
    if not head:
        return set()
    async with redis.pipeline(transaction=False) as pipeline:
        for job_id in head:
            pipeline.exists(keys.arq_in_progress(job_id))
        pipeline.hmget(keys.claims(queue.name), head)
        *marked, owners = await pipeline.execute()
    return {
        job_id
        for job_id, running, owner in zip(head, marked, owners, strict=True)
        if running and owner is None
    }


async def release_unclaimed(redis: Redis, queue: str, job_id: str) -> bool:
    """Let a worker take up `job_id`; False if a worker has claimed it since."""
    released = await reply(
        redis.eval(
            _RELEASE_UNCLAIMED,
            2,
            keys.claims(queue),
            keys.arq_in_progress(job_id),
            job_id,
        )
    )
    return bool(released)


# Long enough to outlive any retry of the job; the count is then of no use.
INTERRUPTIONS_TTL_S = 24 * 3600


async def note_interruption(redis: Redis, job_id: str) -> int:
    """Count an attempt cut short by its worker (a crash or a shutdown), which
    does not use up one of the job's tries; the count so far."""
    async with redis.pipeline(transaction=True) as pipeline:
        pipeline.incr(keys.interruptions(job_id))
        pipeline.expire(keys.interruptions(job_id), INTERRUPTIONS_TTL_S)
        count, _ = await pipeline.execute()
    return count


async def interruptions(redis: Redis, job_id: str) -> int:
    return int(await reply(redis.get(keys.interruptions(job_id))) or 0)


async def queue_stats(redis: Redis, queue: str) -> dict[str, int]:
    raw = await reply(redis.hgetall(keys.queue_stats(queue)))
    return {name: int(value) for name, value in raw.items()}


@dataclass(frozen=True)
class QueueCounts:
    """A queue's jobs right now: waiting, running, and outcomes counted so far.

    arq keeps a running job in its queue until it ends, so the jobs waiting
    are the queue's length less the jobs claimed by workers.
    """

    queued: int
    running: int
    completed: int
    failed: int
    retried: int
    cancelled: int


async def queue_counts(
    redis: Redis, queues: Iterable[QueueSpec]
) -> dict[str, QueueCounts]:
    """Every queue's counts, exact, in one round trip."""
    queues = list(queues)
    async with redis.pipeline(transaction=False) as pipeline:
        for queue in queues:
            pipeline.zcard(queue.redis_key)
            pipeline.hlen(keys.claims(queue.name))
            pipeline.hgetall(keys.queue_stats(queue.name))
        replies = await pipeline.execute()
    counts = {}
    for index, queue in enumerate(queues):
        length, running, stats = replies[3 * index : 3 * index + 3]
        counts[queue.name] = QueueCounts(
            queued=max(0, length - running),
            running=running,
            completed=int(stats.get("completed", 0)),
            failed=int(stats.get("failed", 0)),
            retried=int(stats.get("retried", 0)),
            cancelled=int(stats.get("cancelled", 0)),
        )
    return counts
