"""`sector-7g deploy`: deployment files generated from the process table.

Heavy imports live in the commands: every process starts through this CLI, see
app/cli/main.py.
"""

import os
from pathlib import Path

import typer

from app.cli.console import console, fail

app = typer.Typer(help="Deployment files: compose.", no_args_is_help=True)


@app.command()
def compose(
    output: Path = typer.Option(
        Path("docker-compose.yml"), help="Where the Compose file goes."
    ),
    check: bool = typer.Option(
        False, help="Write nothing; fail when the file differs from the table."
    ),
) -> None:
    """Write docker-compose.yml from app/topology.toml (and the env's overrides)."""
    from app.core.topology import TopologyError, load_topology
    from app.deploy.compose import render

    try:
        text = render(load_topology(os.environ))
    except TopologyError as error:
        fail(str(error))
    if check:
        current = output.read_text() if output.exists() else None
        if current != text:
            fail(f"{output} is stale: run `sector-7g deploy compose`")
        console.print(f"{output} matches the process table")
        return
    output.write_text(text)
    console.print(f"wrote {output}")
