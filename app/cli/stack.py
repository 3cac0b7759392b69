"""`sector-7g up`: the whole stack on this machine."""

from pathlib import Path

import typer

from app.cli.console import console
from app.core.config import load_settings


def up(
    data_dir: Path = typer.Option(
        Path(".data"), help="Where the local PostgreSQL and Redis keep their data."
    ),
) -> None:
    """Start PostgreSQL, Redis and the app's processes here; Ctrl-C stops all.

    PostgreSQL (port 5432) and Redis (port 6379, append-only file) start from
    the binaries on PATH unless DATABASE_URL or REDIS_URL is set, in which case
    those servers are used as they are. Migrations run before the app starts.
    """
    from app.core.log import configure_logging
    from app.devstack.stack import run_stack

    settings = load_settings()
    configure_logging(json=settings.log_json, level=settings.LOG_LEVEL)
    code = run_stack(
        settings,
        data_dir.resolve(),
        lambda line: console.print(f"[bold]up[/bold] {line}"),
    )
    raise typer.Exit(code)
