"""The Rod's maintenance and Grimey's audit do real work on real data."""

from collections.abc import AsyncGenerator

import psycopg
import pytest

from app.components.worker.queues import task_catalog
from app.components.worker.runtime import WorkerRuntime
from app.components.worker.tasks import maintenance
from app.core.config import Settings
from app.core.topology import load_topology
from app.services.tasks.events import event


@pytest.fixture
async def ctx(settings: Settings) -> AsyncGenerator[dict]:
    """What a worker gives its tasks, opened against the test servers."""
    topology = load_topology()
    runtime = WorkerRuntime.open(
        settings, topology.queue("inanimate_rod"), topology, task_catalog()
    )
    yield {"runtime": runtime, "topology": topology, "time_scale": 0.0}
    await runtime.services.close()


async def _enqueue(ctx: dict, task: str) -> str:
    job = await ctx["runtime"].services.dispatcher.enqueue(task, source="test")
    return job.job_id


async def test_prune_deletes_only_finished_rows_past_retention(
    ctx: dict, database_url: str
) -> None:
    old, recent, waiting = [await _enqueue(ctx, "rush_out_task") for _ in range(3)]
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE task_history SET status = 'completed',"
            " finished_at = now() - interval '30 days' WHERE id = %s",
            (old,),
        )
        connection.execute(
            "UPDATE task_history SET status = 'completed', finished_at = now()"
            " WHERE id = %s",
            (recent,),
        )
    result = await maintenance.prune_task_history(ctx)
    history = ctx["runtime"].history
    assert result["deleted"] == 1
    assert await history.get(old) is None
    assert await history.get(recent) is not None
    assert await history.get(waiting) is not None


async def test_trim_event_stream_reports_what_remains(ctx: dict) -> None:
    await ctx["runtime"].events.publish(event("job.started"))
    result = await maintenance.trim_event_stream(ctx)
    assert (result["trimmed"], result["remaining"]) == (0, 1)


async def test_health_check_records_a_snapshot_of_every_queue(
    ctx: dict, database_url: str
) -> None:
    await _enqueue(ctx, "eat_donut_task")
    result = await maintenance.system_health_check(ctx)
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT payload FROM health_snapshot").fetchall()
    assert len(rows) == 1
    payload = rows[0][0]
    assert result["status"] == "warning"  # no worker is running in this test
    assert payload["queues"]["homer"]["queued"] == 1
    assert set(payload["queues"]) == set(ctx["topology"].queues)


async def test_grimeys_audit_finds_rows_that_do_not_add_up(
    ctx: dict, database_url: str
) -> None:
    clean = await maintenance.audit_task_history(ctx)
    job = await _enqueue(ctx, "rush_out_task")
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE task_history SET status = 'completed', started_at = now(),"
            " finished_at = now() - interval '1 hour', attempts = 1 WHERE id = %s",
            (job,),
        )
    dirty = await maintenance.audit_task_history(ctx)
    assert sum(clean["findings"].values()) == 0
    assert dirty["findings"]["finished before they started"] == 1


async def test_concurrent_lifecycle_writes_land_on_every_row(ctx: dict) -> None:
    """Batched writes (many jobs in one statement) update each row correctly."""
    import asyncio

    from app.models.task_status import TaskStatus

    history = ctx["runtime"].history
    jobs = [await _enqueue(ctx, "rush_out_task") for _ in range(20)]
    await asyncio.gather(
        *(
            history.record_started(j, task="rush_out_task", queue="homer", attempt=1)
            for j in jobs
        )
    )
    await asyncio.gather(
        *(
            history.record_finished(j, TaskStatus.COMPLETED, result={"n": n})
            for n, j in enumerate(jobs)
        )
    )
    rows = [await history.get(j) for j in jobs]
    assert [row.status for row in rows] == ["completed"] * 20
    assert [row.result for row in rows] == [{"n": n} for n in range(20)]
    assert all(row.duration_ms is not None and row.attempts == 1 for row in rows)
