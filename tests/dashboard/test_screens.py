"""The whole plant behind Traefik, as an operator sees it: every view and
every detail, in both themes, saved as screenshots."""

import os
from collections.abc import Generator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from playwright.async_api import Browser

from app.core.config import Settings
from app.devstack.servers import TraefikServer, free_port
from tests.dashboard.conftest import ADMIN, USER, Plant
from tests.utils.browser import Dashboard
from tests.utils.processes import (
    running_webserver,
    start_scheduler,
    start_worker,
)
from tests.utils.users import PASSWORD, create_user

SCREENSHOTS = Path(os.environ.get("SECTOR7G_SCREENSHOTS", "build/screenshots"))
QUEUES = ("inanimate_rod", "homer", "lenny", "carl", "charlie", "grimey")
# Each view, and a control that shows it is on screen.
VIEWS = {"stack": "row-worker", "cards": "card-worker", "diagram": "node-worker"}
DETAILS = ("backend", "database", "cache", "worker", "scheduler", "auth", "ingress")


@contextmanager
def whole_plant(settings: Settings, log_dir: Path) -> Generator[Plant]:
    """Traefik in front of the webserver, a scheduler, a worker per queue."""
    port = free_port()
    traefik = TraefikServer(log_dir / "traefik", backend_url=f"http://127.0.0.1:{port}")
    with ExitStack() as stack:
        traefik.start()
        stack.callback(traefik.stop)
        for queue in QUEUES:
            stack.callback(start_worker(settings, queue, log_dir).stop)
        stack.callback(start_scheduler(settings, log_dir, "scheduler").stop)
        stack.enter_context(
            running_webserver(
                settings,
                log_dir,
                PORT=str(port),
                TRAEFIK_API_URL=traefik.api_url,
                SIMULATION_TIME_SCALE="0.01",
            )
        )
        yield Plant(settings, traefik.url, log_dir)


async def test_every_screen_in_both_themes_through_traefik(
    make_settings, tmp_path: Path, browser: Browser
) -> None:
    settings = make_settings(SIMULATION_TIME_SCALE=0.01)
    await create_user(settings, ADMIN, admin=True)
    await create_user(settings, USER)
    with whole_plant(settings, tmp_path) as plant:
        async with Dashboard.open(browser, plant.url) as tab:
            print(f"first frame through Traefik after {tab.first_frame_s:.2f} s")
            await tab.log_in(ADMIN, PASSWORD)
            await tab.shows("overall-status")

            # The scheduler, the workers and Traefik are seen at a refresh. The
            # server's row reports the host's CPU, which this test's own load
            # can hold at 100% on a small machine: it only has to be shown.
            await tab.shows("row-backend")
            for key in DETAILS:
                if key != "backend":
                    await tab.wait_text(
                        f"row-{key}", lambda text: "unhealthy" not in text, timeout_s=20
                    )
            for theme in ("dark", "light"):
                for view, marker in VIEWS.items():  # from Stack, the toggle cycles
                    await tab.shows(marker)
                    if view == "cards":
                        assert "Routers" in await tab.text("card-ingress")
                    await tab.screenshot(SCREENSHOTS / f"{view}-{theme}.png")
                    await tab.click("view-toggle")
                for detail in DETAILS:
                    await tab.click(f"row-{detail}")
                    await tab.shows("back")
                    await tab.screenshot(SCREENSHOTS / f"{detail}-{theme}.png")
                    await tab.click("back")
                await tab.click("theme-toggle")
    shots = sorted(path.name for path in SCREENSHOTS.glob("*.png"))
    assert len(shots) >= 2 * (len(VIEWS) + len(DETAILS)), shots
