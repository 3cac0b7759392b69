"""The scheduler's run history and published jobs, on the real PostgreSQL."""

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta

import pytest

from app.core.config import Settings
from app.core.db import Database
from app.services.scheduler.mirror import JobMirror, PublishedJob
from app.services.scheduler.runs import SchedulerRuns

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
async def database(settings: Settings) -> AsyncGenerator[Database]:
    database = Database(settings)
    yield database
    await database.dispose()


async def test_a_firing_is_claimed_once_and_finished_with_its_result(
    database: Database,
) -> None:
    runs = SchedulerRuns(database)
    first = await runs.claim("j", AT, trigger="schedule", instance="a")
    assert first is not None
    assert await runs.claim("j", AT, trigger="schedule", instance="b") is None
    failed = await runs.claim(
        "j", AT + timedelta(hours=1), trigger="manual", instance="a"
    )
    assert failed is not None
    other = await runs.claim("k", AT, trigger="schedule", instance="a")
    assert other is not None
    await runs.finish(first, result={"enqueued": ["x", "y"]})
    await runs.finish(failed, error="ValueError: no")

    page = await runs.page(job_id="j")
    assert page.total == 2 and [run.id for run in page.items] == [failed, first]
    newest, oldest = page.items
    assert (newest.outcome, newest.error, newest.result) == (
        "failed",
        "ValueError: no",
        None,
    )
    assert (oldest.outcome, oldest.result) == ("succeeded", {"enqueued": ["x", "y"]})
    assert oldest.finished_at is not None and oldest.instance == "a"
    everything = await runs.page(offset=1, limit=1)
    assert everything.total == 3 and len(everything.items) == 1

    statistics = await runs.statistics(timedelta(hours=1))
    assert (statistics["runs"], statistics["failed"]) == (3, 1)
    assert statistics["jobs"]["j"]["runs"] == 2
    assert statistics["jobs"]["k"]["average_ms"] is None  # still running
    assert await runs.prune(timedelta(hours=1)) == 0
    assert await runs.prune(timedelta(0)) == 3


async def test_publishing_replaces_the_mirror(database: Database) -> None:
    mirror = JobMirror(database)
    soon = PublishedJob("soon", "Soon", "d", "timeline", "daily", AT, paused=False)
    held = PublishedJob("held", "Held", "", "simulation", "every 5 s", None, True)
    late = PublishedJob("late", "Late", "", "maintenance", "daily", AT, paused=False)
    await mirror.publish([held, late, soon])
    assert [job.id for job in await mirror.jobs()] == ["late", "soon", "held"]
    renamed = PublishedJob("soon", "Sooner", "d", "timeline", "daily", None, True)
    await mirror.publish([renamed])
    jobs = await mirror.jobs()
    assert [(job.id, job.name, job.paused, job.next_run_at) for job in jobs] == [
        ("soon", "Sooner", True, None)
    ]
    assert jobs[0].published_at is not None
    assert await mirror.job("late") is None
    await mirror.publish([])
    assert await mirror.jobs() == []
