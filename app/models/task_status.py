"""A job's status in the task history, and which statuses are final.

Apart from the table (app.models.task_history), so that a worker can name a
status without loading SQLAlchemy.
"""

from enum import StrEnum


class TaskStatus(StrEnum):
    ENQUEUED = "enqueued"
    RUNNING = "running"
    RETRYING = "retrying"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED}
)
