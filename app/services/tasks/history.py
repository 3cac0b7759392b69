"""Task history in PostgreSQL: written at enqueue and by the worker, read by all.

Timestamps come from the database clock, so rows written by different hosts
agree. A final status (completed, failed, cancelled) is never overwritten.
Writes are grouped (see app.core.batching): under load, a process sends one
statement for many jobs, yet each caller still awaits its own row.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    bindparam,
    cast,
    delete,
    extract,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert

from app.core.batching import Batcher
from app.core.db import Database
from app.models.task_history import FINAL_STATUSES, TaskRun, TaskStatus

_table = TaskRun.metadata.tables["task_history"]
_c = _table.c
# Inlined constants, not an expanding IN: batched statements (executemany)
# cannot take expanding parameters.
_NOT_FINAL = _c.status.notin_(
    [literal_column(f"'{status.value}'") for status in sorted(FINAL_STATUSES)]
)
_ELAPSED_MS = cast(extract("epoch", func.now() - _c.started_at) * 1000, Integer)

_INSERT_ENQUEUED = insert(_table).returning(
    _c.enqueued_at, sort_by_parameter_order=True
)
_UPSERT_STARTED = (
    insert(_table)
    .values(status=TaskStatus.RUNNING, source="unknown", started_at=func.now())
    .on_conflict_do_update(
        index_elements=[_c.id],
        set_={
            "status": TaskStatus.RUNNING,
            "attempts": insert(_table).excluded.attempts,
            "started_at": func.now(),
        },
        where=_NOT_FINAL,
    )
)
_MARK_RETRYING = (
    update(_table)
    .where(_c.id == bindparam("b_id"), _NOT_FINAL)
    .values(status=TaskStatus.RETRYING, error=bindparam("b_error"))
)
_MARK_FINISHED = (
    update(_table)
    .where(_c.id == bindparam("b_id"), _NOT_FINAL)
    .values(
        status=bindparam("b_status"),
        result=bindparam("b_result", type_=JSONB(none_as_null=True)),
        error=bindparam("b_error"),
        finished_at=func.now(),
        duration_ms=_ELAPSED_MS,
    )
)


@dataclass(frozen=True)
class HistoryPage:
    items: list[TaskRun]
    total: int
    offset: int
    limit: int


class TaskHistory:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._enqueued = Batcher(self._insert_enqueued)
        self._started = Batcher(self._write(_UPSERT_STARTED))
        self._retrying = Batcher(self._write(_MARK_RETRYING))
        self._finished = Batcher(self._write(_MARK_FINISHED))

    async def record_enqueued(
        self,
        job_id: str,
        *,
        task: str,
        queue: str,
        kwargs: dict[str, Any],
        source: str,
        enqueued_by: int | None,
    ) -> datetime:
        """Insert the row; its enqueue time (the database's clock)."""
        return await self._enqueued.submit(
            {
                "id": job_id,
                "task": task,
                "queue": queue,
                "kwargs": kwargs,
                "status": TaskStatus.ENQUEUED,
                "source": source,
                "enqueued_by": enqueued_by,
            }
        )

    async def forget(self, job_id: str) -> None:
        """Remove a row whose job never reached the queue."""
        async with self.database.autocommit_engine.connect() as connection:
            await connection.execute(delete(_table).where(_c.id == job_id))

    async def record_started(
        self, job_id: str, *, task: str, queue: str, attempt: int
    ) -> None:
        """Running attempt `attempt`; creates the row for a job enqueued elsewhere."""
        await self._started.submit(
            {"id": job_id, "task": task, "queue": queue, "attempts": attempt}
        )

    async def record_retrying(self, job_id: str, *, error: str) -> None:
        await self._retrying.submit({"b_id": job_id, "b_error": error})

    async def record_finished(
        self,
        job_id: str,
        status: TaskStatus,
        *,
        result: Any = None,
        error: str | None = None,
    ) -> None:
        """Mark the job final, unless it already is."""
        await self._finished.submit(
            {"b_id": job_id, "b_status": status, "b_result": result, "b_error": error}
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
        enqueued_until: datetime | None = None,
    ) -> HistoryPage:
        """One page across every queue (or one), filtered, in one order.

        `enqueued_until` pins the set being paged through: jobs enqueued after
        the first page was read then cannot shift the later pages.
        """
        conditions = []
        if enqueued_until is not None:
            conditions.append(_c.enqueued_at <= enqueued_until)
        if queue is not None:
            conditions.append(_c.queue == queue)
        if statuses:
            conditions.append(_c.status.in_([status.value for status in statuses]))
        order = (
            (_c.enqueued_at.desc(), _c.id.desc())
            if newest_first
            else (_c.enqueued_at.asc(), _c.id.asc())
        )
        query = select(_table).where(*conditions).order_by(*order)
        count = select(func.count()).select_from(_table).where(*conditions)
        async with self.database.autocommit_engine.connect() as connection:
            total = (await connection.execute(count)).scalar_one()
            rows = await connection.execute(query.offset(offset).limit(limit))
            items = [TaskRun.model_validate(row._mapping) for row in rows]
        return HistoryPage(items, total, offset, limit)

    async def counts_by_status(self, queue: str | None = None) -> dict[str, int]:
        query = select(_c.status, func.count().label("count")).group_by(_c.status)
        if queue is not None:
            query = query.where(_c.queue == queue)
        return {row["status"]: row["count"] for row in await self._fetch(query)}

    async def outcomes_since(self, window: timedelta) -> dict[str, dict[str, int]]:
        """Queue -> final status -> jobs that reached it within `window`."""
        query = (
            select(_c.queue, _c.status, func.count().label("count"))
            .where(_c.finished_at >= func.now() - window)
            .group_by(_c.queue, _c.status)
        )
        outcomes: dict[str, dict[str, int]] = {}
        for row in await self._fetch(query):
            outcomes.setdefault(row["queue"], {})[row["status"]] = row["count"]
        return outcomes

    async def prune(self, older_than: timedelta) -> int:
        """Delete finished rows older than `older_than`; how many went."""
        statement = delete(_table).where(
            _c.finished_at < func.now() - older_than, ~_NOT_FINAL
        )
        async with self.database.autocommit_engine.connect() as connection:
            return (await connection.execute(statement)).rowcount

    async def _insert_enqueued(self, rows: list[dict[str, Any]]) -> list[datetime]:
        async with self.database.autocommit_engine.connect() as connection:
            result = await connection.execute(_INSERT_ENQUEUED, rows)
            return [row.enqueued_at for row in result]

    def _write(self, statement: Any):
        async def run(rows: list[dict[str, Any]]) -> list[None]:
            async with self.database.autocommit_engine.connect() as connection:
                await connection.execute(statement, rows)
            return [None] * len(rows)

        return run

    async def _fetch(self, query: Any) -> list[Any]:
        async with self.database.autocommit_engine.connect() as connection:
            return [row._mapping for row in await connection.execute(query)]
