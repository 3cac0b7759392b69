"""Shared terminal output for the CLI: rich on a terminal, plain in a pipe."""

from typing import NoReturn

import typer
from rich.console import Console

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line to stderr and exit with `code`."""
    errors.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)
