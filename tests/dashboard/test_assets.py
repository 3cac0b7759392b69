"""What the page fetches from the webserver: all of it there, and none of the
files the appliance leaves out of flet_web (nix/flet-web-unused.txt)."""

from pathlib import PurePosixPath
from urllib.parse import urlsplit

from playwright.async_api import Browser

from bench.shipped import is_unused, unused_patterns
from tests.dashboard.conftest import ADMIN, Plant
from tests.utils.browser import Dashboard

MOUNT = "/dashboard/"


def web_path(url: str) -> PurePosixPath | None:
    """The file of flet_web's web client a dashboard URL names, if it names one."""
    path = urlsplit(url).path
    if not path.startswith(MOUNT):
        return None
    return PurePosixPath("web", path.removeprefix(MOUNT))


async def test_the_page_fetches_nothing_the_appliance_leaves_out(
    plant: Plant, browser: Browser
) -> None:
    async with Dashboard.open(browser, plant.url) as tab:
        await tab.log_in(ADMIN, plant.password)
        await tab.visit_every_view()

    assert tab.failed == []
    files = [path for url in tab.requested if (path := web_path(url))]
    assert PurePosixPath("web/main.dart.js") in files  # the page itself was seen
    patterns = unused_patterns()
    unused = [f for f in files if any(is_unused(f, p) for p in patterns)]
    assert unused == []
