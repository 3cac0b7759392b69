"""A worker process: arq serving one queue of the process table.

Imports nothing of the webserver: no FastAPI, no Flet.
"""

import asyncio

import uvloop
from arq.worker import run_worker

from app.components.worker.factory import build_worker_settings
from app.components.worker.queues import QUEUES
from app.core.config import Settings
from app.core.log import configure_logging
from app.core.topology import Topology


def run(queue: str, settings: Settings, topology: Topology) -> None:
    configure_logging(json=settings.log_json, level=settings.LOG_LEVEL)
    # arq runs on the current event loop; uvloop's (as uvicorn's) is faster.
    asyncio.set_event_loop(uvloop.new_event_loop())
    run_worker(build_worker_settings(queue, QUEUES[queue].tasks, settings, topology))
