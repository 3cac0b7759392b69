"""A worker's runtime: what it opens at start-up, and how it records jobs.

Built once per worker process in `on_startup`, kept in arq's `ctx`, closed in
`on_shutdown`. Every job's lifecycle goes through `JobRecorder`, so history
rows, claims, counters and events stay in step.
"""

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from redis.asyncio import Redis

from app.core.config import Settings
from app.core.db import Database
from app.core.redis import create_redis_pool
from app.core.topology import QueueSpec, Topology
from app.models.task_status import TaskStatus
from app.services.tasks import keys, workers
from app.services.tasks.catalog import TaskCatalog
from app.services.tasks.events import EventLog, event
from app.services.tasks.history import TaskHistory
from app.services.tasks.services import TaskServices

log = structlog.get_logger(__name__)

# Heartbeats per interval: a worker is declared dead one interval after its
# last beat, so a few beats per interval keep a live one from looking dead.
BEATS_PER_INTERVAL = 3

# How loud each outcome is in the log (the job id, queue and task are bound).
_LOG_LEVELS = {TaskStatus.FAILED: logging.WARNING, TaskStatus.RETRYING: logging.WARNING}

# Which outcome counter each final or retry status bumps.
STAT_FIELDS = {
    TaskStatus.COMPLETED: "completed",
    TaskStatus.FAILED: "failed",
    TaskStatus.CANCELLED: "cancelled",
    TaskStatus.RETRYING: "retried",
}


@dataclass
class WorkerRuntime:
    settings: Settings
    queue: QueueSpec
    services: TaskServices
    presence: workers.WorkerPresence
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    running: set[str] = field(default_factory=set)
    # Jobs found marked running but unclaimed by the last recovery pass.
    unclaimed: set[str] = field(default_factory=set)
    _beating: asyncio.Task | None = None

    @classmethod
    def open(
        cls,
        settings: Settings,
        queue: QueueSpec,
        topology: Topology,
        catalog: TaskCatalog,
    ) -> "WorkerRuntime":
        services = TaskServices.open(
            settings,
            catalog=catalog,
            topology=topology,
            redis=Redis(connection_pool=create_redis_pool(settings, retries="patient")),
        )
        worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        return cls(
            settings=settings,
            queue=queue,
            services=services,
            presence=workers.WorkerPresence(
                queue.name, worker_id, ttl_s=queue.heartbeat_interval_s
            ),
        )

    @property
    def redis(self) -> Redis:
        return self.services.redis

    @property
    def database(self) -> Database:
        return self.services.database

    @property
    def events(self) -> EventLog:
        return self.services.events

    @property
    def history(self) -> TaskHistory:
        return self.services.history

    @property
    def worker_id(self) -> str:
        return self.presence.worker_id

    async def start(self) -> None:
        """Announce the worker, take up orphaned jobs, start the heartbeat."""
        await self._beat()
        await self.recover_orphans()
        await self.events.publish(self._worker_event("worker.started"))
        self._beating = asyncio.create_task(self._heartbeat_loop())

    async def stop(self) -> None:
        if self._beating is not None:
            self._beating.cancel()
            await asyncio.gather(self._beating, return_exceptions=True)
        await self.presence.leave(self.redis)
        await self.events.publish(self._worker_event("worker.stopped"))
        await self.services.close()

    async def recover_orphans(self) -> list[str]:
        """Release the jobs of workers that died; they run again at once."""
        recovered = []
        orphans = await workers.orphaned_claims(self.redis, self.queue.name)
        for job_id, dead_worker in orphans.items():
            if await workers.release_orphan(
                self.redis, self.queue.name, job_id, dead_worker
            ):
                await self._recovered(job_id, f"worker {dead_worker} died")
                recovered.append(job_id)
        # Unclaimed on two passes in a row: its worker died as arq handed it over.
        unclaimed = await workers.unclaimed_in_progress(self.redis, self.queue)
        unclaimed -= self.running
        for job_id in unclaimed & self.unclaimed:
            if await workers.release_unclaimed(self.redis, self.queue.name, job_id):
                await self._recovered(job_id, "its worker died as it began")
                recovered.append(job_id)
        self.unclaimed = unclaimed - set(recovered)
        return recovered

    async def _recovered(self, job_id: str, why: str) -> None:
        await workers.note_interruption(self.redis, job_id)
        log.warning("recovered the job of a dead worker", job_id=job_id, why=why)
        await self.history.record_retrying(job_id, error=f"{why} while running it")
        await self.events.publish(
            event("job.retrying", job_id=job_id, queue=self.queue.name, error=why)
        )

    async def _heartbeat_loop(self) -> None:
        interval_s = self.queue.heartbeat_interval_s
        beats = 0
        while True:
            await asyncio.sleep(interval_s / BEATS_PER_INTERVAL)
            beats += 1
            try:
                await self._beat()
                if beats % BEATS_PER_INTERVAL == 0:
                    await self.recover_orphans()
            except Exception:  # Redis away: keep beating once it is back
                log.warning("heartbeat failed", exc_info=True)

    async def _beat(self) -> None:
        await self.presence.beat(
            self.redis,
            {
                "worker_id": self.worker_id,
                "queue": self.queue.name,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started_at": self.started_at.isoformat(),
                "beat_at": datetime.now(UTC).isoformat(),
                "running": len(self.running),
                "max_jobs": self.queue.max_jobs,
            },
        )

    def _worker_event(self, kind: str) -> dict[str, Any]:
        return event(kind, worker_id=self.worker_id, queue=self.queue.name)


class JobRecorder:
    """The lifecycle of one job attempt, as history, claim, counters and events."""

    def __init__(self, runtime: WorkerRuntime, *, job_id: str, task: str) -> None:
        self.runtime = runtime
        self.job_id = job_id
        self.task = task

    async def claim(self) -> None:
        """Mark the job as this worker's before anything else, so that a worker
        dying from here on leaves a claim to recover."""
        self.runtime.running.add(self.job_id)
        await self.runtime.presence.claim(self.runtime.redis, self.job_id)

    async def started(self, attempt: int) -> None:
        runtime = self.runtime
        await runtime.history.record_started(
            self.job_id, task=self.task, queue=runtime.queue.name, attempt=attempt
        )
        await runtime.events.publish(self._event("job.started", attempt=attempt))

    async def retrying(self, error: str) -> None:
        await self.runtime.history.record_retrying(self.job_id, error=error)
        await self._close(TaskStatus.RETRYING, error=error)

    async def finished(
        self,
        status: TaskStatus,
        *,
        result: Any = None,
        error: str | None = None,
        duration_ms: float | None = None,
    ) -> None:
        await self.runtime.history.record_finished(
            self.job_id, status, result=result, error=error
        )
        await self._close(status, error=error, duration_ms=duration_ms)

    async def interrupted(self) -> None:
        """This attempt is cut short by the worker stopping: retrying, and the
        try it used is given back."""
        await workers.note_interruption(self.runtime.redis, self.job_id)
        await self.retrying("the worker stopped before the job finished")

    async def interruptions(self) -> int:
        return await workers.interruptions(self.runtime.redis, self.job_id)

    async def cancel_requested(self) -> bool:
        return bool(await self.runtime.redis.exists(keys.cancel_request(self.job_id)))

    async def _close(self, status: TaskStatus, **fields: Any) -> None:
        runtime = self.runtime
        runtime.running.discard(self.job_id)
        log.log(
            _LOG_LEVELS.get(status, logging.INFO),
            "job finished",
            status=status,
            **fields,
        )
        async with runtime.redis.pipeline(transaction=False) as pipeline:
            runtime.presence.release(pipeline, self.job_id)
            pipeline.hincrby(
                keys.queue_stats(runtime.queue.name), STAT_FIELDS[status], 1
            )
            pipeline.delete(keys.cancel_request(self.job_id))
            runtime.events.publish_in(pipeline, self._event(f"job.{status}", **fields))
            await pipeline.execute()

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        return event(
            kind,
            job_id=self.job_id,
            task=self.task,
            queue=self.runtime.queue.name,
            worker_id=self.runtime.worker_id,
            **fields,
        )
