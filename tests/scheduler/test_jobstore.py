"""The scheduler's job store on the real PostgreSQL: APScheduler's answers from
memory, what reaches the table, a failed save retried, and rows that APScheduler's
own SQLAlchemy job store reads and writes."""

import asyncio
import pickle
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine

import app.components.scheduler.jobstore as jobstore_module
from app.components.scheduler.jobstore import PostgresJobStore
from app.core.config import Settings
from app.core.db import Database

ACTION = "app.components.scheduler.actions:enqueue_tasks"


@pytest.fixture
async def pool(settings: Settings) -> AsyncGenerator[asyncpg.Pool]:
    database = Database(settings)
    yield await database.pool()
    await database.dispose()


async def _stored(pool: asyncpg.Pool) -> dict[str, float | None]:
    rows = await pool.fetch("SELECT id, next_run_time FROM apscheduler_jobs")
    return {row["id"]: row["next_run_time"] for row in rows}


async def _until(check: Callable[[], Awaitable[bool]], timeout_s: float = 10) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(0.05)


async def _leading(pool: asyncpg.Pool) -> tuple[AsyncIOScheduler, PostgresJobStore]:
    store = await PostgresJobStore.open(pool)
    scheduler = AsyncIOScheduler(jobstores={"default": store}, timezone="UTC")
    scheduler.start(paused=True)
    return scheduler, store


async def _step_down(scheduler: AsyncIOScheduler, store: PostgresJobStore) -> None:
    scheduler.shutdown(wait=False)
    await store.close(5)


def _add(scheduler: AsyncIOScheduler, job_id: str, minutes: int) -> None:
    scheduler.add_job(
        ACTION, "interval", minutes=minutes, args=["lenny", ["x"]], id=job_id
    )


async def test_jobs_saved_by_one_leader_load_in_the_next(pool: asyncpg.Pool) -> None:
    scheduler, store = await _leading(pool)
    _add(scheduler, "soon", 1)
    _add(scheduler, "later", 5)
    _add(scheduler, "gone", 3)
    scheduler.remove_job("gone")
    scheduler.pause_job("later")
    before = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    await _step_down(scheduler, store)
    stored = await _stored(pool)
    assert stored.keys() == {"soon", "later"} and stored["later"] is None
    soon = before["soon"]
    assert soon is not None and stored["soon"] == soon.timestamp()

    scheduler, store = await _leading(pool)
    try:
        assert {job.id: job.next_run_time for job in scheduler.get_jobs()} == before
        job = scheduler.get_job("soon")
        assert job is not None and job.args == ("lenny", ["x"])
        assert str(job.trigger) == "interval[0:01:00]"
    finally:
        await _step_down(scheduler, store)


async def test_the_store_answers_apscheduler_from_memory(pool: asyncpg.Pool) -> None:
    scheduler, store = await _leading(pool)
    try:
        _add(scheduler, "b", 10)
        _add(scheduler, "a", 2)
        _add(scheduler, "c", 5)
        scheduler.pause_job("a")
        assert [job.id for job in store.get_all_jobs()] == ["c", "b", "a"]
        c = store.lookup_job("c")
        assert c is not None and store.get_next_run_time() == c.next_run_time
        assert c.next_run_time is not None
        assert store.get_due_jobs(c.next_run_time - timedelta(seconds=1)) == []
        assert store.get_due_jobs(c.next_run_time) == [c]
        with pytest.raises(ConflictingIdError):
            store.add_job(c)
        with pytest.raises(JobLookupError):
            store.remove_job("missing")
        store.remove_all_jobs()
        assert store.get_all_jobs() == [] and store.get_next_run_time() is None
    finally:
        await _step_down(scheduler, store)
    assert await _stored(pool) == {}


async def test_changes_reach_the_table_without_waiting_for_shutdown(
    pool: asyncpg.Pool,
) -> None:
    scheduler, store = await _leading(pool)
    try:
        _add(scheduler, "j", 1)
        await _until(lambda: _has(pool, "j"))
        scheduler.pause_job("j")
        await _until(lambda: _paused(pool, "j"))
    finally:
        await _step_down(scheduler, store)


async def test_a_failed_save_keeps_the_changes_and_retries(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobstore_module, "RETRY_S", 0.1)
    scheduler, store = await _leading(pool)
    try:
        await pool.execute("ALTER TABLE apscheduler_jobs RENAME TO away")
        try:
            _add(scheduler, "j", 1)
            await asyncio.sleep(0.5)  # several saves fail meanwhile
        finally:
            await pool.execute("ALTER TABLE away RENAME TO apscheduler_jobs")
        await _until(lambda: _has(pool, "j"))
    finally:
        await _step_down(scheduler, store)


async def test_a_job_that_cannot_be_saved_is_refused_when_added(
    pool: asyncpg.Pool,
) -> None:
    """As APScheduler's own stores refuse it: at once, not in a later save
    that would then hold back every other job's."""
    scheduler, store = await _leading(pool)
    try:
        # pickle refuses a lambda defined in a function: "Can't get local object"
        with pytest.raises(AttributeError, match="local object"):
            scheduler.add_job(
                ACTION,
                "interval",
                minutes=1,
                args=["lenny", [lambda: None]],
                id="unsaveable",
            )
        assert store.lookup_job("unsaveable") is None
        _add(scheduler, "fine", 1)
        await _until(lambda: _has(pool, "fine"))
    finally:
        await _step_down(scheduler, store)
    assert (await _stored(pool)).keys() == {"fine"}


async def test_a_stored_job_that_cannot_be_restored_is_removed(
    pool: asyncpg.Pool,
) -> None:
    (await PostgresJobStore.open(pool))  # creates the table
    state = pickle.dumps({"version": 1, "id": "broken", "func": "no.such:thing"})
    await pool.execute(
        "INSERT INTO apscheduler_jobs VALUES ('broken', NULL, $1), ('junk', NULL, $2)",
        state,
        b"not a pickle",
    )
    scheduler, store = await _leading(pool)
    try:
        assert scheduler.get_jobs() == []
        await _until(lambda: _is_empty(pool))
    finally:
        await _step_down(scheduler, store)


async def test_rows_read_and_written_by_apscheduler_sqlalchemy_store(
    pool: asyncpg.Pool, settings: Settings
) -> None:
    scheduler, store = await _leading(pool)
    _add(scheduler, "ours", 7)
    await _step_down(scheduler, store)

    engine = create_engine(settings.database_url_sync)
    theirs = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)}
    )
    theirs.start(paused=True)
    try:
        ours = theirs.get_job("ours")
        assert ours is not None and str(ours.trigger) == "interval[0:07:00]"
        theirs.add_job(
            ACTION,
            "date",
            run_date=datetime.now(UTC) + timedelta(hours=1),
            args=["carl", ["y"]],
            id="theirs",
        )
    finally:
        theirs.shutdown()
        engine.dispose()

    scheduler, store = await _leading(pool)
    try:
        job = scheduler.get_job("theirs")
        assert job is not None and job.args == ("carl", ["y"])
    finally:
        await _step_down(scheduler, store)


async def _has(pool: asyncpg.Pool, job_id: str) -> bool:
    return job_id in await _stored(pool)


async def _paused(pool: asyncpg.Pool, job_id: str) -> bool:
    stored = await _stored(pool)
    return job_id in stored and stored[job_id] is None


async def _is_empty(pool: asyncpg.Pool) -> bool:
    return await _stored(pool) == {}
