"""The dashboard in Debian's Chromium, driven by Playwright, with no internet.

Flutter draws on a canvas; what tests read and click is its semantics tree,
which it builds once the hidden placeholder is clicked. A control wrapped in
`ft.Semantics(identifier="x")` is `[flt-semantics-identifier="x"]` there.
Every request that does not go to loopback is blocked and remembered; every
request made, and every answer with an error status, is remembered too.
"""

import asyncio
import shutil
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import (
    Browser,
    Locator,
    Page,
    Request,
    Response,
    Route,
    async_playwright,
)
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.utils.programs import need

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1")
FIRST_FRAME_TIMEOUT_MS = 30_000


def by_id(identifier: str) -> str:
    return f'[flt-semantics-identifier="{identifier}"]'


@asynccontextmanager
async def chromium() -> AsyncGenerator[Browser]:
    """Debian's (or the Nix dev shell's) Chromium; never Playwright's own."""
    need("chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


class Dashboard:
    """One tab on the dashboard."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.blocked: list[str] = []
        self.requested: list[str] = []
        self.failed: list[str] = []
        self.first_frame_s: float | None = None

    @classmethod
    @asynccontextmanager
    async def open(
        cls, browser: Browser, base_url: str, *, width: int = 1400, height: int = 900
    ) -> AsyncGenerator["Dashboard"]:
        """A new tab, in a browser context of its own (as another person's would
        be), showing the dashboard's first screen."""
        context = await browser.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        dashboard = cls(page, base_url)
        await page.route("**/*", dashboard._only_loopback)
        page.on("request", dashboard._remember_request)
        page.on("response", dashboard._remember_failure)
        try:
            await dashboard.load()
            yield dashboard
        finally:
            await context.close()

    async def load(self) -> None:
        started = time.monotonic()
        await self.page.goto(f"{self.base_url}/dashboard/")
        await self.page.wait_for_selector(
            "flt-semantics-placeholder",
            state="attached",
            timeout=FIRST_FRAME_TIMEOUT_MS,
        )
        self.first_frame_s = time.monotonic() - started
        await self.page.evaluate(
            "() => document.querySelector('flt-semantics-placeholder')?.click()"
        )
        await self.page.wait_for_selector(
            f"{by_id('login-email')}, {by_id('overall-status')}",
            timeout=FIRST_FRAME_TIMEOUT_MS,
        )

    def find(self, identifier: str) -> Locator:
        return self.page.locator(by_id(identifier))

    async def identifiers(self) -> set[str]:
        """Every tagged control on screen."""
        return set(
            await self.page.eval_on_selector_all(
                "[flt-semantics-identifier]",
                "nodes => nodes.map(n => n.getAttribute('flt-semantics-identifier'))",
            )
        )

    async def shows(self, identifier: str, timeout_s: float = 10) -> None:
        await self.find(identifier).wait_for(timeout=timeout_s * 1000)

    async def click(self, identifier: str) -> None:
        await self.find(identifier).click()

    async def visit_every_view(self) -> None:
        """The plant as rows, cards and diagram, then a component's details."""
        await self.shows("row-worker")
        for marker in ("card-worker", "node-worker"):
            await self.click("view-toggle")
            await self.shows(marker)
        await self.click("node-worker")
        await self.shows("queues-table")

    async def click_until(
        self, identifier: str, shows: str, timeout_s: float = 20
    ) -> None:
        """Click until the control `shows` is there: a click Flutter receives
        while it redraws can be lost (a loaded machine loses more)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            await self.click(identifier)
            try:
                await self.find(shows).wait_for(timeout=4000)
                return
            except PlaywrightTimeoutError:
                continue
        raise AssertionError(f"clicking {identifier} never showed {shows}")

    async def text(self, identifier: str) -> str:
        return await self.find(identifier).inner_text()

    async def fill(self, identifier: str, text: str, timeout_s: float = 10) -> None:
        """Focus a text field, then set its text; again if Flutter, moving the
        focus at that moment, lost it (typed keys can be lost the same way),
        until the field holds the text or `timeout_s` has passed."""
        field = self.page.locator(f"{by_id(identifier)} input")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            await self.click(identifier)
            await field.wait_for(state="attached")
            await field.fill(text)
            await asyncio.sleep(0.1)
            if await field.count() and await field.input_value() == text:
                return
        raise AssertionError(f"{identifier} would not take the text")

    async def log_in(self, email: str, password: str) -> None:
        await self.fill("login-email", email)
        await self.fill("login-password", password)
        await self.click("login-submit")

    async def wait_text(
        self,
        identifier: str,
        accept: Callable[[str], bool],
        *,
        timeout_s: float = 10,
    ) -> str:
        """The control's text once `accept` holds for it."""
        deadline = time.monotonic() + timeout_s
        last = None
        while time.monotonic() < deadline:
            if await self.find(identifier).count():
                last = await self.text(identifier)
                if accept(last):
                    return last
            await asyncio.sleep(0.05)
        raise AssertionError(f"{identifier} never matched; last text {last!r}")

    async def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(path))

    def _remember_request(self, request: Request) -> None:
        self.requested.append(request.url)

    def _remember_failure(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    async def _only_loopback(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(LOOPBACK):
            await route.continue_()
        else:
            self.blocked.append(url)
            await route.abort()
