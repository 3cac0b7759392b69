"""Lenny: I/O-bound diagnostics and inspections."""

from app.components.worker.factory import QueueWorkerSettings
from app.components.worker.tasks import lenny

WorkerSettings = QueueWorkerSettings("lenny", lenny.TASKS)
