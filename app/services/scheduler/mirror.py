"""The published copy of the scheduler's jobs, which the webserver and CLI read.

The leading scheduler replaces it whenever its jobs change; readers never
touch APScheduler's own (pickled) job store.

Plain SQL on asyncpg's pool (app.core.db), so that the scheduler never loads
SQLAlchemy. The table is the model app.models.scheduler.ScheduledJob; only the
readers, which return it, import it.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg

from app.core.db import Database

if TYPE_CHECKING:
    from app.models.scheduler import ScheduledJob

_COLUMNS = ("id", "name", "description", "kind", "schedule", "next_run_at", "paused")
_DELETE_OTHERS = "DELETE FROM scheduler_job WHERE id <> ALL($1::varchar[])"
_UPSERT = f"""
INSERT INTO scheduler_job ({", ".join(_COLUMNS)})
VALUES ({", ".join(f"${n}" for n in range(1, len(_COLUMNS) + 1))})
ON CONFLICT (id) DO UPDATE
SET {", ".join(f"{column} = excluded.{column}" for column in _COLUMNS[1:])},
    published_at = excluded.published_at
"""
_SELECT = "SELECT * FROM scheduler_job"
_ORDER = " ORDER BY paused, next_run_at ASC NULLS LAST, id"


@dataclass(frozen=True)
class PublishedJob:
    id: str
    name: str
    description: str
    kind: str
    schedule: str
    next_run_at: datetime | None
    paused: bool


class JobMirror:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def publish(self, jobs: list[PublishedJob]) -> None:
        """Make the mirror exactly `jobs`, in one transaction."""
        pool = await self.database.pool()
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(_DELETE_OTHERS, [job.id for job in jobs])
            if jobs:
                await connection.executemany(_UPSERT, [_row(job) for job in jobs])

    async def jobs(self) -> "list[ScheduledJob]":
        """Every published job, soonest first, paused ones last."""
        pool = await self.database.pool()
        return [_scheduled_job(row) for row in await pool.fetch(_SELECT + _ORDER)]

    async def job(self, job_id: str) -> "ScheduledJob | None":
        pool = await self.database.pool()
        row = await pool.fetchrow(_SELECT + " WHERE id = $1", job_id)
        return _scheduled_job(row) if row else None


def _row(job: PublishedJob) -> tuple:
    values = asdict(job)
    return tuple(values[column] for column in _COLUMNS)


def _scheduled_job(row: asyncpg.Record) -> "ScheduledJob":
    from app.models.scheduler import ScheduledJob

    return ScheduledJob.model_validate(dict(row))
