"""Detail views: the worker's task history, read a page at a time."""

import asyncio
from pathlib import Path

from playwright.async_api import Browser

from app.core.config import Settings
from app.core.db import Database
from app.models.task_status import TaskStatus
from app.services.tasks.history import TaskHistory
from tests.dashboard.conftest import ADMIN, Plant
from tests.utils.browser import Dashboard

HOMERS_ERROR = "SimulatedFailureError: D'oh! Homer botched it"


async def _record(
    settings: Settings, queue: str, count: int, status: TaskStatus, error: str = ""
) -> list[str]:
    """`count` finished jobs, written as a worker writes them; their ids."""
    database = Database(settings)
    history = TaskHistory(database)
    ids = [f"{queue}-{status}-{n:02d}" for n in range(count)]
    try:
        for job_id in ids:
            await history.record_enqueued(
                job_id,
                task=f"{queue}_sim_task",
                queue=queue,
                kwargs={},
                source="test",
                enqueued_by=None,
            )
            await history.record_started(
                job_id, task=f"{queue}_sim_task", queue=queue, attempt=1
            )
            await history.record_finished(job_id, status, error=error or None)
            await asyncio.sleep(0.002)  # distinct enqueue times, a stable order
    finally:
        await database.dispose()
    return ids


async def _job_ids(tab: Dashboard) -> set[str]:
    return {
        i.removeprefix("job-")
        for i in await tab.identifiers()
        if i.startswith("job-") and not i.startswith("job-lifecycle")
    }


async def test_history_pages_stay_put_filter_and_show_why_jobs_failed(
    plant: Plant, browser: Browser, tmp_path: Path
) -> None:
    done = await _record(plant.settings, "carl", 30, TaskStatus.COMPLETED)
    failed = await _record(
        plant.settings, "homer", 3, TaskStatus.FAILED, f"{HOMERS_ERROR}\ndetails"
    )
    async with Dashboard.open(browser, plant.url) as tab:
        await tab.log_in(ADMIN, plant.password)
        await tab.click("row-worker")
        assert await tab.wait_text("history-page", bool) == "1-25 of 33"
        first = await _job_ids(tab)
        assert len(first) == 25

        # Jobs enqueued meanwhile do not shift the pages being read.
        await _record(plant.settings, "lenny", 4, TaskStatus.COMPLETED)
        await tab.click("history-next")
        await tab.wait_text("history-page", lambda text: text == "26-33 of 33")
        second = await _job_ids(tab)
        assert first.isdisjoint(second)
        assert first | second == set(done) | set(failed)
        # Back at the start, the newcomers are in.
        await tab.click("history-prev")
        await tab.wait_text("history-page", lambda text: text == "1-25 of 37")

        await tab.click("history-status")
        await tab.click("history-status-failed")
        await tab.wait_text("history-page", lambda text: text == "1-3 of 3")
        assert await _job_ids(tab) == set(failed)
        assert HOMERS_ERROR in await tab.text("history-table")

        await tab.click_until(f"job-{failed[0]}", shows="job-lifecycle")
        lifecycle = await tab.wait_text("job-lifecycle", lambda t: failed[0] in t)
        assert "Enqueued" in lifecycle and "Started" in lifecycle
        assert "Failed" in lifecycle and f"{HOMERS_ERROR} details" in lifecycle
        await tab.click("dialog-close")

        await tab.click("history-queue")
        await tab.click("history-queue-carl")
        await tab.click("history-status")
        await tab.click("history-status-all")
        await tab.wait_text("history-page", lambda text: text == "1-25 of 30")
        await tab.click("history-next")
        await tab.wait_text("history-page", lambda text: text == "26-30 of 30")
        assert await _job_ids(tab) <= set(done)
