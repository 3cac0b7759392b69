"""The API and the dashboard as one served app: Flet mounted at /dashboard.

Flet and the dashboard's views load on the first request under /dashboard, not
at start-up: about 0.1 s of the webserver's start-up and 7 MiB of its memory,
which a plant whose dashboard nobody has opened does not need.
Once loaded, Flet's session manager runs until the app's lifespan ends, and
stops before the resources close.
"""

import asyncio
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

DASHBOARD_PATH = "/dashboard"


class LazyDashboard:
    """An ASGI app that builds the dashboard when it is first asked for."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.loaded: FastAPI | None = None
        self._loading = asyncio.Lock()
        self._running = AsyncExitStack()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        dashboard = self.loaded or await self._load()
        await dashboard(scope, receive, send)

    async def _load(self) -> FastAPI:
        async with self._loading:
            if self.loaded is None:
                from app.integrations.dashboard_host import build_dashboard

                dashboard, host = build_dashboard(self.app)
                await self._running.enter_async_context(host.running())
                self.loaded = dashboard
            return self.loaded

    async def close(self) -> None:
        """Stop the dashboard's sessions, if it was ever loaded."""
        await self._running.aclose()
        self.loaded = None


def mount_dashboard(app: FastAPI) -> LazyDashboard:
    """Serve the dashboard at DASHBOARD_PATH, within `app`'s lifespan."""
    dashboard = LazyDashboard(app)
    app.mount(DASHBOARD_PATH, dashboard)

    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[None]:
        async with outer(app):
            try:
                yield
            finally:
                await dashboard.close()

    app.router.lifespan_context = lifespan
    return dashboard
