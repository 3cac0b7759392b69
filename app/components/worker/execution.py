"""Running one job: the task wrapped in its lifecycle.

arq calls the wrapper; the wrapper records the attempt, enforces the queue's
time limit, and turns the outcome into a final status or a retry:

- success: completed, with the task's result;
- an exception, attempts left: retrying (arq runs it again after a back-off);
- an exception or the time limit, no attempts left: failed, with the error;
- cancelled by a user: cancelled; cancelled by a shutdown: retrying, and arq
  puts it back in the queue.

An attempt cut short by its worker (a crash or a shutdown) does not use up one
of the queue's max_tries: a job on a queue without retries still runs to an
outcome once. A job interrupted more than INTERRUPTIONS_FORGIVEN times (one
that keeps killing its worker, say) fails.
"""

import asyncio
import time
from functools import wraps
from typing import Any

import structlog
from arq import Retry
from arq.typing import WorkerCoroutine

from app.components.worker.runtime import JobRecorder, WorkerRuntime
from app.core.topology import QueueSpec, WorkersSpec
from app.models.task_status import TaskStatus
from app.services.tasks.catalog import TaskFunction

log = structlog.get_logger(__name__)

# The longest back-off between two attempts, whatever the attempt number.
MAX_BACKOFF_S = 60.0
INTERRUPTIONS_FORGIVEN = 3


class AttemptsExhaustedError(RuntimeError):
    """A new attempt of a job that has no attempts left."""


def with_lifecycle(
    task: TaskFunction, queue: QueueSpec, workers: WorkersSpec
) -> WorkerCoroutine:
    name = getattr(task, "__name__")  # a Callable type does not promise __name__

    @wraps(task)
    async def run(ctx: dict[str, Any], **options: Any) -> Any:
        runtime: WorkerRuntime = ctx["runtime"]
        attempt: int = ctx["job_try"]
        job = JobRecorder(runtime, job_id=ctx["job_id"], task=name)
        with structlog.contextvars.bound_contextvars(
            job_id=job.job_id, queue=queue.name, task=name, attempt=attempt
        ):
            await job.claim()
            interrupted = await job.interruptions() if attempt > 1 else 0
            tries = attempt - interrupted  # this one included
            if tries > queue.max_tries or interrupted > INTERRUPTIONS_FORGIVEN:
                error = (
                    f"no attempts left ({queue.max_tries} tries, "
                    f"{interrupted} interrupted)"
                )
                await job.finished(TaskStatus.FAILED, error=error)
                raise AttemptsExhaustedError(error)
            await job.started(attempt)
            started = time.perf_counter()
            try:
                async with asyncio.timeout(queue.job_timeout_s):
                    result = await task(ctx, **options)
            except asyncio.CancelledError:
                await _interrupted(job)
                raise
            except Exception as exc:
                error = _describe(exc, queue)
                if tries < queue.max_tries:
                    await job.retrying(error)
                    raise Retry(defer=_backoff_s(workers, attempt)) from exc
                await job.finished(
                    TaskStatus.FAILED, error=error, duration_ms=_since(started)
                )
                raise
            await job.finished(
                TaskStatus.COMPLETED, result=result, duration_ms=_since(started)
            )
            return result

    return run


async def _interrupted(job: JobRecorder) -> None:
    if await job.cancel_requested():
        await job.finished(TaskStatus.CANCELLED, error="cancelled while running")
    else:
        await job.interrupted()


def _describe(exc: Exception, queue: QueueSpec) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {queue.job_timeout_s} s"
    return f"{type(exc).__name__}: {exc}"


def _backoff_s(workers: WorkersSpec, attempt: int) -> float:
    return min(workers.retry_backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S)


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
