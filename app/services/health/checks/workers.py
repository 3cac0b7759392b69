"""The workers: per queue, who is alive, what waits, what runs, what failed.

A queue's failure share is taken over the recent past
(HEALTH_FAILURE_WINDOW_MINUTES) from the task history: Homer's designed
quarter of failures makes his queue `warning`, never the system unhealthy.
Over fewer than MIN_JOBS_TO_CONDEMN finished jobs a share says little (one
failure in two is 50%), so it makes a queue `warning` at most.
"""

from datetime import timedelta
from importlib.metadata import version

from redis.asyncio import Redis

from app.core.config import Settings
from app.core.topology import QueueSpec, Topology
from app.services.health.tree import Component, Status, by_threshold
from app.services.tasks import workers
from app.services.tasks.history import TaskHistory

MIN_JOBS_TO_CONDEMN = 20


async def check_workers(
    redis: Redis, topology: Topology, history: TaskHistory, settings: Settings
) -> Component:
    window = timedelta(minutes=settings.HEALTH_FAILURE_WINDOW_MINUTES)
    recent = await history.outcomes_since(window)
    counts = await workers.queue_counts(redis, topology.queues.values())
    queues = {
        name: await _queue(redis, queue, counts[name], recent.get(name, {}), settings)
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
    counts: workers.QueueCounts,
    recent: dict[str, int],
    settings: Settings,
) -> Component:
    alive = await workers.live_workers(redis, queue.name)
    completed, failed = recent.get("completed", 0), recent.get("failed", 0)
    finished = completed + failed
    failure_percent = round(100 * failed / finished, 1) if finished else 0.0
    queued, running = counts.queued, counts.running
    capacity = sum(info.get("max_jobs", 0) for info in alive.values())
    if not alive:
        status = Status.UNHEALTHY if queued else Status.WARNING
        message = "no worker alive" + (f"; {queued} jobs waiting" if queued else "")
    else:
        status = by_threshold(failure_percent, settings.HEALTH_QUEUE_FAILURE_PERCENT)
        if status is Status.UNHEALTHY and finished < MIN_JOBS_TO_CONDEMN:
            status = Status.WARNING
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
            "completed": counts.completed,
            "failed": counts.failed,
            "retried": counts.retried,
            "cancelled": counts.cancelled,
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
