"""The stack as `sector-7g up` runs it, used through Traefik."""

import time

import httpx
import psycopg
from playwright.async_api import Browser

from tests.e2e.conftest import ADMIN, PASSWORD, QUEUES, Stack
from tests.utils.browser import Dashboard, chromium

# A job for each queue that always succeeds.
JOBS = {
    "inanimate_rod": "trim_event_stream",
    "homer": "rush_out_task",
    "lenny": "file_report_task",
    "carl": "make_announcement_task",
    "charlie": "log_shift_notes_task",
    "grimey": "audit_task_history",
}


def test_up_runs_every_process_of_the_table(stack: Stack) -> None:
    roles = set(stack.processes())
    assert roles == {"webserver", "scheduler", "traefik"} | {
        f"worker-{queue}" for queue in QUEUES
    }
    assert set(JOBS) == set(QUEUES)
    assert len(stack.app_processes()) == 8
    print(f"ready {stack.ready_after_s:.1f} s after `sector-7g up`")  # see bench/


def test_a_job_on_every_queue_completes_through_traefik(stack: Stack) -> None:
    with stack.api() as api:
        job_ids = {}
        for queue, task in JOBS.items():
            response = api.post("/api/v1/tasks/enqueue", json={"task": task})
            assert response.status_code == 202, response.text
            assert response.json()["queue"] == queue
            job_ids[queue] = response.json()["job_id"]
        deadline = time.monotonic() + 60
        statuses: dict[str, str] = {}
        while time.monotonic() < deadline:
            statuses = {
                queue: api.get(f"/api/v1/tasks/{job_id}").json()["status"]
                for queue, job_id in job_ids.items()
            }
            if set(statuses.values()) == {"completed"}:
                break
            time.sleep(0.2)
        assert set(statuses.values()) == {"completed"}, statuses
    with psycopg.connect(stack.settings.DATABASE_URL) as connection:
        rows = connection.execute(
            "SELECT queue, status FROM task_history WHERE id = ANY(%s)",
            (list(job_ids.values()),),
        ).fetchall()
    assert sorted(rows) == sorted((queue, "completed") for queue in JOBS)


async def test_the_dashboard_through_traefik_connects_its_websocket(
    stack: Stack,
) -> None:
    async with chromium() as browser:
        await _dashboard_logs_in(browser, stack.url)
    # The page and its assets came through Traefik, as did the websocket
    # (the login above needs it): Traefik counted the upgrade as a 101.
    with httpx.Client(base_url=stack.url) as client:
        page = client.get("/dashboard/")
    assert page.status_code == 200 and "<title>Sector 7G</title>" in page.text


async def _dashboard_logs_in(browser: Browser, url: str) -> None:
    async with Dashboard.open(browser, url) as tab:
        await tab.log_in(ADMIN, PASSWORD)
        await tab.shows("overall-status")
        await tab.click("view-toggle")
        assert "Traefik 3" in await tab.wait_text(
            "card-ingress", lambda text: "Traefik 3" in text, timeout_s=15
        )
