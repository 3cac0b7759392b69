"""`sector-7g auth`: accounts from the command line.

Heavy imports live in the commands: every process starts through this CLI, see
app/cli/main.py.
"""

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError
from rich.table import Table

from app.cli.console import console, fail
from app.core.config import Settings, SettingsError, load_settings, read_secret_file

if TYPE_CHECKING:
    from app.models.user import User, UserCreate

app = typer.Typer(help="User accounts: create and list.", no_args_is_help=True)


@app.command("create-user")
def create_user(
    email: str,
    admin: bool = typer.Option(False, "--admin", help="Grant administrator rights."),
    password_file: Path | None = typer.Option(
        None,
        help="Read the password from this file instead of prompting ('-': from "
        "standard input, which also works where /dev/stdin cannot be reopened).",
    ),
    full_name: str | None = typer.Option(None, help="The person's name."),
) -> None:
    """Create an account; prompts for the password unless --password-file is given."""
    from app.models.user import UserCreate
    from app.services.auth import users

    settings = load_settings()
    try:
        data = UserCreate(
            email=email, password=_password(password_file), full_name=full_name
        )
    except (ValidationError, SettingsError) as error:
        message = (
            describe_validation_error(error)
            if isinstance(error, ValidationError)
            else str(error)
        )
        fail(message)
    try:
        user = asyncio.run(_create(settings, data, admin))
    except users.EmailTakenError:
        fail(f"an account with email {data.email} already exists")
    role = "administrator" if admin else "user"
    console.print(f"created {role} [bold]{user.email}[/bold] (id {user.id})")


@app.command("list-users")
def list_users() -> None:
    """List every account."""
    table = Table("id", "email", "name", "active", "admin", "created")
    for user in asyncio.run(_all_users(load_settings())):
        table.add_row(
            str(user.id),
            user.email,
            user.full_name or "",
            "yes" if user.is_active else "no",
            "yes" if user.is_admin else "no",
            f"{user.created_at:%Y-%m-%d %H:%M}" if user.created_at else "",
        )
    console.print(table)


def _password(password_file: Path | None) -> str:
    if password_file == Path("-"):
        return sys.stdin.read().rstrip("\r\n")
    if password_file is not None:
        return read_secret_file(password_file, "--password-file")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


async def _create(settings: Settings, data: "UserCreate", admin: bool) -> "User":
    from app.core.db import Database
    from app.services.auth import users

    database = Database(settings)
    try:
        async with database.get_async_session() as session:
            return await users.create_user(session, data, is_admin=admin)
    finally:
        await database.dispose()


async def _all_users(settings: Settings) -> "list[User]":
    from app.core.db import Database
    from app.services.auth import users

    database = Database(settings)
    try:
        async with database.get_async_session() as session:
            return await users.list_users(session)
    finally:
        await database.dispose()


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each invalid field and what is wrong with it."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{field}: {message}" if field else message)
    return "; ".join(problems)
