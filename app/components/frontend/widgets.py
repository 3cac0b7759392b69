"""Small building blocks the views share."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import flet as ft

from app.components.frontend.theme import CARD_RADIUS, status_colour


def tagged(identifier: str, control: ft.Control) -> ft.Semantics:
    """`control`, findable by tests and screen readers as `identifier`."""
    return ft.Semantics(identifier=identifier, content=control)


def dot(status: str, size: int = 12) -> ft.Container:
    return ft.Container(
        width=size,
        height=size,
        border_radius=size / 2,
        bgcolor=status_colour(status),
        tooltip=status,
    )


def title(text: str, size: int = 18) -> ft.Text:
    return ft.Text(text, size=size, weight=ft.FontWeight.BOLD)


def muted(text: str, size: int = 12) -> ft.Text:
    return ft.Text(text, size=size, color=ft.Colors.ON_SURFACE_VARIANT)


def metric(label: str, value: str) -> ft.Column:
    return ft.Column(
        [muted(label), ft.Text(value, size=20, weight=ft.FontWeight.W_600)],
        spacing=2,
    )


def card(
    identifier: str,
    status: str,
    heading: str,
    subheading: str,
    body: ft.Control,
    on_click: Callable[[Any], Any] | None = None,
) -> ft.Semantics:
    """A component's card: its border coloured by its status."""
    return tagged(
        identifier,
        ft.Container(
            content=ft.Column(
                [
                    ft.Row(
                        [dot(status), title(heading)],
                        spacing=8,
                    ),
                    muted(subheading),
                    ft.Divider(height=8),
                    body,
                ],
                spacing=6,
            ),
            padding=16,
            border=ft.Border.all(2, status_colour(status)),
            border_radius=CARD_RADIUS,
            bgcolor=ft.Colors.SURFACE_CONTAINER,
            on_click=on_click,
            ink=on_click is not None,
        ),
    )


def table(
    columns: list[str],
    rows: Sequence[Sequence[str | ft.Control]],
    *,
    identifier: str,
) -> ft.Semantics:
    """A plain table; a cell is text, or a control of its own."""
    return tagged(
        identifier,
        ft.DataTable(
            columns=[ft.DataColumn(label=ft.Text(name)) for name in columns],
            rows=[
                ft.DataRow(
                    cells=[
                        ft.DataCell(ft.Text(cell) if isinstance(cell, str) else cell)
                        for cell in row
                    ]
                )
                for row in rows
            ],
            heading_row_height=32,
            data_row_min_height=28,
            data_row_max_height=40,
            column_spacing=18,
            horizontal_margin=8,
        ),
    )


class Pager:
    """Previous / "26-50 of 312" / Next, for lists read a page at a time."""

    def __init__(
        self, prefix: str, move: Callable[[int], Awaitable[None]], size: int = 25
    ) -> None:
        self.move = move
        self.size = size
        self.offset = 0
        self.label = ft.Text("")
        self.previous = ft.IconButton(
            ft.Icons.CHEVRON_LEFT, tooltip="Previous page", on_click=self._previous
        )
        self.next = ft.IconButton(
            ft.Icons.CHEVRON_RIGHT, tooltip="Next page", on_click=self._next
        )
        self.control = ft.Row(
            [
                tagged(f"{prefix}-prev", self.previous),
                tagged(f"{prefix}-page", self.label),
                tagged(f"{prefix}-next", self.next),
            ],
            spacing=4,
        )

    def show(self, offset: int, shown: int, total: int) -> None:
        self.offset = offset
        first = offset + 1 if shown else 0
        self.label.value = f"{first}-{offset + shown} of {total}"
        self.previous.disabled = offset == 0
        self.next.disabled = offset + shown >= total

    async def _previous(self, _: ft.Event) -> None:
        await self.move(max(0, self.offset - self.size))

    async def _next(self, _: ft.Event) -> None:
        await self.move(self.offset + self.size)


def section(heading: str, *controls: ft.Control) -> ft.Container:
    """A titled panel of a detail view."""
    return ft.Container(
        ft.Column([title(heading, 16), *controls], spacing=10),
        padding=16,
        border_radius=CARD_RADIUS,
        bgcolor=ft.Colors.SURFACE_CONTAINER,
    )


def overview(status: str, message: str, *pairs: tuple[str, str]) -> ft.Control:
    """A detail view's first lines: its status, what the check said, key numbers."""
    return section(
        "Overview",
        ft.Row([dot(status), ft.Text(f"{status}: {message}")], spacing=8),
        ft.Row([metric(label, value) for label, value in pairs], spacing=28, wrap=True),
    )


def detail_page(*sections: ft.Control) -> ft.Column:
    """A detail view's body: its sections, one under another, scrolling."""
    return ft.Column(list(sections), spacing=16, scroll=ft.ScrollMode.AUTO, expand=True)
