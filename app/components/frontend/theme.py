"""Colours and themes of the dashboard: dark by default, light on request.

Only Latin text and Material icons are drawn: the bundled font has no other
glyphs, and a missing glyph makes the page fetch fallback fonts forever.
"""

import flet as ft

from app.services.health.tree import Status

ACCENT = "#4CC38A"

STATUS_COLOURS = {
    Status.HEALTHY: "#3FB950",
    Status.INFO: "#58A6FF",
    Status.WARNING: "#D29922",
    Status.UNHEALTHY: "#F85149",
}

SEVERITY_COLOURS = {
    "success": STATUS_COLOURS[Status.HEALTHY],
    "info": STATUS_COLOURS[Status.INFO],
    "warning": STATUS_COLOURS[Status.WARNING],
    "error": STATUS_COLOURS[Status.UNHEALTHY],
}

CARD_RADIUS = 12
GAP = 16


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(Status(status), STATUS_COLOURS[Status.INFO])


def apply(page: ft.Page, dark: bool) -> None:
    page.theme = ft.Theme(color_scheme_seed=ACCENT)
    page.dark_theme = ft.Theme(color_scheme_seed=ACCENT)
    page.theme_mode = ft.ThemeMode.DARK if dark else ft.ThemeMode.LIGHT
