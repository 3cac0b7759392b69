"""Charlie: I/O-bound rounds of the plant."""

from app.components.worker.factory import QueueWorkerSettings
from app.components.worker.tasks import charlie

WorkerSettings = QueueWorkerSettings("charlie", charlie.TASKS)
