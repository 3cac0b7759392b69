"""Server detail: the process, its routes and its middleware."""

import flet as ft

from app.components.frontend import format
from app.components.frontend.context import DashboardContext
from app.components.frontend.widgets import detail_page, muted, overview, section, table


class ServerDetail:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.summary = ft.Column()
        self.routes = ft.Column()
        self.middleware = ft.Column()
        self.control = detail_page(
            self.summary,
            section("Middleware (outermost first)", self.middleware),
            section("Routes", self.routes),
        )

    async def refresh(self) -> None:
        component = (await self.context.report()).root.components.get("backend")
        if component is None:
            return
        meta = component.metadata
        parts = component.components
        self.summary.controls = [
            overview(
                component.status,
                component.message,
                *(
                    (name.capitalize(), format.percent(_used(parts, name)))
                    for name in ("cpu", "memory", "disk")
                ),
                ("Python", str(meta.get("python", "-"))),
                ("PID", str(meta.get("pid", "-"))),
                ("Uptime", format.span(meta.get("uptime_s"))),
                ("Endpoints", str(meta.get("total_endpoints", "-"))),
            )
        ]
        layers = list(reversed(meta.get("middleware", [])))
        self.middleware.controls = [
            ft.Text(f"{position}. {name}")
            for position, name in enumerate(layers, start=1)
        ] or [muted("none")]
        self.routes.controls = [
            table(
                ["Method", "Path"],
                [[route["method"], route["path"]] for route in meta.get("routes", [])],
                identifier="server-routes",
            )
        ]

    def on_pulse(self) -> None:
        """Nothing here moves with job events."""


def _used(parts: dict, name: str) -> float | None:
    part = parts.get(name)
    return part.metadata.get("percent_used") if part is not None else None
