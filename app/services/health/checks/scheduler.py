"""The scheduler: is one leading and beating, its jobs, its recent failures."""

from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from app.core.config import Settings
from app.core.db import Database
from app.services.health.tree import Component, Status
from app.services.scheduler import control
from app.services.scheduler.mirror import JobMirror
from app.services.scheduler.runs import SchedulerRuns

UPCOMING = 5


async def check_scheduler(
    redis: Redis, database: Database, settings: Settings
) -> Component:
    leader = await control.SchedulerControl(redis).leader()
    standbys = [key async for key in redis.scan_iter(control.standby_key("*"))]
    jobs = await JobMirror(database).jobs()
    window = timedelta(minutes=settings.HEALTH_FAILURE_WINDOW_MINUTES)
    runs = await SchedulerRuns(database).statistics(window)
    upcoming = [job for job in jobs if not job.paused and job.next_run_at][:UPCOMING]
    metadata = {
        "leader": _leader(leader),
        "standbys": len(standbys),
        "total_jobs": len(jobs),
        "paused_jobs": sum(job.paused for job in jobs),
        "recent_runs": runs["runs"],
        "recent_failed_runs": runs["failed"],
        "upcoming": [
            {
                "id": job.id,
                "name": job.name,
                "schedule": job.schedule,
                "next_run_at": job.next_run_at.isoformat() if job.next_run_at else None,
            }
            for job in upcoming
        ],
    }
    if leader is None:
        return Component(
            status=Status.UNHEALTHY,
            message="no scheduler is leading",
            metadata=metadata,
        )
    status, message = Status.HEALTHY, f"leading: {leader['instance']}"
    if runs["failed"]:
        status = Status.WARNING
        message += f"; {runs['failed']} failed runs recently"
    return Component(status=status, message=message, metadata=metadata)


def _leader(beat: dict | None) -> dict | None:
    if beat is None:
        return None
    age = datetime.now(UTC) - datetime.fromisoformat(beat["beat_at"])
    return {
        "instance": beat["instance"],
        "host": beat["host"],
        "pid": beat["pid"],
        "since": beat.get("since"),
        "heartbeat_age_s": round(age.total_seconds(), 1),
    }
