"""The one way jobs enter the system, and the way they are cancelled.

The API, the CLI, the scheduler and tasks themselves all enqueue through
`TaskDispatcher.enqueue`, so every job gets the same history row and the same
`job.enqueued` event whoever asked for it.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arq.constants import abort_jobs_ss, expires_extra_ms
from arq.jobs import serialize_job
from redis.asyncio import Redis

from app.core import serialization
from app.core.redis import reply
from app.core.topology import Topology
from app.models.task_status import TaskStatus
from app.services.tasks import keys
from app.services.tasks.catalog import TaskCatalog
from app.services.tasks.events import EventLog, event
from app.services.tasks.history import TaskHistory

# Removes a job that has not started from its queue, atomically with the
# check that it has not started (arq marks a started job "in progress").
_REMOVE_IF_WAITING = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local removed = redis.call('ZREM', KEYS[2], ARGV[1])
if removed == 1 then redis.call('DEL', KEYS[3]) end
return removed
"""

# How long a cancellation request waits for the running job to see it.
CANCEL_REQUEST_TTL_S = 3600


class JobNotFoundError(Exception):
    pass


class JobFinishedError(Exception):
    """The job already reached a final status; nothing to cancel."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the job already {status}")
        self.status = status


@dataclass(frozen=True)
class EnqueuedJob:
    job_id: str
    task: str
    queue: str
    enqueued_at: datetime


class TaskDispatcher:
    def __init__(
        self,
        *,
        catalog: TaskCatalog,
        topology: Topology,
        history: TaskHistory,
        events: EventLog,
        redis: Redis,
    ) -> None:
        self.catalog = catalog
        self.topology = topology
        self.history = history
        self.events = events
        self.redis = redis

    async def enqueue(
        self,
        task: str,
        *,
        queue: str | None = None,
        options: dict[str, Any] | None = None,
        source: str,
        enqueued_by: int | None = None,
    ) -> EnqueuedJob:
        """Validate, record, queue and announce one job.

        Raises TaskLookupError or TaskArgumentsError for a bad request; a
        Redis failure leaves no history row behind.
        """
        spec = self.catalog.resolve(task, queue)
        values = spec.validate_options(options or {})
        job_id = uuid.uuid4().hex
        enqueued_at = await self.history.record_enqueued(
            job_id,
            task=spec.name,
            queue=spec.queue,
            kwargs=values,
            source=source,
            enqueued_by=enqueued_by,
        )
        try:
            await self._queue(job_id, spec.name, spec.queue, values, source)
        except BaseException:
            await self.history.forget(job_id)
            raise
        return EnqueuedJob(job_id, spec.name, spec.queue, enqueued_at)

    async def _queue(
        self, job_id: str, task: str, queue: str, values: dict[str, Any], source: str
    ) -> None:
        """Put the job where arq's workers take it, and announce it: one round
        trip, one transaction.

        The job is stored as arq's own `enqueue_job` stores it (its public
        `serialize_job` format, its key and its expiry); arq's extra checks for
        a duplicate id are skipped, as ids here are fresh UUIDs.
        """
        now_ms = int(time.time() * 1000)
        job = serialize_job(
            task, (), values, None, now_ms, serializer=serialization.dumps
        )
        async with self.redis.pipeline(transaction=True) as pipeline:
            pipeline.psetex(keys.arq_job(job_id), expires_extra_ms, job)
            pipeline.zadd(self.topology.queue(queue).redis_key, {job_id: now_ms})
            self.events.publish_in(
                pipeline,
                event(
                    "job.enqueued", job_id=job_id, task=task, queue=queue, source=source
                ),
            )
            await pipeline.execute()

    async def cancel(self, job_id: str) -> TaskStatus:
        """Cancel a job: at once if it is waiting, through its worker if it runs.

        Returns CANCELLED, or RUNNING while the worker has yet to stop it.
        """
        run = await self.history.get(job_id)
        if run is None:
            raise JobNotFoundError(job_id)
        if TaskStatus(run.status).is_final:
            raise JobFinishedError(run.status)
        queue_key = self.topology.queue(run.queue).redis_key
        removed = await reply(
            self.redis.eval(
                _REMOVE_IF_WAITING,
                3,
                keys.arq_in_progress(job_id),
                queue_key,
                keys.arq_job(job_id),
                job_id,
            )
        )
        if removed:
            await self.history.record_finished(
                job_id, TaskStatus.CANCELLED, error="cancelled before it started"
            )
            async with self.redis.pipeline(transaction=False) as pipeline:
                pipeline.hincrby(keys.queue_stats(run.queue), "cancelled", 1)
                self.events.publish_in(
                    pipeline,
                    event(
                        "job.cancelled", job_id=job_id, task=run.task, queue=run.queue
                    ),
                )
                await pipeline.execute()
            return TaskStatus.CANCELLED
        async with self.redis.pipeline(transaction=True) as pipeline:
            pipeline.set(keys.cancel_request(job_id), "1", ex=CANCEL_REQUEST_TTL_S)
            pipeline.zadd(abort_jobs_ss, {job_id: int(time.time() * 1000)})
            await pipeline.execute()
        return TaskStatus.RUNNING
