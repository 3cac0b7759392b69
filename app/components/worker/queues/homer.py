"""Homer: CPU-bound work, low concurrency, frequent failures."""

from app.components.worker.factory import QueueWorkerSettings
from app.components.worker.tasks import homer

WorkerSettings = QueueWorkerSettings("homer", homer.TASKS)
