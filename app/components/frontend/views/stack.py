"""Stack: the components as a list with status dots, beside the activity feed."""

import flet as ft

from app.components.frontend import format
from app.components.frontend.components import KINDS, Kind
from app.components.frontend.context import DashboardContext
from app.components.frontend.pulse import Activity
from app.components.frontend.theme import CARD_RADIUS, GAP, SEVERITY_COLOURS
from app.components.frontend.widgets import dot, muted, tagged, title
from app.services.health.tree import Component

FEED_SHOWN = 40
SEVERITIES = ("all", "info", "success", "warning", "error")


class StackView:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.severity = "all"
        self.rows = ft.Column(spacing=2)
        self.feed = ft.ListView(spacing=2, expand=True)
        self.filter = ft.SegmentedButton(
            segments=[
                ft.Segment(value=name, label=ft.Text(name.capitalize()))
                for name in SEVERITIES
            ],
            selected=[self.severity],
            show_selected_icon=False,
            on_change=self._filter,
        )
        self.control = ft.Row(
            [
                panel(
                    "Components",
                    ft.Column([self.rows], scroll=ft.ScrollMode.AUTO, expand=True),
                ),
                panel(
                    "Activity",
                    ft.Column(
                        [
                            tagged("feed-filter", self.filter),
                            tagged("activity-feed", self.feed),
                        ],
                        spacing=8,
                        expand=True,
                    ),
                ),
            ],
            spacing=GAP,
            expand=True,
            vertical_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    async def refresh(self) -> None:
        report = await self.context.report()
        self.rows.controls = [
            self._row(kind, report.root.components.get(kind.key)) for kind in KINDS
        ]
        self.on_pulse()

    def on_pulse(self) -> None:
        shown = [
            activity
            for activity in reversed(self.context.pulse.activity)
            if self.severity == "all" or activity.severity == self.severity
        ][:FEED_SHOWN]
        self.feed.controls = [feed_line(activity) for activity in shown] or [
            muted("Nothing has happened yet.")
        ]

    async def _filter(self, event: ft.Event[ft.SegmentedButton]) -> None:
        self.severity = event.control.selected[0]
        self.on_pulse()

    def _row(self, kind: Kind, component: Component | None) -> ft.Control:
        async def open_detail(_: ft.Event) -> None:
            await self.context.open_detail(kind.key)

        status = component.status if component is not None else "info"
        message = component.message if component is not None else "not checked"
        return tagged(
            f"row-{kind.key}",
            ft.Container(
                ft.Row(
                    [
                        dot(status),
                        ft.Icon(kind.icon, size=20),
                        ft.Column(
                            [
                                ft.Text(kind.title, weight=ft.FontWeight.W_600),
                                muted(line(kind.subtitle(component), message)),
                            ],
                            spacing=0,
                            expand=True,
                        ),
                        ft.Text(status),
                    ],
                    spacing=12,
                ),
                padding=ft.Padding.symmetric(horizontal=12, vertical=8),
                border_radius=8,
                on_click=open_detail,
                ink=True,
            ),
        )


def panel(heading: str, body: ft.Control) -> ft.Container:
    return ft.Container(
        ft.Column([title(heading), body], spacing=12, expand=True),
        padding=16,
        border_radius=CARD_RADIUS,
        bgcolor=ft.Colors.SURFACE_CONTAINER,
        expand=True,
    )


def feed_line(activity: Activity) -> ft.Control:
    return ft.Row(
        [
            ft.Container(
                width=8,
                height=8,
                border_radius=4,
                bgcolor=SEVERITY_COLOURS[activity.severity],
            ),
            ft.Text(activity.source, weight=ft.FontWeight.W_600, width=110),
            ft.Text(
                activity.text,
                expand=True,
                max_lines=1,
                overflow=ft.TextOverflow.ELLIPSIS,
                tooltip=activity.text,
            ),
            muted(format.relative(activity.at)),
        ],
        spacing=8,
    )


def line(subtitle: str, message: str) -> str:
    """The technology and what its check said, without saying the same twice."""
    technology = subtitle.split(" ")[0]
    return message if technology in message else f"{subtitle} - {message}"
