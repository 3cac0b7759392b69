"""The webserver's memory with the dashboard idle and with open tabs, and the
time a tab takes to its first frame, in one run.

Each tab is a logged-in Chromium tab with its live loop running; the
baseline is the same webserver, started, with no tab open.

    uv run python -m bench.dashboard [--tabs 10]
"""

import argparse
import asyncio
import statistics
import time
from contextlib import AsyncExitStack

import psutil

from bench.common import (
    EMAIL,
    PASSWORD,
    Row,
    at_most,
    print_table,
    throwaway_servers,
)
from tests.utils.browser import Dashboard, chromium

SETTLE_S = 5.0


def measure(tabs: int) -> list[Row]:
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
    mib = 1024 * 1024
    print(
        f"first frame: median {statistics.median(first_frames):.2f} s, "
        f"slowest {max(first_frames):.2f} s over {tabs} tabs"
    )
    print(f"per tab: {(open_rss - idle) / tabs / mib:.1f} MiB")
    return [
        at_most(
            f"webserver RSS, {tabs} tabs vs idle",
            open_rss / mib,
            idle / mib,
            "MiB",
            1.5,
        )
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=10)
    rows = measure(parser.parse_args().tabs)
    print()
    print_table(rows)


if __name__ == "__main__":
    main()
