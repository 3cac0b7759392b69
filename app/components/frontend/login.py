"""The login form: the only thing an anonymous visitor sees."""

from collections.abc import Awaitable, Callable

import flet as ft

from app.components.frontend.theme import ACCENT, CARD_RADIUS
from app.components.frontend.widgets import muted, tagged

# Takes an email and a password; answers an error message, or None when in.
LogIn = Callable[[str, str], Awaitable[str | None]]


class LoginForm:
    def __init__(self, log_in: LogIn, notice: str = "") -> None:
        self.log_in = log_in
        self.email = ft.TextField(
            label="Email", autofocus=True, on_submit=self._submit, width=320
        )
        self.password = ft.TextField(
            label="Password",
            password=True,
            can_reveal_password=True,
            on_submit=self._submit,
            width=320,
        )
        self.message = ft.Text(notice, color=ft.Colors.ERROR)
        self.button = ft.Button("Log in", on_click=self._submit, width=320)
        self.control = ft.Container(
            ft.Container(
                ft.Column(
                    [
                        ft.Icon(ft.Icons.FACTORY, size=40, color=ACCENT),
                        ft.Text("Sector 7G", size=28, weight=ft.FontWeight.BOLD),
                        muted("Springfield Nuclear Power Plant - overseer", 14),
                        tagged("login-email", self.email),
                        tagged("login-password", self.password),
                        tagged("login-submit", self.button),
                        tagged("login-message", self.message),
                    ],
                    spacing=14,
                    tight=True,
                    horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                ),
                padding=32,
                border_radius=CARD_RADIUS,
                bgcolor=ft.Colors.SURFACE_CONTAINER,
            ),
            alignment=ft.Alignment.CENTER,
            expand=True,
        )

    async def _submit(self, _: ft.Event) -> None:
        email, password = (self.email.value or "").strip(), self.password.value or ""
        if not email or not password:
            self.message.value = "Enter your email and password."
            return
        self.button.disabled = True
        self.message.value = ""
        self.control.update()
        error = await self.log_in(email, password)
        if error is None:
            return  # the tab has moved on from this form
        self.button.disabled = False
        self.password.value = ""
        self.message.value = error
        self.control.update()
