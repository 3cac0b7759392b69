"""`sector-7g topology`: the process table, as this deployment runs it."""

import json
import os

import msgspec
import typer
from rich.table import Table

from app.cli.console import console, fail
from app.core.topology import TopologyError, load_topology

app = typer.Typer(help="The process table: show it.", no_args_is_help=True)


@app.command()
def show(
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
) -> None:
    """Every process with its numbers, overrides from the environment applied."""
    try:
        topology = load_topology(os.environ)
    except TopologyError as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(msgspec.to_builtins(topology), indent=2))
        return
    table = Table(
        "process",
        "max jobs",
        "timeout s",
        "tries",
        "heartbeat s",
        "memory MiB",
        "CPU %",
    )
    web, scheduler = topology.webserver, topology.scheduler
    table.add_row(
        "webserver", "", "", "", "", str(web.memory_max_mib), str(web.cpu_quota_percent)
    )
    table.add_row(
        "scheduler",
        "",
        "",
        "",
        f"{scheduler.heartbeat_interval_s:g}",
        str(scheduler.memory_max_mib),
        str(scheduler.cpu_quota_percent),
    )
    for queue in topology.queues.values():
        table.add_row(
            queue.service_name,
            str(queue.max_jobs),
            str(queue.job_timeout_s),
            str(queue.max_tries),
            f"{queue.heartbeat_interval_s:g}",
            str(queue.memory_max_mib),
            str(queue.cpu_quota_percent),
        )
    console.print(table)
    console.print(
        f"workers poll every {topology.workers.poll_delay_s:g} s; "
        f"retry back-off starts at {topology.workers.retry_backoff_s:g} s"
    )
