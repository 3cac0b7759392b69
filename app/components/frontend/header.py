"""The header: the plant's overall status, the view and theme toggles, the user."""

from collections.abc import Awaitable, Callable

import flet as ft

from app.components.frontend.theme import ACCENT, status_colour
from app.components.frontend.widgets import muted, tagged
from app.services.auth.principals import Principal
from app.services.health.service import HealthReport
from app.services.health.tree import Status

Action = Callable[[], Awaitable[None]]

VIEW_ICONS = {
    "stack": ft.Icons.VIEW_LIST,
    "cards": ft.Icons.GRID_VIEW,
    "diagram": ft.Icons.ACCOUNT_TREE,
}


class Header:
    def __init__(
        self,
        user: Principal,
        *,
        next_view: Action,
        toggle_theme: Action,
        log_out: Action,
    ) -> None:
        self.status_dot = ft.Container(width=14, height=14, border_radius=7)
        self.status_text = ft.Text("checking", weight=ft.FontWeight.W_600)
        self.view_button = ft.OutlinedButton(
            "Stack",
            icon=VIEW_ICONS["stack"],
            tooltip="Next view",
            on_click=_on_click(next_view),
        )
        self.theme_button = ft.IconButton(
            ft.Icons.LIGHT_MODE,
            tooltip="Light or dark",
            on_click=_on_click(toggle_theme),
        )
        role = "admin" if user.is_admin else "user"
        self.control = ft.Container(
            ft.Row(
                [
                    ft.Icon(ft.Icons.FACTORY, color=ACCENT, size=28),
                    ft.Text("Sector 7G", size=22, weight=ft.FontWeight.BOLD),
                    tagged(
                        "overall-status",
                        ft.Row([self.status_dot, self.status_text], spacing=8),
                    ),
                    ft.Container(expand=True),
                    tagged("view-toggle", self.view_button),
                    tagged("theme-toggle", self.theme_button),
                    tagged("current-user", muted(f"{user.email} ({role})", 13)),
                    tagged(
                        "logout",
                        ft.IconButton(
                            ft.Icons.LOGOUT,
                            tooltip="Log out",
                            on_click=_on_click(log_out),
                        ),
                    ),
                ],
                spacing=16,
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            padding=ft.Padding.only(bottom=8),
        )

    def show_report(self, report: HealthReport) -> None:
        """ "6/7 healthy": how many top-level components are healthy."""
        components = report.root.components.values()
        healthy = sum(component.status == Status.HEALTHY for component in components)
        self.status_dot.bgcolor = status_colour(report.status)
        self.status_dot.tooltip = report.status
        self.status_text.value = f"{healthy}/{len(components)} healthy"

    def show_view(self, name: str) -> None:
        self.view_button.content = name.capitalize()
        self.view_button.icon = VIEW_ICONS[name]

    def show_theme(self, dark: bool) -> None:
        self.theme_button.icon = ft.Icons.LIGHT_MODE if dark else ft.Icons.DARK_MODE


def _on_click(action: Action) -> Callable[[ft.Event], Awaitable[None]]:
    async def handle(_: ft.Event) -> None:
        await action()

    return handle
