"""Auth detail: how tokens are made, and the accounts (managed by admins)."""

import flet as ft

from app.components.frontend import format
from app.components.frontend.context import DashboardContext
from app.components.frontend.theme import status_colour
from app.components.frontend.widgets import (
    Pager,
    detail_page,
    muted,
    overview,
    section,
    table,
    tagged,
)
from app.models.user import User
from app.services.auth import users
from app.services.auth.accounts import (
    Accounts,
    AccountsUnavailableError,
    SelfLockoutError,
    UserNotFoundError,
)
from app.services.health.tree import Status

PAGE_SIZE = 25


class AuthDetail:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.accounts = Accounts(
            context.resources.database, context.resources.principals
        )
        self.summary = ft.Column()
        self.users = ft.Column()
        self.pager = Pager("users", self._load_users, PAGE_SIZE)
        # The account whose delete button was pressed once, awaiting the second.
        self.confirming: int | None = None
        body: list[ft.Control] = [self.summary]
        if context.user.is_admin:
            body.append(section("Users", self.pager.control, self.users))
        else:
            body.append(
                section("Users", muted("User management is for administrators."))
            )
        self.control = detail_page(*body)

    async def refresh(self) -> None:
        component = (await self.context.report()).root.components.get("auth")
        if component is not None:
            meta = component.metadata
            self.summary.controls = [
                overview(
                    component.status,
                    component.message,
                    ("Users", str(meta.get("users", "-"))),
                    ("Active", str(meta.get("active_users", "-"))),
                    ("Admins", str(meta.get("admins", "-"))),
                    ("Algorithm", str(meta.get("algorithm", "-"))),
                    ("Token expiry", f"{meta.get('token_lifetime_minutes', '-')} min"),
                    ("Strong secret", "yes" if meta.get("secret_key_strong") else "no"),
                    (
                        "Registration",
                        "open" if meta.get("registration_open") else "closed",
                    ),
                )
            ]
        if self.context.user.is_admin:
            await self._load_users(self.pager.offset)

    def on_pulse(self) -> None:
        """Accounts do not move with job events."""

    async def _load_users(self, offset: int) -> None:
        async with self.context.resources.database.get_async_session(
            autocommit=True
        ) as session:
            page = await users.list_users(session, offset=offset, limit=PAGE_SIZE)
            total = await users.count_users(session)
        self.pager.show(offset, len(page), total)
        self.users.controls = [
            table(
                ["Email", "Name", "Role", "Active", "Created", "Actions"],
                [self._row(user) for user in page],
                identifier="users-table",
            )
        ]

    def _row(self, user: User) -> list[str | ft.Control]:
        assert user.id is not None
        user_id = user.id
        active = ft.Text(
            "on" if user.is_active else "off",
            color=status_colour(Status.HEALTHY if user.is_active else Status.WARNING),
        )
        toggle = "deactivate" if user.is_active else "activate"
        delete_id = "confirm" if self.confirming == user_id else "delete"
        actions = ft.Row(
            [
                tagged(
                    f"user-{user_id}-{toggle}",
                    ft.TextButton(
                        toggle.capitalize(), on_click=self._act(toggle, user_id)
                    ),
                ),
                tagged(
                    f"user-{user_id}-{delete_id}",
                    ft.TextButton(
                        "Confirm delete" if delete_id == "confirm" else "Delete",
                        on_click=self._act(delete_id, user_id),
                    ),
                ),
            ],
            spacing=0,
        )
        return [
            user.email,
            user.full_name or "",
            "admin" if user.is_admin else "user",
            tagged(f"user-{user_id}-active", active),
            format.relative(user.created_at),
            actions if user_id != self.context.user.id else muted("you"),
        ]

    def _act(self, action: str, user_id: int):
        async def act(_: ft.Event) -> None:
            if action == "delete":  # the first press only asks for a second
                self.confirming = user_id
                await self._load_users(self.pager.offset)
                return
            self.confirming = None
            admin = await self.context.admin()
            if admin is None:
                return
            try:
                match action:
                    case "activate":
                        await self.accounts.activate(admin, user_id)
                    case "deactivate":
                        await self.accounts.deactivate(admin, user_id)
                    case _:
                        await self.accounts.delete(admin, user_id)
            except (
                UserNotFoundError,
                SelfLockoutError,
                AccountsUnavailableError,
            ) as refused:
                await self._load_users(self.pager.offset)
                self.context.notify(str(refused), error=True)
                return
            await self._load_users(self.pager.offset)
            done = {"activate": "activated", "deactivate": "deactivated"}
            self.context.notify(f"User {user_id} {done.get(action, 'deleted')}")

        return act
