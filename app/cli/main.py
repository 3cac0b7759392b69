"""`sector-7g`: the command line of the plant.

Every command but the three process roles (which app/cli/launch.py starts
without Typer) comes through here, migrations included, so importing it
imports every command module. Those modules therefore import their heavy
dependencies inside the commands that use them: what a command does not use,
its process should not load (tests/cli/test_cli_imports.py keeps it so).
"""

import typer

from app.cli import (
    auth,
    config,
    db,
    deploy,
    health,
    processes,
    scheduler,
    stack,
    tasks,
    topology,
)
from app.cli.launch import exit_on_configuration_error
from app.core.config import SettingsError

cli = typer.Typer(
    name="sector-7g",
    help="Run and manage the Sector 7G service stack.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
cli.add_typer(db.app, name="db")
cli.add_typer(auth.app, name="auth")
cli.add_typer(config.app, name="config")
cli.add_typer(tasks.app, name="tasks")
cli.add_typer(topology.app, name="topology")
cli.add_typer(scheduler.app, name="scheduler")
cli.add_typer(health.app, name="health")
cli.add_typer(deploy.app, name="deploy")
cli.command()(processes.webserver)
# `migrate` as a role, as images and units start it (the same as `db migrate`).
cli.command("migrate", help="Apply database migrations (the same as `db migrate`).")(
    db.migrate
)
cli.command()(processes.worker)
cli.command()(stack.up)


def main() -> None:
    try:
        cli()
    except SettingsError as error:
        exit_on_configuration_error(error)
