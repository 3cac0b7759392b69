"""Process entry points as commands: what a unit, a container or `sector-7g up`
runs. A plain `sector-7g webserver` or `sector-7g worker <queue>` skips Typer
and runs the same functions from app/cli/launch.py.
"""

import typer

from app.cli.console import fail
from app.cli.launch import StartError, run_webserver, run_worker


def webserver() -> None:
    """Serve the API and the dashboard with uvicorn (HOST, PORT)."""
    run_webserver()


def worker(
    queue: str = typer.Argument(help="The queue to serve, e.g. homer."),
) -> None:
    """Run the arq worker of one queue until SIGTERM or Ctrl-C.

    On SIGTERM the worker takes no new jobs, lets running ones finish within
    the queue's grace period (shutdown_grace_s), and exits 0.
    """
    try:
        run_worker(queue)
    except StartError as error:
        fail(str(error))
