"""The published copy of the scheduler's jobs, which the webserver and CLI read.

The leading scheduler replaces it whenever its jobs change; readers never
touch APScheduler's own (pickled) job store.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from app.core.db import Database
from app.models.scheduler import ScheduledJob

_table = ScheduledJob.metadata.tables["scheduler_job"]
_c = _table.c


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
        async with self.database.async_engine.begin() as connection:
            await connection.execute(
                delete(_table).where(_c.id.notin_([job.id for job in jobs]))
            )
            if not jobs:
                return
            statement = insert(_table).values(
                [
                    {
                        "id": job.id,
                        "name": job.name,
                        "description": job.description,
                        "kind": job.kind,
                        "schedule": job.schedule,
                        "next_run_at": job.next_run_at,
                        "paused": job.paused,
                    }
                    for job in jobs
                ]
            )
            excluded = statement.excluded
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[_c.id],
                    set_={
                        "name": excluded.name,
                        "description": excluded.description,
                        "kind": excluded.kind,
                        "schedule": excluded.schedule,
                        "next_run_at": excluded.next_run_at,
                        "paused": excluded.paused,
                        "published_at": excluded.published_at,
                    },
                )
            )

    async def jobs(self) -> list[ScheduledJob]:
        """Every published job, soonest first, paused ones last."""
        query = select(_table).order_by(
            _c.paused, _c.next_run_at.asc().nulls_last(), _c.id
        )
        async with self.database.autocommit_engine.connect() as connection:
            rows = await connection.execute(query)
            return [ScheduledJob.model_validate(row._mapping) for row in rows]

    async def job(self, job_id: str) -> ScheduledJob | None:
        async with self.database.autocommit_engine.connect() as connection:
            row = (
                await connection.execute(select(_table).where(_c.id == job_id))
            ).first()
        return ScheduledJob.model_validate(row._mapping) if row else None
