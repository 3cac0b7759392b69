"""The dashboard's Flet app, and what it runs while it is loaded.

Flet runs each browser tab as a session in the webserver's event loop, so the
dashboard reads the same resources (pools, health service, event hub) as the
API, without HTTP calls to itself. Loaded by app.integrations.dashboard on the
first request under /dashboard.
"""

import weakref
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import flet as ft
import flet.fastapi as flet_fastapi
from fastapi import FastAPI
from starlette.routing import Route

from app.components.backend.resources import Resources
from app.components.frontend.pulse import PlantPulse
from app.components.frontend.session import DashboardSession

# A tab that disconnects keeps its session this long, so that a reload or a
# network blip resumes where it was (its live work stops meanwhile).
SESSION_TIMEOUT_S = 300


class DashboardHost:
    """The dashboard's process-wide state: the pulse, and the open tabs."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.pulse: PlantPulse | None = None
        self.sessions: weakref.WeakSet[DashboardSession] = weakref.WeakSet()

    async def main(self, page: ft.Page) -> None:
        """Flet's entry point, once per new tab."""
        assert self.pulse is not None, "the dashboard serves only inside the lifespan"
        resources: Resources = self.app.state.resources
        session = DashboardSession(page, resources, self.pulse)
        self.sessions.add(session)
        await session.start()

    @asynccontextmanager
    async def running(self) -> AsyncGenerator[None]:
        resources: Resources = self.app.state.resources
        self.pulse = PlantPulse(
            resources.event_hub,
            resources.tasks.events,
            resources.redis,
            resources.topology,
        )
        await flet_fastapi.app_manager.start()
        try:
            yield
        finally:
            for session in list(self.sessions):
                await session.stop()
            await self.pulse.stop()
            await flet_fastapi.app_manager.shutdown()


def build_dashboard(app: FastAPI) -> tuple[FastAPI, DashboardHost]:
    """Flet's app serving the dashboard for `app`, and its host."""
    host = DashboardHost(app)
    flet_app = flet_fastapi.app(
        host.main,
        # Everything from the app itself: the plant may have no internet.
        no_cdn=True,
        web_renderer=ft.WebRenderer.CANVAS_KIT,
        app_name="Sector 7G",
        app_short_name="Sector 7G",
        app_description="The Springfield Nuclear Power Plant, Sector 7G.",
        session_timeout_seconds=SESSION_TIMEOUT_S,
    )
    # Only the page, its assets and its websocket: Flet's app also carries HTTP
    # routes the dashboard does not use (an OAuth callback, since it logs in
    # with its own form, and OpenAPI docs of itself), which would be public.
    flet_app.router.routes = [
        route for route in flet_app.router.routes if not isinstance(route, Route)
    ]
    return flet_app, host
