"""The task history's statements, on the real PostgreSQL: what each writes,
what a final status refuses, and what the readers return."""

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime, timedelta

import pytest

from app.core.config import Settings
from app.core.db import Database
from app.models.task_status import TaskStatus
from app.services.tasks.history import TaskHistory


@pytest.fixture
async def history(settings: Settings) -> AsyncGenerator[TaskHistory]:
    database = Database(settings)
    yield TaskHistory(database)
    await database.dispose()


async def _enqueue(history: TaskHistory, job_id: str, **kwargs: object) -> datetime:
    return await history.record_enqueued(
        job_id, task="t", queue="lenny", kwargs=kwargs, source="test", enqueued_by=None
    )


async def test_concurrent_enqueues_share_statements_yet_each_gets_its_row(
    history: TaskHistory,
) -> None:
    ids = [f"job-{n}" for n in range(40)]
    times = await asyncio.gather(*(_enqueue(history, i, n=i) for i in ids))
    assert all(isinstance(time, datetime) for time in times)
    runs = {i: await history.get(i) for i in ids}
    assert all(run is not None and run.kwargs == {"n": i} for i, run in runs.items())
    assert {run.status for run in runs.values() if run} == {TaskStatus.ENQUEUED}


async def test_enqueue_returns_the_database_time(history: TaskHistory) -> None:
    enqueued_at = await _enqueue(history, "j")
    run = await history.get("j")
    assert run is not None and run.enqueued_at == enqueued_at


async def test_a_run_from_start_to_finish(history: TaskHistory) -> None:
    await _enqueue(history, "j")
    await history.record_started("j", task="t", queue="lenny", attempt=1)
    await history.record_retrying("j", error="boom")
    await history.record_started("j", task="t", queue="lenny", attempt=2)
    await history.record_finished("j", TaskStatus.COMPLETED, result={"ok": [1, 2]})
    run = await history.get("j")
    assert run is not None
    assert (run.status, run.attempts, run.result) == ("completed", 2, {"ok": [1, 2]})
    assert run.finished_at is not None and run.duration_ms is not None
    assert run.duration_ms >= 0


async def test_a_final_status_is_never_overwritten(history: TaskHistory) -> None:
    await _enqueue(history, "j")
    await history.record_finished("j", TaskStatus.CANCELLED, error="cancelled")
    await history.record_started("j", task="t", queue="lenny", attempt=1)
    await history.record_retrying("j", error="late")
    await history.record_finished("j", TaskStatus.COMPLETED, result=1)
    run = await history.get("j")
    assert run is not None
    assert (run.status, run.error, run.result) == ("cancelled", "cancelled", None)


async def test_a_job_enqueued_elsewhere_gets_its_row_when_it_starts(
    history: TaskHistory,
) -> None:
    await history.record_started("elsewhere", task="t", queue="carl", attempt=1)
    run = await history.get("elsewhere")
    assert run is not None
    assert (run.status, run.source, run.kwargs) == ("running", "unknown", {})


async def test_pages_counts_outcomes_and_prune(history: TaskHistory) -> None:
    for n in range(5):
        await _enqueue(history, f"j{n}")
    await history.record_finished("j0", TaskStatus.FAILED, error="x")
    await history.record_finished("j1", TaskStatus.COMPLETED)

    page = await history.page(limit=2)
    assert ([run.id for run in page.items], page.total) == (["j4", "j3"], 5)
    oldest = await history.page(limit=2, offset=1, newest_first=False)
    assert [run.id for run in oldest.items] == ["j1", "j2"]
    failed = await history.page(queue="lenny", statuses=[TaskStatus.FAILED])
    assert [run.id for run in failed.items] == ["j0"]
    assert (await history.page(queue="homer")).total == 0

    assert await history.counts_by_status("lenny") == {
        "enqueued": 3,
        "failed": 1,
        "completed": 1,
    }
    assert await history.outcomes_since(timedelta(minutes=1)) == {
        "lenny": {"failed": 1, "completed": 1}
    }
    assert await history.prune(timedelta(0)) == 2
    assert await history.counts_by_status() == {"enqueued": 3}
