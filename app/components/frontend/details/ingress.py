"""Ingress detail: Traefik's routers, services and entry points."""

import flet as ft

from app.components.frontend.context import DashboardContext
from app.components.frontend.widgets import detail_page, muted, overview, section, table


class IngressDetail:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.summary = ft.Column()
        self.routers = ft.Column()
        self.control = detail_page(self.summary, section("Routers", self.routers))

    async def refresh(self) -> None:
        component = (await self.context.report()).root.components.get("ingress")
        if component is None:
            return
        meta = component.metadata
        entrypoints = meta.get("entrypoints", [])
        self.summary.controls = [
            overview(
                component.status,
                component.message,
                ("Version", str(meta.get("version", "-"))),
                (
                    "Routers",
                    f"{meta.get('routers_enabled', 0)}/{meta.get('routers', 0)}",
                ),
                ("Services", str(meta.get("services", "-"))),
                (
                    "Entrypoints",
                    ", ".join(f"{e['name']} {e['address']}" for e in entrypoints)
                    or "-",
                ),
            )
        ]
        routers = meta.get("router_list", [])
        self.routers.controls = [
            table(
                ["Name", "Rule", "Service", "Status"],
                [
                    [
                        r["name"] or "",
                        r["rule"] or "",
                        r["service"] or "",
                        r["status"] or "",
                    ]
                    for r in routers
                ],
                identifier="ingress-routers",
            )
            if routers
            else muted("No routers reported.")
        ]

    def on_pulse(self) -> None:
        """Nothing here moves with job events."""
