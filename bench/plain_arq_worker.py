"""The baseline worker: plain arq, one no-op task, no lifecycle, no history.

Run by bench/jobs.py with the same Redis, concurrency and poll delay as the
product's worker: `arq bench.plain_arq_worker.WorkerSettings`.
"""

import os
from typing import Any

from arq.connections import RedisSettings


async def noop(ctx: dict[str, Any]) -> None:
    """Nothing at all: what is measured is arq's own cost per job."""


class WorkerSettings:
    functions = [noop]
    queue_name = "arq:queue:plain"
    redis_settings = RedisSettings.from_dsn(os.environ["REDIS_URL"])
    max_jobs = int(os.environ["BENCH_MAX_JOBS"])
    poll_delay = float(os.environ["BENCH_POLL_DELAY_S"])
    keep_result = 3600
