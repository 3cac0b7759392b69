"""Health snapshots: the plant's state recorded at a moment, kept for trends.

The Inanimate Carbon Rod records one on schedule; old ones are pruned with
the task history (HISTORY_RETENTION_DAYS).
"""

from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import delete, func, insert

from app.core.db import Database
from app.core.topology import Topology
from app.models.health_snapshot import HealthSnapshot
from app.services.tasks import workers
from app.services.tasks.history import TaskHistory

_table = HealthSnapshot.metadata.tables["health_snapshot"]


async def plant_state(
    redis: Redis, topology: Topology, history: TaskHistory
) -> dict[str, Any]:
    """Per queue: waiting jobs, live workers and outcome counts."""
    queues: dict[str, Any] = {}
    counts = await workers.queue_counts(redis, topology.queues.values())
    for name in topology.queues:
        queues[name] = {
            "queued": counts[name].queued,
            "workers_alive": len(await workers.live_workers(redis, name)),
            "stats": await workers.queue_stats(redis, name),
            "history": await history.counts_by_status(name),
        }
    return {"queues": queues}


def overall_status(state: dict[str, Any]) -> str:
    """`healthy` when every queue has a live worker, `warning` otherwise."""
    queues = state["queues"].values()
    return "healthy" if all(q["workers_alive"] for q in queues) else "warning"


async def record_snapshot(database: Database, state: dict[str, Any]) -> str:
    status = overall_status(state)
    async with database.async_engine.begin() as connection:
        await connection.execute(insert(_table).values(status=status, payload=state))
    return status


async def prune_snapshots(database: Database, older_than: timedelta) -> int:
    statement = delete(_table).where(_table.c.taken_at < func.now() - older_than)
    async with database.async_engine.begin() as connection:
        return (await connection.execute(statement)).rowcount
