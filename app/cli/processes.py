"""Process entry points: what a unit, a container or `sector-7g up` runs.

Heavy imports live in the commands: every process starts through this CLI, see
app/cli/main.py.
"""

import os

import typer

from app.cli.console import fail
from app.core.config import load_settings
from app.core.topology import TopologyError, load_topology


def webserver() -> None:
    """Serve the API and the dashboard with uvicorn (HOST, PORT)."""
    settings = load_settings()  # a bad configuration stops here, in one line
    from app.entrypoints.webserver import run

    run(settings)


def worker(
    queue: str = typer.Argument(help="The queue to serve, e.g. homer."),
) -> None:
    """Run the arq worker of one queue until SIGTERM or Ctrl-C.

    On SIGTERM the worker takes no new jobs, lets running ones finish within
    the queue's grace period (shutdown_grace_s), and exits 0.
    """
    settings = load_settings()
    try:
        topology = load_topology(os.environ)
        topology.queue(queue)
    except TopologyError as error:
        fail(str(error))
    from app.entrypoints.worker import run

    run(queue, settings, topology)
