"""The scheduler process: one leader among any number of instances.

Imports nothing of the webserver: no FastAPI, no Flet.
"""

import asyncio

import uvloop

from app.components.scheduler.process import SchedulerProcess
from app.core.config import Settings
from app.core.log import configure_logging
from app.core.topology import Topology


def run(settings: Settings, topology: Topology) -> None:
    configure_logging(json=settings.log_json, level=settings.LOG_LEVEL)

    async def main() -> None:
        await SchedulerProcess(settings, topology).run()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())
