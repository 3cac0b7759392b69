"""Every queue's worker settings, listed; the task catalog comes from them.

Run one queue with `sector-7g worker homer`, or with plain arq:
`arq app.components.worker.queues.homer.WorkerSettings`.
"""

from app.components.worker.factory import QueueWorkerSettings
from app.components.worker.queues import (
    carl,
    charlie,
    grimey,
    homer,
    inanimate_rod,
    lenny,
)
from app.services.tasks.catalog import TaskCatalog

QUEUES: dict[str, QueueWorkerSettings] = {
    settings.queue: settings
    for settings in (
        inanimate_rod.WorkerSettings,
        homer.WorkerSettings,
        lenny.WorkerSettings,
        carl.WorkerSettings,
        charlie.WorkerSettings,
        grimey.WorkerSettings,
    )
}


def task_catalog() -> TaskCatalog:
    """Every task, on the queue that runs it."""
    return TaskCatalog({name: settings.tasks for name, settings in QUEUES.items()})
