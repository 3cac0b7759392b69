"""Task history in PostgreSQL: written at enqueue and by the worker, read by all.

Timestamps come from the database clock, so rows written by different hosts
agree. A final status (completed, failed, cancelled) is never overwritten.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Integer, cast, delete, extract, func, select, update
from sqlalchemy.dialects.postgresql import insert

from app.core.db import Database
from app.models.task_history import FINAL_STATUSES, TaskRun, TaskStatus

_table = TaskRun.metadata.tables["task_history"]
_c = _table.c
_NOT_FINAL = _c.status.notin_([status.value for status in FINAL_STATUSES])
_ELAPSED_MS = cast(extract("epoch", func.now() - _c.started_at) * 1000, Integer)


@dataclass(frozen=True)
class HistoryPage:
    items: list[TaskRun]
    total: int
    offset: int
    limit: int


class TaskHistory:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def record_enqueued(
        self,
        job_id: str,
        *,
        task: str,
        queue: str,
        kwargs: dict[str, Any],
        source: str,
        enqueued_by: int | None,
    ) -> None:
        statement = _table.insert().values(
            id=job_id,
            task=task,
            queue=queue,
            kwargs=kwargs,
            status=TaskStatus.ENQUEUED,
            source=source,
            enqueued_by=enqueued_by,
        )
        await self._execute(statement)

    async def forget(self, job_id: str) -> None:
        """Remove a row whose job never reached the queue."""
        await self._execute(delete(_table).where(_c.id == job_id))

    async def record_started(
        self, job_id: str, *, task: str, queue: str, attempt: int
    ) -> None:
        """Running attempt `attempt`; creates the row for a job enqueued elsewhere."""
        statement = insert(_table).values(
            id=job_id,
            task=task,
            queue=queue,
            status=TaskStatus.RUNNING,
            source="unknown",
            attempts=attempt,
            started_at=func.now(),
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_c.id],
            set_={
                "status": TaskStatus.RUNNING,
                "attempts": attempt,
                "started_at": func.now(),
            },
            where=_NOT_FINAL,
        )
        await self._execute(statement)

    async def record_retrying(self, job_id: str, *, error: str) -> None:
        await self._update(job_id, status=TaskStatus.RETRYING, error=error)

    async def record_finished(
        self,
        job_id: str,
        status: TaskStatus,
        *,
        result: Any = None,
        error: str | None = None,
    ) -> bool:
        """Mark the job final; False if it already was."""
        return await self._update(
            job_id,
            status=status,
            result=result,
            error=error,
            finished_at=func.now(),
            duration_ms=_ELAPSED_MS,
        )

    async def get(self, job_id: str) -> TaskRun | None:
        rows = await self._fetch(select(_table).where(_c.id == job_id))
        return TaskRun.model_validate(rows[0]) if rows else None

    async def page(
        self,
        *,
        queue: str | None = None,
        statuses: Sequence[TaskStatus] = (),
        offset: int = 0,
        limit: int = 25,
        newest_first: bool = True,
    ) -> HistoryPage:
        """One page across every queue (or one), filtered, in one query."""
        conditions = []
        if queue is not None:
            conditions.append(_c.queue == queue)
        if statuses:
            conditions.append(_c.status.in_([status.value for status in statuses]))
        order = (
            (_c.enqueued_at.desc(), _c.id.desc())
            if newest_first
            else (
                _c.enqueued_at.asc(),
                _c.id.asc(),
            )
        )
        query = select(_table).where(*conditions).order_by(*order)
        count = select(func.count()).select_from(_table).where(*conditions)
        async with self.database.async_engine.connect() as connection:
            total = (await connection.execute(count)).scalar_one()
            rows = await connection.execute(query.offset(offset).limit(limit))
            items = [TaskRun.model_validate(row._mapping) for row in rows]
        return HistoryPage(items, total, offset, limit)

    async def counts_by_status(self, queue: str | None = None) -> dict[str, int]:
        query = select(_c.status, func.count().label("count")).group_by(_c.status)
        if queue is not None:
            query = query.where(_c.queue == queue)
        return {row["status"]: row["count"] for row in await self._fetch(query)}

    async def prune(self, older_than: timedelta) -> int:
        """Delete finished rows older than `older_than`; how many went."""
        statement = delete(_table).where(
            _c.finished_at < func.now() - older_than, ~_NOT_FINAL
        )
        async with self.database.async_engine.begin() as connection:
            return (await connection.execute(statement)).rowcount

    async def _update(self, job_id: str, **values: Any) -> bool:
        statement = update(_table).where(_c.id == job_id, _NOT_FINAL).values(**values)
        async with self.database.async_engine.begin() as connection:
            return (await connection.execute(statement)).rowcount > 0

    async def _fetch(self, query: Any) -> list[Any]:
        async with self.database.async_engine.connect() as connection:
            return [row._mapping for row in await connection.execute(query)]

    async def _execute(self, statement: Any) -> None:
        async with self.database.async_engine.begin() as connection:
            await connection.execute(statement)
