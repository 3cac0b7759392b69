"""`sector-7g config`: every setting, its value and its default."""

import typer
from pydantic import SecretStr
from pydantic_core import PydanticUndefined
from rich.table import Table

from app.cli.console import console
from app.core.config import SECRET_SETTINGS, Settings, load_settings

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
    for name, field in Settings.model_fields.items():
        table.add_row(
            name,
            _shown(name, getattr(settings, name)),
            default_text(name),
            field.description or "",
        )
    console.print(table)


def default_text(name: str) -> str:
    default = Settings.model_fields[name].get_default(call_default_factory=True)
    if default is PydanticUndefined or default is None or default == []:
        return "(unset)"
    if name in SECRET_SETTINGS:
        return "(development key)" if isinstance(default, SecretStr) else "(unset)"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, tuple):
        return ",".join(f"{part:g}" for part in default)
    return str(default)


def settings_markdown() -> str:
    """The README's settings table, generated from the fields."""
    lines = ["| Setting | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = default_text(name)
        shown = default if default.startswith("(") else f"`{default}`"
        lines.append(f"| `{name}` | {shown} | {field.description} |")
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
