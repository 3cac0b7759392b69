"""Carl: I/O-bound reports, inspectors and hand-offs."""

from app.components.worker.factory import QueueWorkerSettings
from app.components.worker.tasks import carl

WorkerSettings = QueueWorkerSettings("carl", carl.TASKS)
