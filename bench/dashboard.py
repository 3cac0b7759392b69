"""The webserver's memory with the dashboard idle and with open tabs, the time
a tab takes to its first frame, and what an idle session costs on the
websocket, in one run.

Each tab is a logged-in Chromium tab with its live loop running; the memory
baseline is the same webserver, started, with no tab open. The first frame
has an absolute budget of FIRST_FRAME_BUDGET_S for the slowest tab. The
websocket figure is the payload bytes sent and received by one logged-in tab
left alone for `--idle-seconds` once its first screen has settled, per
minute, against an absolute budget of IDLE_WEBSOCKET_BUDGET_KIB_MIN.

    uv run python -m bench.dashboard [--tabs 10] [--idle-seconds 60]
"""

import argparse
import asyncio
import statistics
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace

import psutil
from playwright.async_api import Route, WebSocket

from bench.common import (
    EMAIL,
    PASSWORD,
    Row,
    at_most,
    print_table,
    throwaway_servers,
)
from tests.utils.browser import LOOPBACK, Dashboard, chromium

SETTLE_S = 5.0
FIRST_FRAME_BUDGET_S = 4.0
# An idle tab's websocket: about 1 KiB/s at most, under 100 MiB a day.
IDLE_WEBSOCKET_BUDGET_KIB_MIN = 64.0


def measure(tabs: int, idle_s: float = 60.0) -> list[Row]:
    print(f"dashboard: webserver memory, idle and with {tabs} open tabs")
    with throwaway_servers() as servers:
        asyncio.run(servers.create_user())
        with servers.webserver() as webserver:
            process = psutil.Process(webserver.process.pid)
            time.sleep(SETTLE_S)
            idle = process.memory_info().rss
            open_rss, first_frames = asyncio.run(
                _with_tabs(webserver.url, tabs, process)
            )
            per_minute = asyncio.run(_idle_websocket(webserver.url, idle_s))
    mib = 1024 * 1024
    slowest = max(first_frames)
    print(
        f"first frame: median {statistics.median(first_frames):.2f} s, "
        f"slowest {slowest:.2f} s over {tabs} tabs"
    )
    print(f"per tab: {(open_rss - idle) / tabs / mib:.1f} MiB")
    return [
        Row(
            f"first frame s, slowest of {tabs} tabs",
            slowest,
            FIRST_FRAME_BUDGET_S,
            "s",
            f"<= {FIRST_FRAME_BUDGET_S:g} s",
            slowest <= FIRST_FRAME_BUDGET_S,
        ),
        Row(
            "websocket KiB/min, one idle tab",
            per_minute / 1024,
            IDLE_WEBSOCKET_BUDGET_KIB_MIN,
            "KiB",
            f"<= {IDLE_WEBSOCKET_BUDGET_KIB_MIN:g}",
            per_minute / 1024 <= IDLE_WEBSOCKET_BUDGET_KIB_MIN,
        ),
        at_most(
            f"webserver RSS, {tabs} tabs vs idle",
            open_rss / mib,
            idle / mib,
            "MiB",
            1.5,
        ),
    ]


async def _with_tabs(
    base: str, tabs: int, process: psutil.Process
) -> tuple[int, list[float]]:
    async with chromium() as browser, AsyncExitStack() as stack:
        opened = []
        for _ in range(tabs):
            tab = await stack.enter_async_context(Dashboard.open(browser, base))
            await tab.log_in(EMAIL, PASSWORD)
            await tab.shows("overall-status")
            opened.append(tab)
        await asyncio.sleep(SETTLE_S)
        rss = process.memory_info().rss
    return rss, [tab.first_frame_s or 0.0 for tab in opened]


@dataclass
class _Traffic:
    """Websocket frames and their payload bytes, counted as they pass."""

    received: int = 0
    sent: int = 0
    payload_bytes: int = 0

    def watch(self, websocket: WebSocket) -> None:
        websocket.on("framereceived", self._received)
        websocket.on("framesent", self._sent)

    def _received(self, data: str | bytes) -> None:
        self.received += 1
        self.payload_bytes += _size(data)

    def _sent(self, data: str | bytes) -> None:
        self.sent += 1
        self.payload_bytes += _size(data)


def _size(data: str | bytes) -> int:
    return len(data.encode() if isinstance(data, str) else data)


async def _idle_websocket(base: str, idle_s: float) -> float:
    """Payload bytes per minute on the websocket of one idle, logged-in tab."""
    traffic = _Traffic()
    async with chromium() as browser:
        # Opened as Dashboard.open does, with the websocket watched from
        # before the page connects it.
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = await context.new_page()
            page.on("websocket", traffic.watch)
            await page.route("**/*", _loopback_only)
            tab = Dashboard(page, base)
            await tab.load()
            await tab.log_in(EMAIL, PASSWORD)
            await tab.shows("overall-status")
            await asyncio.sleep(SETTLE_S)
            before = replace(traffic)
            await asyncio.sleep(idle_s)
            window = replace(traffic)
        finally:
            await context.close()
    payload = window.payload_bytes - before.payload_bytes
    per_minute = payload * 60 / idle_s
    print(
        f"idle websocket: {payload} payload bytes in {idle_s:g} s "
        f"({window.received - before.received} frames received, "
        f"{window.sent - before.sent} sent): {per_minute / 1024:.1f} KiB/min"
    )
    return per_minute


async def _loopback_only(route: Route) -> None:
    if route.request.url.startswith(LOOPBACK):
        await route.continue_()
    else:
        await route.abort()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    args = parser.parse_args()
    print_table(measure(args.tabs, args.idle_seconds))


if __name__ == "__main__":
    main()
