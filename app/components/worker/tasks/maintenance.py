"""Maintenance that does real work: the Inanimate Carbon Rod's, and Grimey's audit.

The Rod prunes the task history, trims the event stream and records health
snapshots; Frank Grimes checks the history for anything that does not add up.

Every worker imports these tasks (the catalog lists them all), but only the
Rod runs the ones on SQLAlchemy's models: they import them when they run.
"""

import time
from datetime import timedelta
from typing import Any

from app.components.worker.runtime import WorkerRuntime
from app.components.worker.tasks.pace import TaskContext, pause, report
from app.services.backups import backups, create_backup

# Each audit is a query counting rows that break one rule of the lifecycle.
AUDITS = {
    "final rows without a finish time": (
        "status IN ('completed', 'failed', 'cancelled') AND finished_at IS NULL"
        " AND NOT (status = 'cancelled' AND started_at IS NULL)"
    ),
    "finished before they started": "finished_at < started_at",
    "started before they were enqueued": "started_at < enqueued_at",
    "started rows without an attempt": "started_at IS NOT NULL AND attempts < 1",
    "negative durations": "duration_ms < 0",
    "completed rows with an error": "status = 'completed' AND error IS NOT NULL",
}


def _runtime(ctx: TaskContext) -> WorkerRuntime:
    return ctx["runtime"]


async def system_health_check(ctx: TaskContext) -> dict[str, Any]:
    """The Rod records a health snapshot of every queue and prunes old ones."""
    from app.services.health.snapshots import (
        plant_state,
        prune_snapshots,
        record_snapshot,
    )

    started = time.perf_counter()
    runtime = _runtime(ctx)
    state = await plant_state(runtime.redis, ctx["topology"], runtime.history)
    status = await record_snapshot(runtime.database, state)
    retention = timedelta(days=runtime.settings.HISTORY_RETENTION_DAYS)
    pruned = await prune_snapshots(runtime.database, retention)
    return report(
        task="system_health_check",
        character="The Inanimate Carbon Rod",
        message=f"Snapshot recorded: the plant is {status}",
        started=started,
        status=status,
        snapshots_pruned=pruned,
    )


async def prune_task_history(ctx: TaskContext) -> dict[str, Any]:
    """The Rod deletes task history and scheduler runs past their retention."""
    from app.services.scheduler.runs import SchedulerRuns

    started = time.perf_counter()
    runtime = _runtime(ctx)
    days = runtime.settings.HISTORY_RETENTION_DAYS
    deleted = await runtime.history.prune(timedelta(days=days))
    runs = await SchedulerRuns(runtime.database).prune(timedelta(days=days))
    return report(
        task="prune_task_history",
        character="The Inanimate Carbon Rod",
        message=f"Pruned {deleted} jobs and {runs} scheduler runs past {days} days",
        started=started,
        deleted=deleted,
        scheduler_runs_deleted=runs,
    )


async def backup_database(ctx: TaskContext) -> dict[str, Any]:
    """The Rod dumps the database with pg_dump and keeps the newest backups."""
    started = time.perf_counter()
    settings = _runtime(ctx).settings
    backup = await create_backup(settings)
    return report(
        task="backup_database",
        character="The Inanimate Carbon Rod",
        message=f"Backed up the database to {backup.path.name}",
        started=started,
        file=backup.path.name,
        size_bytes=backup.size_bytes,
        kept=len(backups(settings.BACKUP_DIR)),
    )


async def trim_event_stream(ctx: TaskContext) -> dict[str, Any]:
    """The Rod trims live events older than their maximum age."""
    started = time.perf_counter()
    runtime = _runtime(ctx)
    hours = runtime.settings.EVENT_STREAM_MAX_AGE_HOURS
    trimmed = await runtime.events.trim_older_than(hours * 3600)
    return report(
        task="trim_event_stream",
        character="The Inanimate Carbon Rod",
        message=f"Trimmed {trimmed} events older than {hours} hours",
        started=started,
        trimmed=trimmed,
        remaining=await runtime.events.length(),
    )


async def audit_task_history(ctx: TaskContext) -> dict[str, Any]:
    """Grimey audits the task history, rule by rule, and reports every breach."""
    started = time.perf_counter()
    runtime = _runtime(ctx)
    findings: dict[str, int] = {}
    pool = await runtime.database.pool()
    for rule, condition in AUDITS.items():
        query = f"SELECT count(*) FROM task_history WHERE {condition}"
        findings[rule] = await pool.fetchval(query)
        await pause(ctx, 1, 3)  # he reads every page twice
    breaches = sum(findings.values())
    verdict = "everything adds up" if not breaches else f"{breaches} rows do not add up"
    return report(
        task="audit_task_history",
        character="Frank Grimes",
        message=f"Audit complete: {verdict}",
        started=started,
        findings=findings,
    )


ROD_MAINTENANCE = (
    system_health_check,
    prune_task_history,
    trim_event_stream,
    backup_database,
)
