"""What scheduled jobs do: enqueue tasks, through the same path as the API.

APScheduler stores a reference to these functions and their plain arguments.
The scheduler's executor adds its context as the keyword `context`; it has a
default only because APScheduler checks stored arguments against the
signature, and the context is not stored.
"""

import random
from dataclasses import dataclass
from typing import Any

from app.core.config import Settings
from app.core.topology import Topology
from app.services.tasks.services import TaskServices


@dataclass(frozen=True)
class SchedulerContext:
    settings: Settings
    topology: Topology
    services: TaskServices


def _given(context: SchedulerContext | None) -> SchedulerContext:
    if context is None:
        raise RuntimeError("scheduled actions run inside the scheduler process")
    return context


async def enqueue_tasks(
    queue: str, tasks: list[str], *, context: SchedulerContext | None = None
) -> dict[str, Any]:
    """Queue one job of each task, in order."""
    context = _given(context)
    jobs = [
        await context.services.dispatcher.enqueue(task, queue=queue, source="scheduler")
        for task in tasks
    ]
    return {"enqueued": [job.job_id for job in jobs]}


async def simulate(
    queue: str,
    batch_min: int,
    batch_max: int,
    cap: int,
    *,
    context: SchedulerContext | None = None,
) -> dict[str, Any]:
    """Queue a batch of the character's simulated work, unless the queue is
    already `cap` deep."""
    context = _given(context)
    depth = await context.services.redis.zcard(context.topology.queue(queue).redis_key)
    if depth >= cap:
        return {"skipped": True, "depth": depth, "cap": cap}
    batch = random.randint(batch_min, batch_max)
    for _ in range(batch):
        await context.services.dispatcher.enqueue(
            f"{queue}_sim_task", queue=queue, source="scheduler"
        )
    return {"enqueued": batch, "depth": depth}
