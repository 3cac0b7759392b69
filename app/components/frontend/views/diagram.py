"""Diagram: the plant as nodes and links, Ingress to Server to the rest."""

import flet as ft
import flet.canvas as cv

from app.components.frontend.components import BY_KEY, Kind
from app.components.frontend.context import DashboardContext
from app.components.frontend.theme import CARD_RADIUS, status_colour
from app.components.frontend.widgets import dot, muted, tagged
from app.services.health.tree import Component

WIDTH, HEIGHT = 900, 470
NODE_WIDTH, NODE_HEIGHT = 150, 62

# Node centres: Ingress above Server, the components Server serves in an arc.
POSITIONS = {
    "ingress": (450, 50),
    "backend": (450, 190),
    "database": (95, 330),
    "cache": (270, 410),
    "worker": (450, 420),
    "scheduler": (630, 410),
    "auth": (805, 330),
}
LINKS = [("ingress", "backend")] + [
    ("backend", key) for key in POSITIONS if key not in ("ingress", "backend")
]


class DiagramView:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.stack = ft.Stack(width=WIDTH, height=HEIGHT)
        self.control = ft.Column(
            [ft.Row([self.stack], alignment=ft.MainAxisAlignment.CENTER)],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )

    async def refresh(self) -> None:
        components = (await self.context.report()).root.components
        self.stack.controls = [
            links(components),
            *(
                self._node(BY_KEY[key], components.get(key), centre)
                for key, centre in POSITIONS.items()
            ),
        ]

    def on_pulse(self) -> None:
        """Nothing here moves with single jobs."""

    def _node(
        self, kind: Kind, component: Component | None, centre: tuple[int, int]
    ) -> ft.Control:
        async def open_detail(_: ft.Event) -> None:
            await self.context.open_detail(kind.key)

        status = component.status if component is not None else "info"
        x, y = centre
        return ft.Container(
            tagged(
                f"node-{kind.key}",
                ft.Container(
                    ft.Row(
                        [
                            ft.Icon(kind.icon, size=22),
                            ft.Column(
                                [
                                    ft.Row(
                                        [dot(status, 10), ft.Text(kind.title)],
                                        spacing=6,
                                    ),
                                    muted(kind.subtitle(component), 11),
                                ],
                                spacing=2,
                                tight=True,
                            ),
                        ],
                        spacing=8,
                    ),
                    width=NODE_WIDTH,
                    height=NODE_HEIGHT,
                    padding=ft.Padding.symmetric(horizontal=10, vertical=6),
                    border=ft.Border.all(2, status_colour(status)),
                    border_radius=CARD_RADIUS,
                    bgcolor=ft.Colors.SURFACE_CONTAINER,
                    on_click=open_detail,
                    ink=True,
                ),
            ),
            left=x - NODE_WIDTH / 2,
            top=y - NODE_HEIGHT / 2,
        )


def links(components: dict[str, Component]) -> cv.Canvas:
    """A curve per link, coloured by the status of the component it leads to."""
    shapes: list[cv.Shape] = []
    for source, target in LINKS:
        (x1, y1), (x2, y2) = POSITIONS[source], POSITIONS[target]
        target_component = components.get(target)
        colour = status_colour(
            target_component.status if target_component is not None else "info"
        )
        shapes.append(
            cv.Path(
                [
                    cv.Path.MoveTo(x1, y1),
                    cv.Path.QuadraticTo(x1, (y1 + y2) / 2, x2, y2),
                ],
                paint=ft.Paint(
                    color=ft.Colors.with_opacity(0.7, colour),
                    stroke_width=2,
                    style=ft.PaintingStyle.STROKE,
                ),
            )
        )
    return cv.Canvas(shapes, width=WIDTH, height=HEIGHT)
