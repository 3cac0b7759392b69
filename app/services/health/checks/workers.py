"""The workers: per queue, who is alive, what waits, what runs, what failed.

A queue's failure share is taken over the recent past
(HEALTH_FAILURE_WINDOW_MINUTES) from the task history: Homer's designed
quarter of failures makes his queue `warning`, never the system unhealthy.
"""

from datetime import timedelta
from importlib.metadata import version

from redis.asyncio import Redis

from app.core.config import Settings
from app.core.topology import QueueSpec, Topology
from app.services.health.tree import Component, Status, by_threshold
from app.services.tasks import workers
from app.services.tasks.history import TaskHistory


async def check_workers(
    redis: Redis, topology: Topology, history: TaskHistory, settings: Settings
) -> Component:
    window = timedelta(minutes=settings.HEALTH_FAILURE_WINDOW_MINUTES)
    recent = await history.outcomes_since(window)
    async with redis.pipeline(transaction=False) as pipeline:
        for queue in topology.queues.values():
            pipeline.zcard(queue.redis_key)
        depths = dict(zip(topology.queues, await pipeline.execute(), strict=True))
    queues = {
        name: await _queue(redis, queue, depths[name], recent.get(name, {}), settings)
        for name, queue in topology.queues.items()
    }
    served = sum(1 for queue in queues.values() if queue.metadata["workers_alive"])
    return Component.group(
        queues,
        message=f"{served} of {len(queues)} queues have a live worker",
        arq_version=version("arq"),
        failure_window_minutes=settings.HEALTH_FAILURE_WINDOW_MINUTES,
    )


async def _queue(
    redis: Redis,
    queue: QueueSpec,
    queued: int,
    recent: dict[str, int],
    settings: Settings,
) -> Component:
    alive = await workers.live_workers(redis, queue.name)
    totals = await workers.queue_stats(redis, queue.name)
    completed, failed = recent.get("completed", 0), recent.get("failed", 0)
    finished = completed + failed
    failure_percent = round(100 * failed / finished, 1) if finished else 0.0
    running = sum(info.get("running", 0) for info in alive.values())
    capacity = sum(info.get("max_jobs", 0) for info in alive.values())
    if not alive:
        status = Status.UNHEALTHY if queued else Status.WARNING
        message = "no worker alive" + (f"; {queued} jobs waiting" if queued else "")
    else:
        status = by_threshold(failure_percent, settings.HEALTH_QUEUE_FAILURE_PERCENT)
        message = (
            f"{len(alive)} worker(s), {running}/{capacity} running, {queued} waiting, "
            f"{failure_percent:g}% failed recently"
        )
    return Component(
        status=status,
        message=message,
        metadata={
            "workers_alive": len(alive),
            "queued": queued,
            "running": running,
            "capacity": capacity,
            "recent_completed": completed,
            "recent_failed": failed,
            "failure_rate_percent": failure_percent,
            "completed": totals.get("completed", 0),
            "failed": totals.get("failed", 0),
            "retried": totals.get("retried", 0),
            "cancelled": totals.get("cancelled", 0),
            "max_jobs": queue.max_jobs,
            "job_timeout_s": queue.job_timeout_s,
            "heartbeat_interval_s": queue.heartbeat_interval_s,
            "workers": [
                {
                    key: info.get(key)
                    for key in ("worker_id", "host", "pid", "running", "beat_at")
                }
                for info in alive.values()
            ],
        },
    )
