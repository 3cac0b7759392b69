"""The Inanimate Carbon Rod: the plant's real maintenance, and some simulation."""

from app.components.worker.factory import QueueWorkerSettings
from app.components.worker.tasks import maintenance, rod_sim

WorkerSettings = QueueWorkerSettings(
    "inanimate_rod", (*maintenance.ROD_MAINTENANCE, *rod_sim.TASKS)
)
