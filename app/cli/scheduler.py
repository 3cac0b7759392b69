"""`sector-7g scheduler`: run the scheduler, or look at and steer its jobs.

With no subcommand it runs the scheduler process (one instance leads, others
stand by). The subcommands talk to the leader through PostgreSQL and Redis,
as the API does.

Heavy imports live in the commands: every process starts through this CLI, see
app/cli/main.py.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from app.cli.console import console, fail
from app.cli.launch import run_scheduler
from app.core.config import Settings, load_settings

if TYPE_CHECKING:
    from app.core.db import Database
    from app.services.scheduler.control import SchedulerControl

app = typer.Typer(
    help="The scheduler: run it (no subcommand), or list, pause, resume, trigger.",
    invoke_without_command=True,
)


@app.callback()
def scheduler(ctx: typer.Context) -> None:
    """Run the scheduler process until SIGTERM (when no subcommand is given)."""
    if ctx.invoked_subcommand is None:
        run_scheduler()


@app.command("list")
def list_jobs() -> None:
    """Every scheduled job with its schedule and next run."""
    from app.services.scheduler.mirror import JobMirror

    async def work(database: "Database", _: "SchedulerControl") -> Any:
        return await JobMirror(database).jobs()

    settings = load_settings()
    jobs = _with(settings, work)
    zone = ZoneInfo(settings.SCHEDULER_TIMEZONE)
    table = Table("job", "kind", "schedule", f"next run ({zone.key})", "state")
    for job in jobs:
        next_run = job.next_run_at.astimezone(zone) if job.next_run_at else None
        table.add_row(
            job.id,
            job.kind,
            job.schedule,
            f"{next_run:%Y-%m-%d %H:%M:%S}" if next_run else "",
            "paused" if job.paused else "active",
        )
    console.print(table)


@app.command()
def pause(job_id: str) -> None:
    """Stop a job from firing until it is resumed (survives restarts)."""
    _command("pause", job_id)


@app.command()
def resume(job_id: str) -> None:
    """Let a paused job fire again."""
    _command("resume", job_id)


@app.command()
def trigger(job_id: str) -> None:
    """Run a job once, now, whatever its schedule or state."""
    _command("trigger", job_id)


def _command(action: str, job_id: str) -> None:
    from app.services.scheduler.control import (
        SchedulerCommandError,
        SchedulerUnavailableError,
    )

    async def work(_: "Database", control: "SchedulerControl") -> Any:
        return await control.send(action, job_id, by="cli")

    try:
        outcome = _with(load_settings(), work)
    except SchedulerUnavailableError as error:
        fail(str(error))
    except SchedulerCommandError as error:
        fail(str(error))
    job = outcome.get("job") or {}
    state = "paused" if job.get("paused") else f"next run {job.get('next_run_at')}"
    console.print(f"{action}: [bold]{job_id}[/bold] ({state})")


def _with[T](
    settings: Settings, work: Callable[["Database", "SchedulerControl"], Awaitable[T]]
) -> T:
    from redis.asyncio import Redis

    from app.core.db import Database
    from app.core.redis import create_redis_pool
    from app.services.scheduler.control import SchedulerControl

    async def main() -> T:
        database = Database(settings)
        redis = Redis(connection_pool=create_redis_pool(settings))
        try:
            return await work(database, SchedulerControl(redis))
        finally:
            await redis.aclose(close_connection_pool=True)
            await database.dispose()

    return asyncio.run(main())
