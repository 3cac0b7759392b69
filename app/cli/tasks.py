"""`sector-7g tasks`: list tasks, enqueue a job, follow it.

Heavy imports live in the commands: every process starts through this CLI, see
app/cli/main.py.
"""

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from app.cli.console import console, fail
from app.core.config import Settings, load_settings
from app.core.topology import load_topology
from app.services.tasks.catalog import TaskArgumentsError, TaskLookupError

if TYPE_CHECKING:
    from app.services.tasks.services import TaskServices

app = typer.Typer(help="Tasks and jobs: list, enqueue, status.", no_args_is_help=True)


@app.command("list")
def list_tasks(queue: str | None = typer.Option(None, help="Only this queue.")) -> None:
    """Every task, by queue, with its description."""
    from app.components.worker.queues import task_catalog

    catalog = task_catalog()
    if queue is not None and queue not in catalog.queues:
        fail(f"no queue named {queue!r}")
    table = Table("queue", "task", "description")
    for name, specs in catalog.queues.items():
        if queue in (None, name):
            for spec in specs:
                table.add_row(name, spec.name, spec.description)
    console.print(table)


@app.command()
def enqueue(
    task: str,
    queue: str | None = typer.Option(None, help="Defaults to the task's own queue."),
    arg: list[str] = typer.Option([], help="An option as key=value; repeatable."),
) -> None:
    """Queue one job of TASK; prints its job id."""
    options: dict[str, Any] = {}
    for item in arg:
        key, equals, value = item.partition("=")
        if not equals or not key:
            fail(f"--arg {item!r} is not key=value")
        options[key] = value

    async def run(services: "TaskServices") -> str:
        job = await services.dispatcher.enqueue(
            task, queue=queue, options=options, source="cli"
        )
        return job.job_id

    try:
        job_id = _with_services(load_settings(), run)
    except (TaskLookupError, TaskArgumentsError) as error:
        fail(str(error))
    console.print(job_id)


@app.command()
def status(job_id: str) -> None:
    """A job's status, attempts, times and error, as JSON."""

    async def run(services: "TaskServices") -> Any:
        return await services.history.get(job_id)

    found = _with_services(load_settings(), run)
    if found is None:
        fail(f"no job {job_id}")
    typer.echo(json.dumps(found.model_dump(mode="json"), indent=2))


def _with_services[T](
    settings: Settings, work: Callable[["TaskServices"], Awaitable[T]]
) -> T:
    from app.components.worker.queues import task_catalog
    from app.services.tasks.services import TaskServices

    async def main() -> T:
        services = TaskServices.open(
            settings, catalog=task_catalog(), topology=load_topology(os.environ)
        )
        try:
            return await work(services)
        finally:
            await services.close()

    return asyncio.run(main())
