"""One browser tab of the dashboard: its login, what it shows, its live loop.

The tab holds its access token on the server, never in the browser. Every
full refresh (DASHBOARD_REFRESH_SECONDS) and every administrator action checks the token
and its account again, so an expired token or a deactivated account sends the
tab back to the login form. The live loop runs only while the tab is
connected: it waits on the plant's pulse, redraws at most every FRAME_S, and
stops when the tab goes away.
"""

import asyncio
import time
from collections.abc import Callable

import flet as ft
import structlog

from app.components.backend.resources import Resources
from app.components.frontend import theme
from app.components.frontend.components import BY_KEY
from app.components.frontend.context import DashboardContext, Screen
from app.components.frontend.details.auth import AuthDetail
from app.components.frontend.details.cache import CacheDetail
from app.components.frontend.details.database import DatabaseDetail
from app.components.frontend.details.ingress import IngressDetail
from app.components.frontend.details.scheduler import SchedulerDetail
from app.components.frontend.details.server import ServerDetail
from app.components.frontend.details.worker import WorkerDetail
from app.components.frontend.header import Header
from app.components.frontend.login import LoginForm
from app.components.frontend.pulse import PlantPulse
from app.components.frontend.views.cards import CardsView
from app.components.frontend.views.diagram import DiagramView
from app.components.frontend.views.stack import StackView
from app.components.frontend.widgets import tagged
from app.core.security import create_access_token
from app.services.auth.login import LoginRefusedError, log_in
from app.services.auth.login_limits import (
    LimiterUnavailableError,
    LoginRateLimitedError,
)
from app.services.auth.principals import Principal

log = structlog.get_logger(__name__)

FRAME_S = 0.25

VIEWS: dict[str, Callable[[DashboardContext], Screen]] = {
    "stack": StackView,
    "cards": CardsView,
    "diagram": DiagramView,
}
DETAILS: dict[str, Callable[[DashboardContext], Screen]] = {
    "backend": ServerDetail,
    "database": DatabaseDetail,
    "cache": CacheDetail,
    "worker": WorkerDetail,
    "scheduler": SchedulerDetail,
    "auth": AuthDetail,
    "ingress": IngressDetail,
}


class DashboardSession:
    def __init__(self, page: ft.Page, resources: Resources, pulse: PlantPulse) -> None:
        self.page = page
        self.resources = resources
        self.pulse = pulse
        self.dark = True
        self.view = "stack"
        self.token: str | None = None
        self.expires_at = 0.0  # time.monotonic() when the token expires
        self.context: DashboardContext | None = None
        self.header: Header | None = None
        self.screen: Screen | None = None
        self.body = ft.Container(expand=True)
        self._live: asyncio.Task | None = None

    async def start(self) -> None:
        page = self.page
        page.title = "Sector 7G"
        page.padding = 16
        theme.apply(page, self.dark)
        page.on_connect = self._connected
        page.on_disconnect = self._disconnected
        page.on_close = self._closed
        self._show_login()

    async def stop(self) -> None:
        """Stop the tab's background work (the tab is gone, or the app stops)."""
        task, self._live = self._live, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # Logging in and out

    def _show_login(self, notice: str = "") -> None:
        self.page.controls = [LoginForm(self._log_in, notice).control]
        self.page.update()

    async def _log_in(self, email: str, password: str) -> str | None:
        """None once in; otherwise what to tell the visitor."""
        resources = self.resources
        address = self.page.client_ip or "unknown"
        try:
            user = await log_in(
                resources.database,
                resources.login_limiter,
                email=email,
                password=password,
                address=address,
            )
        except LoginRefusedError as refused:
            log.info("dashboard login refused", client=address)
            return str(refused)
        except LoginRateLimitedError as limited:
            log.warning("dashboard login rate limited", client=address)
            return f"Too many attempts; try again in {limited.retry_after_s} s."
        except LimiterUnavailableError:
            return "Logging in is unavailable right now; try again shortly."
        token = create_access_token(str(user.id), resources.settings)
        principal = await resources.principals.for_token(
            token.token, resources.settings
        )
        if principal is None:
            return "Logging in failed; try again."
        self.token = token.token
        self.expires_at = time.monotonic() + token.expires_in_s
        log.info("dashboard login", user_id=principal.id)
        await self._show_shell(principal)
        return None

    async def _log_out(self, notice: str = "") -> None:
        self.token = None
        self.context = self.header = self.screen = None
        await self.stop()
        self._show_login(notice)

    async def _reauthorise(self) -> Principal | None:
        """The tab's account, if its token and the account are still good;
        otherwise back to the login form."""
        if self.token is None:
            return None
        principal = await self.resources.principals.for_token(
            self.token, self.resources.settings
        )
        if principal is None:
            await self._log_out("Your session has ended; log in again.")
            return None
        if self.context is not None:
            self.context.user = principal
        return principal

    # What the tab shows

    async def _show_shell(self, user: Principal) -> None:
        self.context = DashboardContext(
            resources=self.resources,
            pulse=self.pulse,
            user=user,
            open_detail=self._open_detail,
            notify=self._notify,
            show_dialog=self._show_dialog,
            reauthorise=self._reauthorise,
        )
        self.header = Header(
            user,
            next_view=self._next_view,
            toggle_theme=self._toggle_theme,
            log_out=self._log_out,
        )
        self.header.show_theme(self.dark)
        self.page.controls = [
            ft.Column([self.header.control, self.body], expand=True, spacing=8)
        ]
        await self._show(VIEWS[self.view](self.context), back=False)
        self._start_live()

    async def _show(self, screen: Screen, *, back: bool, title: str = "") -> None:
        await self._refresh(screen)
        self.screen = screen
        if back:
            self.body.content = ft.Column(
                [
                    ft.Row(
                        [
                            tagged(
                                "back",
                                ft.IconButton(
                                    ft.Icons.ARROW_BACK,
                                    tooltip="Back",
                                    on_click=self._back,
                                ),
                            ),
                            ft.Text(title, size=20, weight=ft.FontWeight.BOLD),
                        ]
                    ),
                    screen.control,
                ],
                expand=True,
            )
        else:
            self.body.content = screen.control
        self.page.update()

    async def _refresh(self, screen: Screen) -> None:
        """Read everything again; a failed read is shown, not fatal."""
        assert self.context is not None and self.header is not None
        try:
            self.header.show_report(await self.context.report())
            await screen.refresh()
        except Exception:
            log.warning("dashboard refresh failed", exc_info=True)
            self._notify("Some data could not be read; retrying.", error=True)

    async def _next_view(self) -> None:
        assert self.context is not None and self.header is not None
        names = list(VIEWS)
        self.view = names[(names.index(self.view) + 1) % len(names)]
        self.header.show_view(self.view)
        await self._show(VIEWS[self.view](self.context), back=False)

    async def _open_detail(self, key: str) -> None:
        assert self.context is not None
        await self._show(DETAILS[key](self.context), back=True, title=BY_KEY[key].title)

    async def _back(self, _: ft.Event) -> None:
        assert self.context is not None
        await self._show(VIEWS[self.view](self.context), back=False)

    async def _toggle_theme(self) -> None:
        self.dark = not self.dark
        theme.apply(self.page, self.dark)
        if self.header is not None:
            self.header.show_theme(self.dark)
        self.page.update()

    def _notify(self, message: str, *, error: bool = False) -> None:
        """Show `message`, and draw everything changed so far with it (Flet
        skips its own redraw after a handler that drew anything itself)."""
        self.page.show_dialog(
            ft.SnackBar(
                tagged("notice", ft.Text(message)),
                bgcolor=ft.Colors.ERROR_CONTAINER if error else None,
            )
        )
        self.page.update()

    def _show_dialog(self, title: str, body: ft.Control) -> None:
        def close(_: ft.Event) -> None:
            self.page.pop_dialog()

        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(title),
                content=ft.Container(body, width=640),
                actions=[
                    tagged("dialog-close", ft.TextButton("Close", on_click=close))
                ],
            )
        )
        self.page.update()

    # Live updates, while connected

    def _start_live(self) -> None:
        if self._live is None or self._live.done():
            self._live = asyncio.create_task(self._run_live())

    async def _run_live(self) -> None:
        async with self.pulse.watching():
            seen = self.pulse.version
            workers_seen = self.pulse.workers_version
            every_s = self.resources.settings.DASHBOARD_REFRESH_SECONDS
            next_full = time.monotonic() + every_s
            while self.token is not None:
                wait_s = max(0.0, min(next_full, self.expires_at) - time.monotonic())
                seen = await self.pulse.changed(seen, wait_s)
                now = time.monotonic()
                due = now >= next_full or now >= self.expires_at
                if due or self.pulse.workers_version != workers_seen:
                    workers_seen = self.pulse.workers_version
                    next_full = now + every_s
                    if await self._reauthorise() is None:
                        return
                    if self.screen is not None:
                        await self._refresh(self.screen)
                elif self.screen is not None:
                    self.screen.on_pulse()
                self.page.update()
                await asyncio.sleep(FRAME_S)

    async def _connected(self, _: ft.Event) -> None:
        """The tab is back (a reload or a network blip): catch up, go live."""
        if self.token is not None and self.screen is not None:
            if await self._reauthorise() is None:
                return
            await self._refresh(self.screen)
            self.page.update()
            self._start_live()

    async def _disconnected(self, _: ft.Event) -> None:
        await self.stop()

    async def _closed(self, _: ft.Event) -> None:
        await self.stop()
        self.token = None
