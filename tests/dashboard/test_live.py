"""The dashboard against a working plant: values, live counters, commands."""

import time

import httpx
import redis.asyncio as aioredis
from playwright.async_api import Browser

from tests.dashboard.conftest import ADMIN, Plant
from tests.utils.browser import Dashboard
from tests.utils.processes import eventually, running_worker, start_scheduler
from tests.utils.users import log_in

SEVEN_CARDS = {
    f"card-{key}"
    for key in (
        "backend",
        "database",
        "cache",
        "worker",
        "scheduler",
        "auth",
        "ingress",
    )
}


async def test_cards_show_the_running_plant_and_job_events_move_the_counters(
    plant: Plant, browser: Browser
) -> None:
    with running_worker(plant.settings, "lenny", plant.log_dir):
        async with (
            httpx.AsyncClient(base_url=plant.url) as api,
            Dashboard.open(browser, plant.url) as tab,
        ):
            await tab.log_in(ADMIN, plant.password)
            await tab.click("view-toggle")  # Stack -> Cards
            await tab.shows("card-worker")
            assert SEVEN_CARDS <= await tab.identifiers()
            assert "PostgreSQL 1" in await tab.text("card-database")
            assert "Redis 7" in await tab.text("card-cache")
            assert "CPU" in await tab.text("card-backend")
            assert "Users" in await tab.text("card-auth")
            assert "not configured" in await tab.text("card-ingress")
            await tab.wait_text("worker-lenny-queued", lambda text: text == "0")
            await tab.wait_text("worker-grimey-queued", lambda text: text == "0")

            headers = {"Authorization": f"Bearer {await log_in(api, ADMIN)}"}
            # Nobody works Grimey's queue here: his job waits, and is counted.
            sent = time.monotonic()
            response = await api.post(
                "/api/v1/tasks/enqueue",
                json={"task": "grimey_sim_task"},
                headers=headers,
            )
            assert response.status_code == 202, response.text
            await tab.wait_text("worker-grimey-queued", lambda t: t == "1", timeout_s=2)
            queued_after_s = time.monotonic() - sent

            # Lenny's worker takes his job at once: it is done within moments.
            sent = time.monotonic()
            response = await api.post(
                "/api/v1/tasks/enqueue",
                json={"task": "lenny_sim_task"},
                headers=headers,
            )
            assert response.status_code == 202, response.text
            await tab.wait_text(
                "worker-lenny-completed", lambda t: t == "1", timeout_s=10
            )
            done_after_s = time.monotonic() - sent
    print(f"counter moved {queued_after_s:.2f} s after the enqueue (queued)")
    print(f"counter moved {done_after_s:.2f} s after the enqueue (done, with the run)")


async def _enqueue(
    api: httpx.AsyncClient, task: str, headers: dict[str, str]
) -> httpx.Response:
    return await api.post("/api/v1/tasks/enqueue", json={"task": task}, headers=headers)


async def test_an_admin_pauses_a_scheduler_job_and_the_api_reports_it_paused(
    plant: Plant, browser: Browser
) -> None:
    scheduler = start_scheduler(plant.settings, plant.log_dir, "scheduler")
    try:
        async with (
            httpx.AsyncClient(base_url=plant.url) as api,
            Dashboard.open(browser, plant.url) as tab,
        ):
            headers = {"Authorization": f"Bearer {await log_in(api, ADMIN)}"}

            async def published() -> bool:
                response = await api.get("/api/v1/scheduler/jobs", headers=headers)
                return len(response.json()) > 0

            await eventually(published, timeout_s=20, message="jobs to be published")
            await tab.log_in(ADMIN, plant.password)
            await tab.click("view-toggle")
            await tab.click("card-scheduler")
            await tab.shows("job-sim_lenny-pause")
            assert await tab.text("job-sim_lenny-state") == "active"

            await tab.click("job-sim_lenny-pause")
            await tab.wait_text("job-sim_lenny-state", lambda text: text == "paused")
            job = (
                await api.get("/api/v1/scheduler/jobs/sim_lenny", headers=headers)
            ).json()
            assert job["paused"] is True

            await tab.click("job-sim_lenny-resume")
            await tab.wait_text("job-sim_lenny-state", lambda text: text == "active")
            job = (
                await api.get("/api/v1/scheduler/jobs/sim_lenny", headers=headers)
            ).json()
            assert job["paused"] is False
    finally:
        scheduler.stop()


async def test_the_activity_feed_shows_job_events_by_severity(
    plant: Plant, browser: Browser
) -> None:
    async with (
        httpx.AsyncClient(base_url=plant.url) as api,
        Dashboard.open(browser, plant.url) as tab,
    ):
        await tab.log_in(ADMIN, plant.password)
        await tab.shows("feed-filter")  # Stack is the first view
        headers = {"Authorization": f"Bearer {await log_in(api, ADMIN)}"}
        response = await _enqueue(api, "grimey_sim_task", headers)
        assert response.status_code == 202, response.text
        line = "grimey_sim_task enqueued"
        await tab.wait_text("activity-feed", lambda text: line in text, timeout_s=2)

        await tab.find("feed-filter").get_by_text("Error").click()
        await tab.wait_text("activity-feed", lambda text: line not in text)
        await tab.find("feed-filter").get_by_text("Info").click()
        await tab.wait_text("activity-feed", lambda text: line in text)


async def test_the_dashboard_renders_completely_with_no_internet(
    plant: Plant, browser: Browser
) -> None:
    """Every request outside loopback is blocked (by Dashboard itself)."""
    async with Dashboard.open(browser, plant.url) as tab:
        await tab.log_in(ADMIN, plant.password)
        await tab.visit_every_view()
        # Only Flutter's optional animation runtime is ever asked for.
        assert all("rive" in url for url in tab.blocked), tab.blocked


async def test_a_closed_tab_stops_its_live_work(plant: Plant, browser: Browser) -> None:
    """While a tab watches, the webserver reads the event stream (a blocking
    XREAD on a connection of its own); once the last tab is gone, it stops."""
    client = aioredis.Redis.from_url(plant.settings.redis_dsn, decode_responses=True)

    async def readers() -> int:
        """Clients blocked in XREAD right now (flag b)."""
        clients = await client.client_list()
        return sum(
            1 for c in clients if c.get("cmd") == "xread" and "b" in c.get("flags", "")
        )

    try:
        async with Dashboard.open(browser, plant.url) as tab:
            await tab.log_in(ADMIN, plant.password)
            await tab.shows("overall-status")
            await eventually(readers, timeout_s=5, message="a live-event reader")

        async def none_left() -> bool:
            return await readers() == 0

        # The reader notices at the end of its current blocking read (5 s).
        await eventually(none_left, timeout_s=10, message="the reader to stop")
    finally:
        await client.aclose()
