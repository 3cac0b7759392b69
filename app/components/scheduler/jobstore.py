"""APScheduler's job store: the leader's jobs in memory, saved to PostgreSQL
in the background.

APScheduler calls its job store synchronously, from the event loop. A store
that queried PostgreSQL there would hold up the loop on every firing, and
would need a synchronous driver (SQLAlchemy and psycopg) in a process that
otherwise needs neither. Only the leader writes jobs (see leader.py), so while
it leads its memory is the truth: the store loads the table when leadership
begins, answers APScheduler from memory, and a writer task saves each changed
job, in its latest state, on asyncpg's pool.

A save lost to a crash is harmless. The next leader finds the previous next
run time, sees that firing due again, and the run history's claim refuses to
run it twice (executor.py).

The table and its rows are those of APScheduler's SQLAlchemy job store
(pickled job state), so jobs that store saved load here, and back.
"""

import asyncio
import contextlib
import pickle
from typing import Any

import asyncpg
import structlog
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError

log = structlog.get_logger(__name__)

# A failed save (PostgreSQL away) is retried this often, with every change
# made meanwhile.
RETRY_S = 2.0

_CREATE = """
CREATE TABLE IF NOT EXISTS apscheduler_jobs (
    id varchar(191) PRIMARY KEY,
    next_run_time double precision,
    job_state bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_apscheduler_jobs_next_run_time
    ON apscheduler_jobs (next_run_time)
"""
_SELECT = "SELECT id, job_state FROM apscheduler_jobs"
_UPSERT = """
INSERT INTO apscheduler_jobs (id, next_run_time, job_state) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE
SET next_run_time = excluded.next_run_time, job_state = excluded.job_state
"""
_DELETE = "DELETE FROM apscheduler_jobs WHERE id = ANY($1::varchar[])"

type _Row = tuple[str, float | None, bytes]


class PostgresJobStore(BaseJobStore):
    """Opened with `open()` before the scheduler starts, closed with `close()`
    after it stops."""

    def __init__(self, pool: asyncpg.Pool, stored: dict[str, bytes]) -> None:
        super().__init__()
        self._pool = pool
        self._stored = stored
        self._jobs: dict[str, Job] = {}
        # Each changed job's row, or None for a removed job, until saved.
        self._unsaved: dict[str, _Row | None] = {}
        self._changed = asyncio.Event()
        self._saving = asyncio.Lock()
        self._writer: asyncio.Task | None = None

    @classmethod
    async def open(cls, pool: asyncpg.Pool) -> "PostgresJobStore":
        """The store, with the table's jobs (created if missing)."""
        async with pool.acquire() as connection:
            await connection.execute(_CREATE)
            rows = await connection.fetch(_SELECT)
        return cls(pool, {row["id"]: row["job_state"] for row in rows})

    def start(self, scheduler: Any, alias: str) -> None:
        super().start(scheduler, alias)
        stored, self._stored = self._stored, {}
        for job_id, state in stored.items():
            try:
                self._jobs[job_id] = self._restore(state)
            except Exception:  # its function is gone, or its state unreadable
                log.warning(
                    "removing a stored job that cannot be restored",
                    job_id=job_id,
                    exc_info=True,
                )
                self._stage(job_id, None)
        self._writer = asyncio.get_running_loop().create_task(self._save_changes())

    async def close(self, timeout_s: float) -> None:
        """Stop the writer and save what is left, for at most `timeout_s`."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        try:
            async with asyncio.timeout(timeout_s):
                await self.save()
        except Exception:  # the next leader starts from the last save
            log.warning("jobs not saved at shutdown", exc_info=True)

    async def save(self) -> None:
        """Save every job changed since the last save, in one transaction."""
        async with self._saving:
            changed, self._unsaved = self._unsaved, {}
            if not changed:
                return
            kept = [row for row in changed.values() if row is not None]
            removed = [job_id for job_id, row in changed.items() if row is None]
            try:
                async with self._pool.acquire() as connection:
                    async with connection.transaction():
                        if kept:
                            await connection.executemany(_UPSERT, kept)
                        if removed:
                            await connection.execute(_DELETE, removed)
            except BaseException:
                # Kept for the next save; a change made meanwhile wins.
                self._unsaved = changed | self._unsaved
                raise

    async def _save_changes(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            try:
                await self.save()
            except Exception:  # PostgreSQL away: keep the changes, retry
                log.warning("jobs not saved; retrying", exc_info=True)
                await asyncio.sleep(RETRY_S)
                self._changed.set()

    def _stage(self, job_id: str, row: _Row | None) -> None:
        self._unsaved[job_id] = row
        self._changed.set()

    def _restore(self, state: bytes) -> Job:
        job = Job.__new__(Job)
        job.__setstate__(pickle.loads(state))
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job

    # APScheduler's interface, answered from memory.

    def lookup_job(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def get_due_jobs(self, now: Any) -> list[Job]:
        return [
            job
            for job in self._scheduled()
            if job.next_run_time is not None and job.next_run_time <= now
        ]

    def get_next_run_time(self) -> Any:
        scheduled = self._scheduled()
        return scheduled[0].next_run_time if scheduled else None

    def get_all_jobs(self) -> list[Job]:
        paused = sorted(
            (job for job in self._jobs.values() if job.next_run_time is None),
            key=lambda job: job.id,
        )
        return [*self._scheduled(), *paused]

    def add_job(self, job: Job) -> None:
        if job.id in self._jobs:
            raise ConflictingIdError(job.id)
        row = _row(job)  # a job that cannot be saved is refused here, not later
        self._jobs[job.id] = job
        self._stage(job.id, row)

    def update_job(self, job: Job) -> None:
        if job.id not in self._jobs:
            raise JobLookupError(job.id)
        row = _row(job)
        self._jobs[job.id] = job
        self._stage(job.id, row)

    def remove_job(self, job_id: str) -> None:
        if self._jobs.pop(job_id, None) is None:
            raise JobLookupError(job_id)
        self._stage(job_id, None)

    def remove_all_jobs(self) -> None:
        for job_id in list(self._jobs):
            del self._jobs[job_id]
            self._stage(job_id, None)

    def _scheduled(self) -> list[Job]:
        """The jobs that are not paused, soonest first."""
        return sorted(
            (job for job in self._jobs.values() if job.next_run_time is not None),
            key=lambda job: (job.next_run_time.timestamp(), job.id),
        )


def _row(job: Job) -> _Row:
    """The job's row: id, next run as a timestamp (None when paused), state."""
    next_run = job.next_run_time.timestamp() if job.next_run_time else None
    return job.id, next_run, pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL)
