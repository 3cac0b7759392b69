"""What every screen of a dashboard tab works with, and what a screen is."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import flet as ft

from app.components.backend.resources import Resources
from app.components.frontend.pulse import PlantPulse
from app.services.auth.principals import Principal
from app.services.health.service import HealthReport


class Screen(Protocol):
    """A view or a detail view: one control, refreshed in full or by the pulse."""

    @property
    def control(self) -> ft.Control:
        """What the tab shows for this screen."""
        ...

    async def refresh(self) -> None:
        """Read everything the screen shows again (on open and every 30 s)."""

    def on_pulse(self) -> None:
        """Redraw the live parts from the pulse; no I/O."""


@dataclass
class DashboardContext:
    resources: Resources
    pulse: PlantPulse
    user: Principal
    # Opens a component's detail view by its health-tree name.
    open_detail: Callable[[str], Awaitable[None]]
    # A short message at the bottom of the tab; `error` colours it.
    notify: Callable[..., None]
    # Opens a dialog with a title and a body, closed by its button.
    show_dialog: Callable[[str, ft.Control], None]
    # The current principal, checked again; None logs the tab out.
    reauthorise: Callable[[], Awaitable[Principal | None]]

    async def report(self) -> HealthReport:
        """The health tree (shared and briefly cached across the process)."""
        report = await self.resources.health.report()
        self.pulse.observe_health(report)
        return report

    async def admin(self) -> Principal | None:
        """The current principal if it may still act as an administrator."""
        principal = await self.reauthorise()
        if principal is None:
            return None
        if not principal.is_admin:
            self.notify("Administrator rights required", error=True)
            return None
        return principal
