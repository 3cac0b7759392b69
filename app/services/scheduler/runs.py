"""The scheduler's run history: one row per firing, claimed before it runs.

The row is the claim: (job, scheduled time) is unique, so if two schedulers
ever both see the same firing (a failover between firing and saving the next
run time), the second finds the row taken and does not run the job again.

Plain SQL on asyncpg's pool (app.core.db), so that the scheduler never loads
SQLAlchemy. The table is the model app.models.scheduler.SchedulerRun; only the
readers that return its rows import it.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import asyncpg

from app.core.db import Database

if TYPE_CHECKING:
    from app.models.scheduler import SchedulerRun

_CLAIM = """
INSERT INTO scheduler_run (job_id, scheduled_for, trigger, instance, outcome)
VALUES ($1, $2, $3, $4, 'running')
ON CONFLICT ON CONSTRAINT uq_scheduler_run_time DO NOTHING
RETURNING id
"""
_FINISH = """
UPDATE scheduler_run
SET outcome = $2, result = $3::jsonb, error = $4, finished_at = now()
WHERE id = $1
"""
_PAGE = """
SELECT * FROM scheduler_run
WHERE $1::varchar IS NULL OR job_id = $1
ORDER BY scheduled_for DESC, id DESC
OFFSET $2 LIMIT $3
"""
_COUNT = "SELECT count(*) FROM scheduler_run WHERE $1::varchar IS NULL OR job_id = $1"
_PER_JOB = """
SELECT
    job_id,
    count(*) AS runs,
    count(*) FILTER (WHERE outcome = 'failed') AS failed,
    max(started_at) AS last_run_at,
    avg(extract(epoch FROM finished_at - started_at) * 1000) AS average_ms
FROM scheduler_run
WHERE started_at >= now() - $1::interval
GROUP BY job_id
"""
_PRUNE = "DELETE FROM scheduler_run WHERE started_at < now() - $1::interval"


@dataclass(frozen=True)
class RunPage:
    items: "list[SchedulerRun]"
    total: int
    offset: int
    limit: int


class SchedulerRuns:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def claim(
        self, job_id: str, scheduled_for: datetime, *, trigger: str, instance: str
    ) -> int | None:
        """The new run's id, or None if this firing was already claimed."""
        pool = await self.database.pool()
        return await pool.fetchval(_CLAIM, job_id, scheduled_for, trigger, instance)

    async def finish(
        self, run_id: int, *, result: Any = None, error: str | None = None
    ) -> None:
        outcome = "failed" if error else "succeeded"
        encoded = None if result is None else json.dumps(result)
        pool = await self.database.pool()
        await pool.execute(_FINISH, run_id, outcome, encoded, error)

    async def page(
        self, *, job_id: str | None = None, offset: int = 0, limit: int = 25
    ) -> RunPage:
        """Runs, newest first, of one job or all."""
        pool = await self.database.pool()
        async with pool.acquire() as connection:
            total = await connection.fetchval(_COUNT, job_id)
            rows = await connection.fetch(_PAGE, job_id, offset, limit)
        return RunPage([_run(row) for row in rows], total, offset, limit)

    async def statistics(self, since: timedelta) -> dict[str, Any]:
        """Counts by outcome over the last `since`, and per job."""
        pool = await self.database.pool()
        rows = await pool.fetch(_PER_JOB, since)
        jobs = {
            row["job_id"]: {
                "runs": row["runs"],
                "failed": row["failed"],
                "last_run_at": row["last_run_at"],
                "average_ms": round(float(row["average_ms"]), 1)
                if row["average_ms"] is not None
                else None,
            }
            for row in rows
        }
        runs = sum(int(row["runs"]) for row in rows)
        failed = sum(int(row["failed"]) for row in rows)
        return {
            "window_hours": since.total_seconds() / 3600,
            "runs": runs,
            "failed": failed,
            "succeeded_share": round(1 - failed / runs, 3) if runs else None,
            "jobs": jobs,
        }

    async def prune(self, older_than: timedelta) -> int:
        pool = await self.database.pool()
        status = await pool.execute(_PRUNE, older_than)
        return int(status.rpartition(" ")[2])


def _run(row: asyncpg.Record) -> "SchedulerRun":
    from app.models.scheduler import SchedulerRun

    values = dict(row)
    if values["result"] is not None:
        values["result"] = json.loads(values["result"])
    return SchedulerRun.model_validate(values)
