"""Cards: one card per component, with the numbers that matter for each."""

import flet as ft

from app.components.frontend import format
from app.components.frontend.components import KINDS, Kind
from app.components.frontend.context import DashboardContext
from app.components.frontend.queues import CARD_COLUMNS, QueueTable
from app.components.frontend.theme import GAP
from app.components.frontend.widgets import card, metric, muted, table
from app.services.health.tree import Component

UPCOMING_SHOWN = 5


class CardsView:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.queues = QueueTable(context.pulse, CARD_COLUMNS, prefix="worker")
        self.grid = ft.ResponsiveRow(spacing=GAP, run_spacing=GAP)
        self.control = ft.Column([self.grid], scroll=ft.ScrollMode.AUTO, expand=True)

    async def refresh(self) -> None:
        report = await self.context.report()
        components = report.root.components
        self.queues.set_health(components.get("worker"))
        self.grid.controls = [
            ft.Container(
                self._card(kind, components.get(kind.key)),
                col={"sm": 12, "md": 6, "xl": 4},
            )
            for kind in KINDS
        ]

    def on_pulse(self) -> None:
        self.queues.on_pulse()

    def _card(self, kind: Kind, component: Component | None) -> ft.Control:
        async def open_detail(_: ft.Event) -> None:
            await self.context.open_detail(kind.key)

        status = component.status if component is not None else "info"
        return card(
            f"card-{kind.key}",
            status,
            kind.title,
            kind.subtitle(component),
            self._body(kind.key, component),
            on_click=open_detail,
        )

    def _body(self, key: str, component: Component | None) -> ft.Control:
        if component is None:
            return muted("not checked")
        meta = component.metadata
        if key == "worker":
            return self.queues.control
        if not meta:
            return muted(component.message)
        match key:
            case "backend":
                parts = component.components
                return metrics(
                    ("CPU", format.percent(_used(parts.get("cpu")))),
                    ("Memory", format.percent(_used(parts.get("memory")))),
                    ("Disk", format.percent(_used(parts.get("disk")))),
                )
            case "database":
                return metrics(
                    ("Size", format.size(meta.get("size_bytes"))),
                    (
                        "Connections",
                        f"{meta.get('connections')}/{meta.get('max_connections')}",
                    ),
                    ("Tables", str(len(meta.get("tables", [])))),
                )
            case "cache":
                limit = meta.get("max_memory_bytes") or None
                memory = format.size(meta.get("used_memory_bytes"))
                return metrics(
                    ("Hit ratio", format.percent(_share(meta.get("hit_ratio")))),
                    ("Memory", memory + (f" / {format.size(limit)}" if limit else "")),
                    ("Ops/s", str(meta.get("ops_per_s", "-"))),
                )
            case "scheduler":
                return scheduler_body(meta)
            case "auth":
                return metrics(
                    ("Users", str(meta.get("users", "-"))),
                    ("Algorithm", str(meta.get("algorithm", "-"))),
                    ("Token expiry", f"{meta.get('token_lifetime_minutes')} min"),
                )
            case _:
                entrypoints = meta.get("entrypoints", [])
                return metrics(
                    ("Routers", f"{meta.get('routers_enabled')}/{meta.get('routers')}"),
                    ("Services", str(meta.get("services", "-"))),
                    ("Entrypoints", ", ".join(e["name"] for e in entrypoints) or "-"),
                )


def metrics(*pairs: tuple[str, str]) -> ft.Row:
    return ft.Row(
        [metric(label, value) for label, value in pairs],
        spacing=24,
        wrap=True,
    )


def scheduler_body(meta: dict) -> ft.Control:
    upcoming = meta.get("upcoming", [])[:UPCOMING_SHOWN]
    leader = meta.get("leader") or {}
    counts = (
        f"{meta.get('total_jobs', 0)} jobs, {meta.get('paused_jobs', 0)} paused; "
        + (f"leader {leader.get('instance', '?')}" if leader else "no leader")
    )
    if not upcoming:
        return ft.Column([muted(counts), muted("No scheduled jobs")])
    upcoming_table = table(
        ["Job", "Schedule", "Next run"],
        [
            [job["name"], job["schedule"], format.relative(job.get("next_run_at"))]
            for job in upcoming
        ],
        identifier="scheduler-upcoming",
    )
    return ft.Column([muted(counts), upcoming_table], spacing=6)


def _used(component: Component | None) -> float | None:
    return component.metadata.get("percent_used") if component is not None else None


def _share(ratio: float | None) -> float | None:
    return None if ratio is None else 100 * ratio
