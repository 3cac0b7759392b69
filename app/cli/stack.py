"""`sector-7g up`: the whole stack on this machine."""

import os
from pathlib import Path

import typer

from app.cli.console import console
from app.core.config import load_settings


def up(
    data_dir: Path = typer.Option(
        Path(".data"), help="Where the local PostgreSQL and Redis keep their data."
    ),
    port: int = typer.Option(8080, help="Traefik's port: the URL to open."),
    api_port: int = typer.Option(8081, help="Traefik's API and ping (loopback)."),
    postgres_port: int = typer.Option(5432, help="The local PostgreSQL's port."),
    redis_port: int = typer.Option(6379, help="The local Redis's port."),
) -> None:
    """Run the whole stack here, in dependency order; Ctrl-C stops it all.

    Starts PostgreSQL and Redis (append-only, noeviction) from the binaries on
    PATH with their data under --data-dir, unless DATABASE_URL or REDIS_URL
    name servers of their own; applies the migrations; then the webserver (on
    PORT), Traefik in front of it, the scheduler and a worker per queue. Each
    starts once the one before is ready; their log lines carry their names; a
    process that crashes is restarted, waiting longer after each quick crash.
    Prints the URL to open. Ctrl-C or SIGTERM stops everything in reverse
    order within 15 s.
    """
    from app.core.log import configure_logging
    from app.devstack.stack import Ports, run_stack

    settings = load_settings()
    configure_logging(json=settings.log_json, level=settings.LOG_LEVEL)
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    code = run_stack(
        settings,
        data_dir,
        Ports(
            traefik=port,
            traefik_api=api_port,
            postgres=postgres_port,
            redis=redis_port,
        ),
        os.environ,
        lambda line: console.print(line, markup=False, highlight=False, soft_wrap=True),
    )
    raise typer.Exit(code)
