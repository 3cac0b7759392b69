"""`/api/v1/scheduler`: the scheduler's jobs, runs and statistics; control for
administrators. Read from what the leader publishes, steered through Redis:
the webserver never opens APScheduler's job store."""

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from app.components.backend.api.deps import AdminUser, CurrentUser, ResourcesDep
from app.components.backend.api.params import PageLimit, PageOffset
from app.components.backend.api.route_table import RouteTable
from app.components.backend.errors import ApiError
from app.models.scheduler import ScheduledJob, SchedulerRun
from app.services.scheduler.control import (
    SchedulerCommandError,
    SchedulerControl,
    SchedulerUnavailableError,
)
from app.services.scheduler.mirror import JobMirror
from app.services.scheduler.runs import SchedulerRuns

routes = RouteTable("/scheduler", tags=["scheduler"])

STATISTICS_WINDOW = timedelta(hours=24)


class JobOut(BaseModel):
    id: str
    name: str
    description: str
    kind: str
    schedule: str
    next_run_at: datetime | None
    paused: bool
    published_at: datetime | None

    @classmethod
    def of(cls, job: ScheduledJob) -> "JobOut":
        return cls.model_validate(job, from_attributes=True)


class RunOut(BaseModel):
    id: int
    job_id: str
    scheduled_for: datetime | None
    trigger: str
    instance: str
    outcome: str
    result: Any
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, run: SchedulerRun) -> "RunOut":
        return cls.model_validate(run, from_attributes=True)


class RunPageOut(BaseModel):
    items: list[RunOut]
    total: int
    offset: int
    limit: int


class CommandOut(BaseModel):
    job: JobOut
    run: dict[str, Any] | None = None


@routes.get("/jobs", response_model=list[JobOut])
async def list_jobs(resources: ResourcesDep, user: CurrentUser):
    """Every scheduled job: schedule, next run, paused or not."""
    return [JobOut.of(job) for job in await JobMirror(resources.database).jobs()]


@routes.get("/jobs/{job_id}", response_model=JobOut)
async def get_job(job_id: str, resources: ResourcesDep, user: CurrentUser):
    """One scheduled job."""
    return JobOut.of(await _job(resources, job_id))


@routes.get("/runs", response_model=RunPageOut)
async def runs(
    resources: ResourcesDep,
    user: CurrentUser,
    job_id: str | None = None,
    offset: PageOffset = 0,
    limit: PageLimit = 25,
):
    """Run history, newest first; of one job with `job_id`."""
    page = await SchedulerRuns(resources.database).page(
        job_id=job_id, offset=offset, limit=limit
    )
    return RunPageOut(
        items=[RunOut.of(run) for run in page.items],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@routes.get("/statistics")
async def statistics(resources: ResourcesDep, user: CurrentUser) -> dict[str, Any]:
    """The leader, job counts, and the last day's runs by outcome and job."""
    jobs = await JobMirror(resources.database).jobs()
    return {
        "leader": await SchedulerControl(resources.redis).leader(),
        "jobs": {
            "total": len(jobs),
            "paused": sum(job.paused for job in jobs),
            "active": sum(not job.paused for job in jobs),
        },
        "runs": await SchedulerRuns(resources.database).statistics(STATISTICS_WINDOW),
    }


@routes.post("/jobs/{job_id}/pause", response_model=CommandOut)
async def pause(job_id: str, resources: ResourcesDep, admin: AdminUser):
    """Stop a job from firing until it is resumed; survives restarts."""
    return await _command(resources, "pause", job_id, admin.id)


@routes.post("/jobs/{job_id}/resume", response_model=CommandOut)
async def resume(job_id: str, resources: ResourcesDep, admin: AdminUser):
    """Let a paused job fire again."""
    return await _command(resources, "resume", job_id, admin.id)


@routes.post("/jobs/{job_id}/trigger", response_model=CommandOut)
async def trigger(job_id: str, resources: ResourcesDep, admin: AdminUser):
    """Run a job once, now, whatever its schedule or state."""
    return await _command(resources, "trigger", job_id, admin.id)


async def _job(resources: ResourcesDep, job_id: str) -> ScheduledJob:
    job = await JobMirror(resources.database).job(job_id)
    if job is None:
        raise ApiError(404, f"no scheduled job {job_id!r}")
    return job


async def _command(
    resources: ResourcesDep, action: str, job_id: str, user_id: int
) -> CommandOut:
    await _job(resources, job_id)
    try:
        outcome = await SchedulerControl(resources.redis).send(
            action, job_id, by=f"user:{user_id}"
        )
    except SchedulerUnavailableError as error:
        raise ApiError(503, str(error)) from None
    except SchedulerCommandError as error:
        status = 404 if error.code == "not_found" else 400
        raise ApiError(status, str(error), code=error.code) from None
    job = await _job(resources, job_id)
    if action != "trigger":
        job = _as_commanded(job, outcome)
    return CommandOut(job=JobOut.of(job), run=outcome.get("run"))


def _as_commanded(job: ScheduledJob, outcome: dict[str, Any]) -> ScheduledJob:
    """The job as the leader reported it just now: the published copy may be
    a moment behind."""
    state = outcome.get("job") or {}
    next_run = state.get("next_run_at")
    return job.model_copy(
        update={
            "paused": bool(state.get("paused")),
            "next_run_at": datetime.fromisoformat(next_run) if next_run else None,
        }
    )
