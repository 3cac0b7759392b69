"""`sector-7g auth`: accounts from the command line."""

import asyncio
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.table import Table

from app.cli.console import console, fail
from app.core.config import Settings, load_settings
from app.core.config import read_secret_file as read_password_file

app = typer.Typer(help="User accounts: create and list.", no_args_is_help=True)


@app.command("create-user")
def create_user(
    email: str,
    admin: bool = typer.Option(False, "--admin", help="Grant administrator rights."),
    password_file: Path | None = typer.Option(
        None, help="Read the password from this file instead of prompting."
    ),
    full_name: str | None = typer.Option(None, help="The person's name."),
) -> None:
    """Create an account; prompts for the password unless --password-file is given."""
    from app.models.user import UserCreate

    settings = load_settings()
    if password_file is not None:
        password = read_password_file(password_file, "--password-file")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(email=email, password=password, full_name=full_name)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
        )
        fail(problems)
    user_id = asyncio.run(_create(settings, data, admin))
    role = "administrator" if admin else "user"
    console.print(f"created {role} [bold]{data.email}[/bold] (id {user_id})")


@app.command("list-users")
def list_users() -> None:
    """List every account."""
    rows = asyncio.run(_all_users(load_settings()))
    table = Table("id", "email", "name", "active", "admin", "created")
    for user in rows:
        table.add_row(
            str(user.id),
            user.email,
            user.full_name or "",
            "yes" if user.is_active else "no",
            "yes" if user.is_admin else "no",
            f"{user.created_at:%Y-%m-%d %H:%M}" if user.created_at else "",
        )
    console.print(table)


async def _create(settings: Settings, data, admin: bool) -> int | None:
    from app.core.db import Database
    from app.services.auth import users

    database = Database(settings)
    try:
        async with database.get_async_session() as session:
            user = await users.create_user(session, data, is_admin=admin)
            return user.id
    except users.EmailTakenError:
        fail(f"an account with email {data.email} already exists")
    finally:
        await database.dispose()


async def _all_users(settings: Settings) -> list:
    from app.core.db import Database
    from app.services.auth import users

    database = Database(settings)
    try:
        async with database.get_async_session() as session:
            items, _ = await users.list_users(session, offset=0, limit=10_000)
            return items
    finally:
        await database.dispose()
