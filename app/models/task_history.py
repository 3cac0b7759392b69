"""Task history: one row per job, whoever enqueued it, kept in PostgreSQL."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Index, func, text
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


class TaskRun(SQLModel, table=True):
    __tablename__ = "task_history"  # type: ignore[assignment]
    __table_args__ = (
        CheckConstraint(
            "status IN ('enqueued', 'running', 'retrying', 'completed', 'failed', "
            "'cancelled')",
            name="ck_task_history_status",
        ),
        Index("ix_task_history_enqueued_at", "enqueued_at"),
        Index("ix_task_history_queue_enqueued_at", "queue", "enqueued_at"),
        Index("ix_task_history_status_enqueued_at", "status", "enqueued_at"),
        Index("ix_task_history_finished_at", "finished_at"),
    )

    id: str = Field(primary_key=True, max_length=64)
    task: str = Field(max_length=100)
    queue: str = Field(max_length=50)
    status: str = Field(max_length=16)
    source: str = Field(max_length=50, description="api, cli, scheduler or task")
    enqueued_by: int | None = Field(default=None, description="user id, via the API")
    kwargs: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    result: Any = Field(default=None, sa_column=Column(JSONB))
    error: str | None = None
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    enqueued_at: datetime | None = _timestamp(required=True)
    started_at: datetime | None = _timestamp()
    finished_at: datetime | None = _timestamp()
    duration_ms: int | None = None
