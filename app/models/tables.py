"""Every table the app owns, imported here so that `metadata` (what Alembic
compares the database with) knows all of them. Processes import only the
models they use; this module is for the migrations and the test harness."""

from sqlmodel import SQLModel

from app.models.health_snapshot import HealthSnapshot
from app.models.scheduler import ScheduledJob, SchedulerRun
from app.models.task_history import TaskRun
from app.models.user import User

metadata = SQLModel.metadata

__all__ = [
    "HealthSnapshot",
    "ScheduledJob",
    "SchedulerRun",
    "TaskRun",
    "User",
    "metadata",
]
