"""Task history in PostgreSQL: written at enqueue and by the worker, read by all.

Timestamps come from the database clock, so rows written by different hosts
agree. A final status (completed, failed, cancelled) is never overwritten.
Writes are grouped (see app.core.batching): under load, a process sends one
statement for many jobs, yet each caller still awaits its own row.

Plain SQL on asyncpg's pool (app.core.db), so that a worker, which writes the
history on every job, never loads SQLAlchemy. The table itself is the model
app.models.task_history; only the readers that return its rows import it.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import asyncpg

from app.core.batching import Batcher
from app.core.db import Database
from app.models.task_status import FINAL_STATUSES, TaskStatus

if TYPE_CHECKING:
    from app.models.task_history import TaskRun

# Inlined constants, not parameters: the same text in every batched statement.
_FINAL = ", ".join(f"'{status.value}'" for status in sorted(FINAL_STATUSES))
_NOT_FINAL = f"task_history.status NOT IN ({_FINAL})"

_INSERT_ENQUEUED = """
INSERT INTO task_history (id, task, queue, kwargs, status, source, enqueued_by)
SELECT * FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[],
    $7::integer[]
)
RETURNING id, enqueued_at
"""
_UPSERT_STARTED = f"""
INSERT INTO task_history (id, task, queue, attempts, status, source, started_at)
VALUES ($1, $2, $3, $4, '{TaskStatus.RUNNING}', 'unknown', now())
ON CONFLICT (id) DO UPDATE
SET status = '{TaskStatus.RUNNING}', attempts = excluded.attempts, started_at = now()
WHERE {_NOT_FINAL}
"""
_MARK_RETRYING = f"""
UPDATE task_history SET status = '{TaskStatus.RETRYING}', error = $2
WHERE id = $1 AND {_NOT_FINAL}
"""
_MARK_FINISHED = f"""
UPDATE task_history
SET status = $2, result = $3::jsonb, error = $4, finished_at = now(),
    duration_ms = CAST(extract(epoch FROM now() - started_at) * 1000 AS integer)
WHERE id = $1 AND {_NOT_FINAL}
"""
# JSON columns as text: asyncpg's default, decoded here.
_JSON_COLUMNS = ("kwargs", "result")


@dataclass(frozen=True)
class HistoryPage:
    items: "list[TaskRun]"
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
            (
                job_id,
                task,
                queue,
                json.dumps(kwargs),
                TaskStatus.ENQUEUED.value,
                source,
                enqueued_by,
            )
        )

    async def forget(self, job_id: str) -> None:
        """Remove a row whose job never reached the queue."""
        pool = await self.database.pool()
        await pool.execute("DELETE FROM task_history WHERE id = $1", job_id)

    async def record_started(
        self, job_id: str, *, task: str, queue: str, attempt: int
    ) -> None:
        """Running attempt `attempt`; creates the row for a job enqueued elsewhere."""
        await self._started.submit((job_id, task, queue, attempt))

    async def record_retrying(self, job_id: str, *, error: str) -> None:
        await self._retrying.submit((job_id, error))

    async def record_finished(
        self,
        job_id: str,
        status: TaskStatus,
        *,
        result: Any = None,
        error: str | None = None,
    ) -> None:
        """Mark the job final, unless it already is."""
        encoded = None if result is None else json.dumps(result)
        await self._finished.submit((job_id, status.value, encoded, error))

    async def get(self, job_id: str) -> "TaskRun | None":
        rows = await self._fetch("SELECT * FROM task_history WHERE id = $1", job_id)
        return _task_run(rows[0]) if rows else None

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
        conditions = ["TRUE"]
        arguments: list[Any] = []
        if enqueued_until is not None:
            arguments.append(enqueued_until)
            conditions.append(f"enqueued_at <= ${len(arguments)}")
        if queue is not None:
            arguments.append(queue)
            conditions.append(f"queue = ${len(arguments)}")
        if statuses:
            arguments.append([status.value for status in statuses])
            conditions.append(f"status = ANY(${len(arguments)}::text[])")
        where = " AND ".join(conditions)
        direction = "DESC" if newest_first else "ASC"
        n = len(arguments)
        query = (
            f"SELECT * FROM task_history WHERE {where}"
            f" ORDER BY enqueued_at {direction}, id {direction}"
            f" OFFSET ${n + 1} LIMIT ${n + 2}"
        )
        pool = await self.database.pool()
        async with pool.acquire() as connection:
            total = await connection.fetchval(
                f"SELECT count(*) FROM task_history WHERE {where}", *arguments
            )
            rows = await connection.fetch(query, *arguments, offset, limit)
        return HistoryPage([_task_run(row) for row in rows], total, offset, limit)

    async def counts_by_status(self, queue: str | None = None) -> dict[str, int]:
        query = "SELECT status, count(*) AS count FROM task_history"
        rows = await (
            self._fetch(f"{query} GROUP BY status")
            if queue is None
            else self._fetch(f"{query} WHERE queue = $1 GROUP BY status", queue)
        )
        return {row["status"]: row["count"] for row in rows}

    async def outcomes_since(self, window: timedelta) -> dict[str, dict[str, int]]:
        """Queue -> final status -> jobs that reached it within `window`."""
        rows = await self._fetch(
            "SELECT queue, status, count(*) AS count FROM task_history"
            " WHERE finished_at >= now() - $1::interval GROUP BY queue, status",
            window,
        )
        outcomes: dict[str, dict[str, int]] = {}
        for row in rows:
            outcomes.setdefault(row["queue"], {})[row["status"]] = row["count"]
        return outcomes

    async def prune(self, older_than: timedelta) -> int:
        """Delete finished rows older than `older_than`; how many went."""
        pool = await self.database.pool()
        status = await pool.execute(
            "DELETE FROM task_history"
            f" WHERE finished_at < now() - $1::interval AND status IN ({_FINAL})",
            older_than,
        )
        return int(status.rpartition(" ")[2])  # "DELETE <rows>"

    async def _insert_enqueued(self, rows: list[tuple[Any, ...]]) -> list[datetime]:
        pool = await self.database.pool()
        inserted = await pool.fetch(_INSERT_ENQUEUED, *map(list, zip(*rows)))
        enqueued_at = {row["id"]: row["enqueued_at"] for row in inserted}
        return [enqueued_at[row[0]] for row in rows]

    def _write(self, statement: str):
        async def run(rows: list[tuple[Any, ...]]) -> list[None]:
            pool = await self.database.pool()
            await pool.executemany(statement, rows)
            return [None] * len(rows)

        return run

    async def _fetch(self, query: str, *arguments: Any) -> list[asyncpg.Record]:
        pool = await self.database.pool()
        return await pool.fetch(query, *arguments)


def _task_run(row: asyncpg.Record) -> "TaskRun":
    # The table's model loads SQLAlchemy: only a process that reads rows pays.
    from app.models.task_history import TaskRun

    values = dict(row)
    for column in _JSON_COLUMNS:
        if values[column] is not None:
            values[column] = json.loads(values[column])
    return TaskRun.model_validate(values)
