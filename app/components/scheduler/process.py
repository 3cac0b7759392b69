"""The scheduler process: stand by, lead when the lock is ours, stop cleanly.

While it leads it runs APScheduler over the PostgreSQL job store, publishes
its jobs and a heartbeat, and answers commands; when it loses the lock (its
database connection broke) it stops scheduling at once and stands by again.
PostgreSQL is reached through asyncpg alone: the process never loads
SQLAlchemy or a synchronous driver.
"""

import asyncio
import json
import os
import signal
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from app.components.scheduler.actions import SchedulerContext
from app.components.scheduler.definitions import JobSpec, job_specs
from app.components.scheduler.executor import FiringRunner, RecordingExecutor
from app.components.scheduler.jobstore import PostgresJobStore
from app.components.scheduler.leader import LeaderLock
from app.components.worker.queues import task_catalog
from app.core.config import Settings
from app.core.redis import create_redis_pool
from app.core.topology import Topology
from app.services.scheduler import control
from app.services.scheduler.mirror import JobMirror, PublishedJob
from app.services.scheduler.runs import SchedulerRuns
from app.services.tasks.services import TaskServices

log = structlog.get_logger(__name__)

# How often a standby tries the lock: with a dead leader's lock released at
# once, it takes over within this, well inside the 15 s promised.
STANDBY_RETRY_S = 2.0
# A firing that APScheduler finds late by more than this is skipped.
MISFIRE_GRACE_S = 60
# Firings under way at shutdown get this long to finish.
DRAIN_S = 10.0
# And the job store this long to save its last changes.
SAVE_S = 5.0
# Published jobs are refreshed at least this often, and on every change.
PUBLISH_EVERY_S = 30.0


class SchedulerProcess:
    def __init__(self, settings: Settings, topology: Topology) -> None:
        self.settings = settings
        self.topology = topology
        self.instance = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.services = TaskServices.open(
            settings,
            catalog=task_catalog(),
            topology=topology,
            redis=Redis(connection_pool=create_redis_pool(settings, retries="patient")),
        )
        self.runs = SchedulerRuns(self.services.database)
        self.mirror = JobMirror(self.services.database)
        self.lock = LeaderLock(settings.postgres_dsn)
        self.specs = {spec.id: spec for spec in job_specs(settings)}
        self.stopping = asyncio.Event()
        self.changed = asyncio.Event()
        self.beat_interval_s = topology.scheduler.heartbeat_interval_s
        self.leading_since: datetime | None = None

    async def run(self) -> None:
        """Until SIGTERM or SIGINT: stand by, or lead."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        log.info("scheduler starting", instance=self.instance)
        try:
            while not self.stopping.is_set():
                if await self._acquire():
                    await self._lead()
                else:
                    await self._beat(control.standby_key(self.instance), leader=False)
                    await self._pause(STANDBY_RETRY_S)
        finally:
            await self.services.redis.delete(control.standby_key(self.instance))
            await self.lock.release()
            await self.services.close()
            log.info("scheduler stopped", instance=self.instance)

    async def _acquire(self) -> bool:
        try:
            return await self.lock.try_acquire()
        except Exception:  # database away: stand by and try again
            log.warning("cannot reach PostgreSQL for the leader lock", exc_info=True)
            return False

    async def _lead(self) -> None:
        try:
            store = await PostgresJobStore.open(await self.services.database.pool())
        except Exception:  # database away again: let go, stand by, retry
            log.warning("cannot load the scheduler's jobs", exc_info=True)
            await self.lock.release()
            await self._pause(STANDBY_RETRY_S)
            return
        log.info("leading", instance=self.instance)
        self.leading_since = datetime.now(UTC)
        await self.services.redis.delete(control.standby_key(self.instance))
        # Before the first heartbeat as leader, which senders wait for.
        commands_after = await control.newest_command_id(self.services.redis)
        runner = FiringRunner(
            SchedulerContext(self.settings, self.topology, self.services),
            self.runs,
            self.instance,
            on_fired=self.changed.set,
        )
        executor = RecordingExecutor(runner)
        scheduler = AsyncIOScheduler(
            jobstores={"default": store},
            executors={"default": executor},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_S,
            },
            timezone=self.settings.SCHEDULER_TIMEZONE,
        )
        scheduler.start(paused=True)
        try:
            self._align_jobs(scheduler)
            scheduler.resume()
            await self._publish(scheduler)
            await self._while_leading(scheduler, runner, commands_after)
        finally:
            scheduler.shutdown(wait=False)
            await executor.drain(DRAIN_S)
            await store.close(SAVE_S)
            await self.services.redis.delete(control.LEADER)
            await self.lock.release()
            self.leading_since = None
            log.info("no longer leading", instance=self.instance)

    def _align_jobs(self, scheduler: AsyncIOScheduler) -> None:
        """Make the job store match the code: add missing jobs, drop unknown
        ones, and with SCHEDULER_FORCE_UPDATE replace the persisted ones."""
        persisted = {job.id for job in scheduler.get_jobs()}
        force = self.settings.SCHEDULER_FORCE_UPDATE
        for spec in self.specs.values():
            if spec.id in persisted and not force:
                continue
            scheduler.add_job(
                spec.action,
                trigger=spec.trigger,
                args=spec.args,
                id=spec.id,
                name=spec.name,
                replace_existing=True,
            )
        for job_id in persisted - self.specs.keys():
            log.info("removing a job no longer defined in code", job_id=job_id)
            scheduler.remove_job(job_id)

    async def _while_leading(
        self, scheduler: AsyncIOScheduler, runner: FiringRunner, commands_after: str
    ) -> None:
        tasks = [
            asyncio.create_task(self._keep_lead()),
            asyncio.create_task(
                self._serve_commands(scheduler, runner, commands_after)
            ),
            asyncio.create_task(self._publish_on_change(scheduler)),
            asyncio.create_task(self.stopping.wait()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _keep_lead(self) -> None:
        """Heartbeat while the lock's session answers; return when it does not."""
        while await self.lock.still_held():
            await self._beat(control.LEADER, leader=True)
            await asyncio.sleep(self.beat_interval_s / 3)
        log.warning("lost the leader lock: stepping down", instance=self.instance)

    async def _beat(self, key: str, *, leader: bool) -> None:
        beat = {
            "instance": self.instance,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "leader": leader,
            "since": self.leading_since.isoformat() if self.leading_since else None,
            "beat_at": datetime.now(UTC).isoformat(),
            "heartbeat_interval_s": self.beat_interval_s,
        }
        try:
            await self.services.redis.set(
                key, json.dumps(beat), px=int(self.beat_interval_s * 1000)
            )
        except Exception:  # Redis away: the heartbeat resumes with it
            log.warning("heartbeat not written", exc_info=True)

    async def _serve_commands(
        self, scheduler: AsyncIOScheduler, runner: FiringRunner, last_id: str
    ) -> None:
        """Answer each command sent after `last_id`, in order."""
        while True:
            try:
                reply = await self.services.redis.xread(
                    {control.COMMANDS: last_id}, count=10, block=1000
                )
            except Exception:  # Redis away: keep trying
                log.warning("cannot read scheduler commands", exc_info=True)
                await asyncio.sleep(1)
                continue
            for _, entries in reply:
                for entry_id, fields in entries:
                    last_id = entry_id
                    command = json.loads(fields["data"])
                    outcome = await self._execute(scheduler, runner, command)
                    await control.answer(self.services.redis, command["id"], outcome)
                    self.changed.set()

    async def _execute(
        self, scheduler: AsyncIOScheduler, runner: FiringRunner, command: dict
    ) -> dict[str, Any]:
        action, job_id = command["action"], command["job_id"]
        log.info("scheduler command", action=action, job_id=job_id, by=command["by"])
        job = scheduler.get_job(job_id)
        if job is None:
            return {"ok": False, "code": "not_found", "error": f"no job {job_id!r}"}
        try:
            if action == "pause":
                scheduler.pause_job(job_id)
            elif action == "resume":
                scheduler.resume_job(job_id)
            elif action == "trigger":
                run = await runner.fire(job, datetime.now(UTC), trigger="manual")
                return {"ok": True, "job": self._describe(job), "run": run}
            else:
                return {
                    "ok": False,
                    "code": "bad_action",
                    "error": f"no action {action!r}",
                }
        except JobLookupError:
            return {"ok": False, "code": "not_found", "error": f"no job {job_id!r}"}
        updated = scheduler.get_job(job_id)
        return {"ok": True, "job": self._describe(updated) if updated else None}

    async def _publish_on_change(self, scheduler: AsyncIOScheduler) -> None:
        while True:
            try:
                async with asyncio.timeout(PUBLISH_EVERY_S):
                    await self.changed.wait()
            except TimeoutError:
                pass
            self.changed.clear()
            await self._publish(scheduler)
            await asyncio.sleep(1)  # at most one publication a second

    async def _publish(self, scheduler: AsyncIOScheduler) -> None:
        try:
            await self.mirror.publish(
                [self._published(job) for job in scheduler.get_jobs()]
            )
        except Exception:  # database away: the next change publishes again
            log.warning("scheduler jobs not published", exc_info=True)

    def _published(self, job: Job) -> PublishedJob:
        spec: JobSpec | None = self.specs.get(job.id)
        return PublishedJob(
            id=job.id,
            name=job.name,
            description=spec.description if spec else "",
            kind=spec.kind if spec else "unknown",
            schedule=spec.schedule if spec else str(job.trigger),
            next_run_at=job.next_run_time,
            paused=job.next_run_time is None,
        )

    def _describe(self, job: Job) -> dict[str, Any]:
        published = self._published(job)
        return {
            "id": published.id,
            "paused": published.paused,
            "next_run_at": published.next_run_at.isoformat()
            if published.next_run_at
            else None,
        }

    async def _pause(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await self.stopping.wait()
        except TimeoutError:
            pass
