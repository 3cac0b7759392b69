"""The scheduler's run history: one row per firing, claimed before it runs.

The row is the claim: (job, scheduled time) is unique, so if two schedulers
ever both see the same firing (a failover between firing and saving the next
run time), the second finds the row taken and does not run the job again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, null, select, update
from sqlalchemy.dialects.postgresql import insert

from app.core.db import Database
from app.models.scheduler import SchedulerRun

_table = SchedulerRun.metadata.tables["scheduler_run"]
_c = _table.c


@dataclass(frozen=True)
class RunPage:
    items: list[SchedulerRun]
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
        statement = (
            insert(_table)
            .values(
                job_id=job_id,
                scheduled_for=scheduled_for,
                trigger=trigger,
                instance=instance,
                outcome="running",
            )
            .on_conflict_do_nothing(constraint="uq_scheduler_run_time")
            .returning(_c.id)
        )
        async with self.database.autocommit_engine.connect() as connection:
            return (await connection.execute(statement)).scalar_one_or_none()

    async def finish(
        self, run_id: int, *, result: Any = None, error: str | None = None
    ) -> None:
        statement = (
            update(_table)
            .where(_c.id == run_id)
            .values(
                outcome="failed" if error else "succeeded",
                result=result if result is not None else null(),
                error=error,
                finished_at=func.now(),
            )
        )
        async with self.database.autocommit_engine.connect() as connection:
            await connection.execute(statement)

    async def page(
        self, *, job_id: str | None = None, offset: int = 0, limit: int = 25
    ) -> RunPage:
        """Runs, newest first, of one job or all."""
        conditions = [_c.job_id == job_id] if job_id is not None else []
        query = (
            select(_table)
            .where(*conditions)
            .order_by(_c.scheduled_for.desc(), _c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        count = select(func.count()).select_from(_table).where(*conditions)
        async with self.database.autocommit_engine.connect() as connection:
            total = (await connection.execute(count)).scalar_one()
            rows = await connection.execute(query)
            items = [SchedulerRun.model_validate(row._mapping) for row in rows]
        return RunPage(items, total, offset, limit)

    async def statistics(self, since: timedelta) -> dict[str, Any]:
        """Counts by outcome over the last `since`, and per job."""
        recent = _c.started_at >= func.now() - since
        per_job = (
            select(
                _c.job_id,
                func.count().label("runs"),
                func.count().filter(_c.outcome == "failed").label("failed"),
                func.max(_c.started_at).label("last_run_at"),
                func.avg(
                    case(
                        (
                            _c.finished_at.is_not(None),
                            func.extract("epoch", _c.finished_at - _c.started_at)
                            * 1000,
                        )
                    )
                ).label("average_ms"),
            )
            .where(recent)
            .group_by(_c.job_id)
        )
        async with self.database.autocommit_engine.connect() as connection:
            rows = [row._mapping for row in await connection.execute(per_job)]
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
        statement = delete(_table).where(_c.started_at < func.now() - older_than)
        async with self.database.autocommit_engine.connect() as connection:
            return (await connection.execute(statement)).rowcount
