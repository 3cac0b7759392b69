"""The one factory that turns a row of the process table into arq worker settings.

Every queue module is `WorkerSettings = QueueWorkerSettings("<queue>", TASKS)`.
arq reads a worker's settings from a mapping; this one fills itself in when
arq first reads it, so importing a queue module reads no settings, no file and
no environment (arq's own CLI imports the module, then reads the mapping).
"""

import os
from _collections_abc import dict_items
from collections.abc import Sequence
from typing import Any

from arq import func

from app.components.worker.execution import INTERRUPTIONS_FORGIVEN, with_lifecycle
from app.components.worker.logs import drop_arq_job_lines
from app.components.worker.runtime import WorkerRuntime
from app.core import serialization
from app.core.config import Settings, get_settings
from app.core.log import configure_logging
from app.core.redis import arq_redis_settings
from app.core.topology import Topology, load_topology
from app.services.tasks.catalog import TaskFunction

# The wrapper enforces the queue's time limit itself, so it can record a
# timeout; arq's own limit is a backstop a little later.
ARQ_TIMEOUT_MARGIN_S = 5


class QueueWorkerSettings(dict[str, Any]):
    """arq worker settings for one queue, built on first read."""

    def __init__(self, queue: str, tasks: Sequence[TaskFunction]) -> None:
        super().__init__()
        self.queue = queue
        self.tasks = tuple(tasks)

    def items(self) -> "dict_items[str, Any]":
        if not self:
            self.update(build_worker_settings(self.queue, self.tasks, get_settings()))
        return super().items()


def build_worker_settings(
    queue_name: str,
    tasks: Sequence[TaskFunction],
    settings: Settings,
    topology: Topology | None = None,
) -> dict[str, Any]:
    """Keyword arguments for `arq.Worker` serving `queue_name`."""
    topology = topology or load_topology(os.environ)
    queue = topology.queue(queue_name)
    return {
        "queue_name": queue.redis_key,
        "functions": [
            func(
                with_lifecycle(task, queue, topology.workers),
                name=getattr(task, "__name__"),
                # More than the queue allows: interrupted attempts do not
                # count, and the wrapper records the one attempt too many.
                max_tries=queue.max_tries + INTERRUPTIONS_FORGIVEN + 1,
            )
            for task in tasks
        ],
        "redis_settings": arq_redis_settings(settings),
        "max_jobs": queue.max_jobs,
        "job_timeout": queue.job_timeout_s + ARQ_TIMEOUT_MARGIN_S,
        "poll_delay": topology.workers.poll_delay_s,
        "health_check_interval": queue.heartbeat_interval_s,
        "job_completion_wait": queue.shutdown_grace_s,
        "allow_abort_jobs": True,
        # Results live in the task history (PostgreSQL), not in Redis.
        "keep_result": 0,
        "job_serializer": serialization.dumps,
        "job_deserializer": serialization.loads,
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "ctx": {"settings": settings, "topology": topology, "queue": queue},
    }


async def on_startup(ctx: dict[str, Any]) -> None:
    """Open the worker's runtime and announce it."""
    # Imported here: the queue modules import this module.
    from app.components.worker.queues import task_catalog

    settings: Settings = ctx["settings"]
    configure_logging(json=settings.log_json, level=settings.LOG_LEVEL)
    drop_arq_job_lines()
    runtime = WorkerRuntime.open(
        settings,
        ctx["queue"],
        ctx["topology"],
        task_catalog(),
    )
    ctx["runtime"] = runtime
    ctx["time_scale"] = settings.SIMULATION_TIME_SCALE
    await runtime.start()


async def on_shutdown(ctx: dict[str, Any]) -> None:
    runtime: WorkerRuntime | None = ctx.get("runtime")
    if runtime is not None:
        await runtime.stop()
