"""`sector-7g config`: every setting, its value and its default."""

import typer
from rich.table import Table

from app.cli.console import console
from app.core.config import (
    SECRET_SETTINGS,
    Secret,
    default_of,
    load_settings,
    setting_fields,
)

app = typer.Typer(help="Settings: show them.", no_args_is_help=True)


@app.command()
def show(
    markdown: bool = typer.Option(
        False, "--markdown", help="Print the defaults as the README's table."
    ),
) -> None:
    """Show every setting with its current value (secrets only as set/unset)."""
    if markdown:
        typer.echo(settings_markdown(), nl=False)
        return
    settings = load_settings()
    table = Table("setting", "value", "default", "meaning")
    for field in setting_fields():
        table.add_row(
            field.name,
            _shown(field.name, getattr(settings, field.name)),
            default_text(field.name),
            field.metadata["description"],
        )
    console.print(table)


def default_text(name: str) -> str:
    default = default_of(name)
    if default is None or default == []:
        return "(unset)"
    if name in SECRET_SETTINGS:
        return "(development key)" if isinstance(default, Secret) else "(unset)"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, tuple):
        return ",".join(f"{part:g}" for part in default)
    return str(default)


def settings_markdown() -> str:
    """The README's settings table, generated from the fields."""
    lines = ["| Setting | Default | Meaning |", "| --- | --- | --- |"]
    for field in setting_fields():
        default = default_text(field.name)
        shown = default if default.startswith("(") else f"`{default}`"
        lines.append(f"| `{field.name}` | {shown} | {field.metadata['description']} |")
    return "\n".join(lines) + "\n"


def _shown(name: str, value: object) -> str:
    if name in SECRET_SETTINGS:
        return "(set)" if value is not None else "(unset)"
    if isinstance(value, list | tuple):
        return (
            ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
            or "(unset)"
        )
    if value is None:
        return "(unset)"
    return str(value).lower() if isinstance(value, bool) else str(value)
