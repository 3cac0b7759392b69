"""What the scheduler publishes: its jobs (a mirror of its job store) and its runs.

The job store itself (`apscheduler_jobs`) holds pickles and belongs to
APScheduler; nothing but the scheduler reads it. Everyone else reads these.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def _timestamp(*, required: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True),
            nullable=not required,
            server_default=func.now() if required else None,
        ),
    )


class ScheduledJob(SQLModel, table=True):
    """One job as the leading scheduler last published it."""

    __tablename__ = "scheduler_job"  # type: ignore[assignment]

    id: str = Field(primary_key=True, max_length=100)
    name: str = Field(max_length=200)
    description: str = ""
    kind: str = Field(max_length=20, description="timeline, simulation or maintenance")
    schedule: str = Field(max_length=200, description="human-readable")
    next_run_at: datetime | None = _timestamp()
    paused: bool = False
    published_at: datetime | None = _timestamp(required=True)


class SchedulerRun(SQLModel, table=True):
    """One firing of a job: claimed before it runs, so no time fires twice."""

    __tablename__ = "scheduler_run"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("job_id", "scheduled_for", name="uq_scheduler_run_time"),
        Index("ix_scheduler_run_started_at", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=100)
    scheduled_for: datetime | None = _timestamp(required=True)
    trigger: str = Field(max_length=16, description="schedule or manual")
    instance: str = Field(max_length=100, description="the scheduler that ran it")
    outcome: str = Field(max_length=16, description="running, succeeded or failed")
    result: Any = Field(default=None, sa_column=Column(JSONB))
    error: str | None = None
    started_at: datetime | None = _timestamp(required=True)
    finished_at: datetime | None = _timestamp()
