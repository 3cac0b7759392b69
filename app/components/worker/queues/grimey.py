"""Frank Grimes: one slow, meticulous job at a time."""

from app.components.worker.factory import QueueWorkerSettings
from app.components.worker.tasks import grimey, maintenance

WorkerSettings = QueueWorkerSettings(
    "grimey", (*grimey.TASKS, maintenance.audit_task_history)
)
