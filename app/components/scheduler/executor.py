"""Running a due job: claim its firing in the run history, then act.

APScheduler decides when a job is due; this executor decides whether it runs.
Each firing (job, scheduled time) is claimed as a row of the run history
before the job's action starts, and the row is unique: a firing that another
scheduler already claimed (after a failover) is not run again.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from apscheduler.executors.base import BaseExecutor
from apscheduler.job import Job

from app.components.scheduler.actions import SchedulerContext
from app.services.scheduler.runs import SchedulerRuns

log = structlog.get_logger(__name__)


class FiringRunner:
    """Runs one firing of a job and records it."""

    def __init__(
        self,
        context: SchedulerContext,
        runs: SchedulerRuns,
        instance: str,
        on_fired: Callable[[], None],
    ) -> None:
        self.context = context
        self.runs = runs
        self.instance = instance
        self.on_fired = on_fired

    async def fire(
        self, job: Job, scheduled_for: datetime, *, trigger: str
    ) -> dict[str, Any] | None:
        """The run's record, or None if this firing was already claimed."""
        with structlog.contextvars.bound_contextvars(job_id=job.id, trigger=trigger):
            run_id = await self.runs.claim(
                job.id, scheduled_for, trigger=trigger, instance=self.instance
            )
            if run_id is None:
                log.info("firing already claimed", scheduled_for=scheduled_for)
                return None
            try:
                result = await job.func(*job.args, context=self.context, **job.kwargs)
            except Exception as error:
                message = f"{type(error).__name__}: {error}"
                log.warning("scheduled job failed", error=message, exc_info=True)
                await self.runs.finish(run_id, error=message)
                outcome: dict[str, Any] = {"run_id": run_id, "error": message}
            else:
                log.info("scheduled job ran", result=result)
                await self.runs.finish(run_id, result=result)
                outcome = {"run_id": run_id, "result": result}
            self.on_fired()
            return outcome


class RecordingExecutor(BaseExecutor):
    """APScheduler's executor for this app: every firing through FiringRunner."""

    def __init__(self, runner: FiringRunner) -> None:
        super().__init__()
        self.runner = runner
        self.pending: set[asyncio.Task] = set()

    def start(self, scheduler: Any, alias: str) -> None:
        super().start(scheduler, alias)
        self._eventloop = scheduler._eventloop

    def shutdown(self, wait: bool = True) -> None:
        # Firings only enqueue jobs and take moments; the process awaits
        # `drain()` rather than cancelling them here.
        pass

    async def drain(self, timeout_s: float) -> None:
        if self.pending:
            await asyncio.wait(self.pending, timeout=timeout_s)

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        task = self._eventloop.create_task(self._fire_all(job, run_times))
        self.pending.add(task)
        task.add_done_callback(self._done(job.id))

    async def _fire_all(self, job: Job, run_times: list[datetime]) -> None:
        for scheduled_for in run_times:
            await self.runner.fire(job, scheduled_for, trigger="schedule")

    def _done(self, job_id: str) -> Callable[[asyncio.Task], None]:
        def done(task: asyncio.Task) -> None:
            self.pending.discard(task)
            if task.cancelled() or task.exception() is None:
                self._run_job_success(job_id, [])
            else:
                self._run_job_error(job_id, task.exception())

        return done
