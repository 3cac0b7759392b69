"""`/api/v1/tasks`: what the workers can do, and the jobs they did."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from app.components.backend.api.deps import CurrentUser, ResourcesDep
from app.components.backend.api.params import PageLimit, PageOffset
from app.components.backend.api.route_table import RouteTable
from app.components.backend.errors import ApiError
from app.models.task_history import TaskRun
from app.models.task_status import TaskStatus
from app.services.tasks.catalog import TaskArgumentsError, TaskLookupError
from app.services.tasks.dispatch import JobFinishedError, JobNotFoundError

routes = RouteTable("/tasks", tags=["tasks"])


class TaskInfo(BaseModel):
    name: str
    description: str
    options: dict[str, Any] = Field(description="JSON schema of the task's options")


class QueueInfo(BaseModel):
    name: str
    description: str
    tasks: list[TaskInfo]


class EnqueueRequest(BaseModel):
    task: str
    queue: str | None = Field(None, description="Defaults to the task's own queue.")
    options: dict[str, Any] = Field(default_factory=dict)


class JobStatus(BaseModel):
    job_id: str
    task: str
    queue: str
    status: TaskStatus
    source: str
    attempts: int
    error: str | None
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None

    @classmethod
    def of(cls, run: TaskRun) -> "JobStatus":
        return cls(job_id=run.id, **run.model_dump(exclude={"id"}))


class JobResult(BaseModel):
    job_id: str
    status: TaskStatus
    result: Any
    error: str | None


class HistoryPageOut(BaseModel):
    items: list[JobStatus]
    total: int
    offset: int
    limit: int


@routes.get("", response_model=list[QueueInfo])
async def list_tasks(
    resources: ResourcesDep, user: CurrentUser, queue: str | None = None
):
    """Every queue and the tasks it runs, with their options."""
    if queue is not None and queue not in resources.catalog.queues:
        raise ApiError(404, f"no queue named {queue!r}", code="unknown_queue")
    return [
        QueueInfo(
            name=name,
            description=resources.topology.queue(name).description,
            tasks=[
                TaskInfo(
                    name=spec.name,
                    description=spec.description,
                    options=spec.options.model_json_schema(),
                )
                for spec in specs
            ],
        )
        for name, specs in resources.catalog.queues.items()
        if queue in (None, name)
    ]


@routes.post("/enqueue", status_code=202, response_model=JobStatus)
async def enqueue(request: EnqueueRequest, resources: ResourcesDep, user: CurrentUser):
    """Queue a job of a task; its queue defaults to the task's own."""
    try:
        job = await resources.tasks.dispatcher.enqueue(
            request.task,
            queue=request.queue,
            options=request.options,
            source="api",
            enqueued_by=user.id,
        )
    except TaskLookupError as error:
        status = 400 if error.code == "task_not_in_queue" else 404
        raise ApiError(status, str(error), code=error.code) from None
    except TaskArgumentsError as error:
        raise ApiError(
            422, f"Invalid options: {error}", code="invalid_options"
        ) from None
    return JobStatus(
        job_id=job.job_id,
        task=job.task,
        queue=job.queue,
        status=TaskStatus.ENQUEUED,
        source="api",
        attempts=0,
        error=None,
        enqueued_at=job.enqueued_at,
        started_at=None,
        finished_at=None,
        duration_ms=None,
    )


@routes.get("/history", response_model=HistoryPageOut)
async def history(
    resources: ResourcesDep,
    user: CurrentUser,
    queue: str | None = None,
    status: Annotated[list[TaskStatus] | None, Query()] = None,
    offset: PageOffset = 0,
    limit: PageLimit = 25,
    order: Literal["newest", "oldest"] = "newest",
):
    """Jobs of every queue (or one), newest first, filtered by status."""
    page = await resources.tasks.history.page(
        queue=queue,
        statuses=status or (),
        offset=offset,
        limit=limit,
        newest_first=order == "newest",
    )
    return HistoryPageOut(
        items=[JobStatus.of(run) for run in page.items],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@routes.get("/{job_id}", response_model=JobStatus)
async def job_status(job_id: str, resources: ResourcesDep, user: CurrentUser):
    """Where a job is: enqueued, running, retrying, completed, failed, cancelled."""
    return await _job(resources, job_id)


@routes.get("/{job_id}/result", response_model=JobResult)
async def job_result(job_id: str, resources: ResourcesDep, user: CurrentUser):
    """A finished job's result (JSON), or its error; 409 while it is unfinished."""
    run = await resources.tasks.history.get(job_id)
    if run is None:
        raise ApiError(404, f"no job {job_id}")
    if not TaskStatus(run.status).is_final:
        raise ApiError(409, f"the job is {run.status}", code="not_finished")
    return JobResult(
        job_id=run.id, status=TaskStatus(run.status), result=run.result, error=run.error
    )


@routes.post("/{job_id}/cancel", response_model=JobStatus)
async def cancel(job_id: str, resources: ResourcesDep, user: CurrentUser):
    """Cancel a job: yours, or anyone's if you are an administrator."""
    run = await resources.tasks.history.get(job_id)
    if run is None:
        raise ApiError(404, f"no job {job_id}")
    if not user.is_admin and run.enqueued_by != user.id:
        raise ApiError(403, "Only its owner or an administrator may cancel a job")
    try:
        await resources.tasks.dispatcher.cancel(job_id)
    except JobNotFoundError:
        raise ApiError(404, f"no job {job_id}") from None
    except JobFinishedError as error:
        raise ApiError(409, str(error), code="already_finished") from None
    return await _job(resources, job_id)


async def _job(resources: ResourcesDep, job_id: str) -> JobStatus:
    run = await resources.tasks.history.get(job_id)
    if run is None:
        raise ApiError(404, f"no job {job_id}")
    return JobStatus.of(run)
