"""The `sector-7g` command's entry point, and the stack's processes.

A unit, a container or `sector-7g up` starts each process as `sector-7g
webserver`, `sector-7g scheduler` or `sector-7g worker <queue>`. Those three
run from here without loading Typer and the other commands, which would add
30 ms to every start and 1.3 MiB to every process. Any other command line
(options, `--help`, the other commands) goes to the Typer app, app.cli.main,
which offers the same three functions as commands.
"""

import os
import sys
from collections.abc import Callable
from typing import NoReturn

from app.core.config import SettingsError, load_settings
from app.core.topology import TopologyError, load_topology

# sysexits' EX_CONFIG: a unit can refuse to restart on it (RestartPreventExitStatus).
EXIT_CONFIG_ERROR = 78


class StartError(Exception):
    """A process that cannot start; the message says why, in one line."""


def run_webserver() -> None:
    """Serve the API and the dashboard with uvicorn (HOST, PORT)."""
    settings = load_settings()  # a bad configuration stops here, in one line
    from app.entrypoints.webserver import run

    run(settings)


def run_scheduler() -> None:
    """Run the scheduler process until SIGTERM."""
    settings = load_settings()
    from app.entrypoints.scheduler import run

    run(settings, load_topology(os.environ))


def run_worker(queue: str) -> None:
    """Run the arq worker of one queue until SIGTERM or Ctrl-C."""
    settings = load_settings()
    try:
        topology = load_topology(os.environ)
        topology.queue(queue)
    except TopologyError as error:
        raise StartError(str(error)) from None
    from app.entrypoints.worker import run

    run(queue, settings, topology)


def process_for(arguments: list[str]) -> Callable[[], None] | None:
    """The process these arguments start, or None for any other command."""
    match arguments:
        case ["webserver"]:
            return run_webserver
        case ["scheduler"]:
            return run_scheduler
        case ["worker", queue] if not queue.startswith("-"):
            return lambda: run_worker(queue)
    return None


def leave_out_rich() -> None:
    """Keep rich out of a service process: 3.9 MiB and 25 ms of its start.

    structlog imports rich whenever it is installed, for its rich tracebacks;
    the app's log formats never use them (plain tracebacks: app.core.log). The
    CLI needs rich for its tables; the processes of the stack do not."""
    if "rich" not in sys.modules:
        # None is how the import system marks a module absent (typeshed's
        # dict of modules does not say so): importing rich now fails at once.
        sys.modules["rich"] = None  # ty: ignore[invalid-assignment]


def exit_on_configuration_error(error: SettingsError) -> NoReturn:
    """One line on stderr, and the exit status a service manager reads."""
    print(f"sector-7g: configuration error: {error}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIG_ERROR)


def main() -> None:
    process = process_for(sys.argv[1:])
    if process is None:
        from app.cli.main import main as run_command

        run_command()
        return
    leave_out_rich()
    try:
        process()
    except SettingsError as error:
        exit_on_configuration_error(error)
    except StartError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
