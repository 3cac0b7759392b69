"""`sector-7g health`: the stack's health, from where you stand.

`check` runs every component check from this process (with this host's
settings, so no token is needed) and asks the webserver whether it answers.
Exit codes, for scripts: 0 healthy (warnings included), 1 unhealthy, 2 the
webserver unreachable.

Heavy imports live in the commands: every process starts through this CLI, see
app/cli/main.py.
"""

import asyncio
import json
import os
from typing import TYPE_CHECKING

import typer
from rich.tree import Tree

from app.cli.console import console
from app.core.config import Settings, load_settings
from app.core.topology import load_topology
from app.services.health.tree import Component, Status

if TYPE_CHECKING:
    from app.services.health.service import HealthReport

app = typer.Typer(
    help="Health of the stack: check, quick, probe.", no_args_is_help=True
)

CPU_SAMPLE_S = 0.25
EXIT_UNHEALTHY = 1
EXIT_UNREACHABLE = 2
COLOURS = {
    Status.HEALTHY: "green",
    Status.INFO: "blue",
    Status.WARNING: "yellow",
    Status.UNHEALTHY: "red",
}


@app.command()
def check(
    detailed: bool = typer.Option(False, "--detailed", help="Every check's findings."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a tree."),
    url: str | None = typer.Option(
        None, help="The webserver to ask (default: this host's HOST and PORT)."
    ),
) -> None:
    """The health tree; exit 0 healthy, 1 unhealthy, 2 webserver unreachable."""
    settings = load_settings()
    report, webserver = asyncio.run(_assess(settings, url))
    if as_json:
        body = report.detailed() if detailed else report.summary()
        typer.echo(json.dumps({**body, "webserver": webserver}, indent=2, default=str))
    else:
        console.print(_tree(report, webserver, detailed=detailed))
    raise typer.Exit(_exit_code(report, webserver))


@app.command()
def quick(
    url: str | None = typer.Option(None, help="The webserver to ask."),
) -> None:
    """No output, only the exit code: 0 healthy, 1 unhealthy, 2 unreachable."""
    report, webserver = asyncio.run(_assess(load_settings(), url))
    raise typer.Exit(_exit_code(report, webserver))


@app.command()
def probe(
    role: str = typer.Argument(help="webserver, scheduler or worker."),
    queue: str | None = typer.Argument(None, help="The worker's queue."),
) -> None:
    """Whether this host's process of `role` is alive, for a container's
    healthcheck: the webserver answers /health/live; the scheduler and a
    queue's worker have a fresh heartbeat naming this host. Exit 0 or 1."""
    import socket

    settings = load_settings()
    if role == "webserver":
        alive = _answers(f"http://127.0.0.1:{settings.PORT}/health/live")
    elif role in ("scheduler", "worker"):
        if (role == "worker") != (queue is not None):
            raise typer.BadParameter("a worker needs its queue; nothing else takes one")
        alive = _beats_here(settings, queue, socket.gethostname())
    else:
        raise typer.BadParameter(f"unknown role {role!r}")
    raise typer.Exit(0 if alive else 1)


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=3).status_code == 200
    except httpx.TransportError:
        return False


def _beats_here(settings: Settings, queue: str | None, host: str) -> bool:
    import redis

    from app.services.heartbeats import scheduler_beats, worker_beats

    with redis.Redis.from_url(settings.redis_dsn, socket_timeout=3) as client:
        try:
            beats = worker_beats(client, queue) if queue else scheduler_beats(client)
            return any(beat.get("host") == host for beat in beats)
        except redis.RedisError:
            return False


async def _assess(settings: Settings, url: str | None) -> "tuple[HealthReport, dict]":
    from redis.asyncio import Redis

    from app.core.db import Database
    from app.core.redis import create_redis_pool
    from app.services.health.service import HealthService

    base = url or f"http://{settings.HOST}:{settings.PORT}"
    database = Database(settings)
    redis = Redis(connection_pool=create_redis_pool(settings))
    service = HealthService(settings, database, redis, load_topology(os.environ))
    try:
        # The CPU share is measured between two readings: give it a moment.
        webserver, _ = await asyncio.gather(
            _webserver(base), asyncio.sleep(CPU_SAMPLE_S)
        )
        report = await service.report()
    finally:
        await service.close()
        await redis.aclose(close_connection_pool=True)
        await database.dispose()
    return report, webserver


async def _webserver(base: str) -> dict:
    import httpx

    try:
        async with httpx.AsyncClient(timeout=3) as http:
            response = await http.get(f"{base.rstrip('/')}/health/live")
        return {"url": base, "reachable": response.status_code == 200}
    except httpx.HTTPError as error:
        return {"url": base, "reachable": False, "error": type(error).__name__}


def _exit_code(report: "HealthReport", webserver: dict) -> int:
    if not webserver["reachable"]:
        return EXIT_UNREACHABLE
    return 0 if report.healthy else EXIT_UNHEALTHY


def _label(name: str, component: Component) -> str:
    colour = COLOURS[component.status]
    message = f" - {component.message}" if component.message else ""
    return f"[{colour}]{component.status}[/{colour}] [bold]{name}[/bold]{message}"


def _tree(report: "HealthReport", webserver: dict, *, detailed: bool) -> Tree:
    tree = Tree(_label("sector-7g", report.root), highlight=False)
    reachable = webserver["reachable"]
    tree.add(
        f"[{'green' if reachable else 'red'}]"
        f"{'reachable' if reachable else 'unreachable'}[/] [bold]webserver[/bold] "
        f"- {webserver['url']}"
    )
    for name, component in report.root.components.items():
        _add(tree, name, component, detailed)
    return tree


def _add(parent: Tree, name: str, component: Component, detailed: bool) -> None:
    branch = parent.add(_label(name, component))
    if detailed:
        for key, value in component.metadata.items():
            if not isinstance(value, list | dict):
                branch.add(f"[dim]{key}[/dim] {value}")
    for child, sub in component.components.items():
        _add(branch, child, sub, detailed)
