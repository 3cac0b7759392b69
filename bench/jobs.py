"""Jobs per second: the product's full job path against plain arq, one run.

Full path: POST /api/v1/tasks/enqueue on a real webserver -> history row and
event -> the carl worker runs `make_announcement_task` (simulated waits off)
-> history row completed. Baseline: plain arq on the same Redis with a no-op
task, enqueued directly. Both workers use carl's concurrency and the poll
delay of the process table; both clocks start at the first enqueue and stop
when the last job has finished.

    uv run python -m bench.jobs [--jobs 2000]
"""

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
import psycopg
from arq.connections import RedisSettings, create_pool

from app.core.topology import load_topology
from bench.common import (
    BIN,
    EMAIL,
    PASSWORD,
    Row,
    Servers,
    Webserver,
    at_least,
    print_table,
    throwaway_servers,
)
from bench.http_client import LoadClient

CONCURRENCY = 16
QUEUE = "carl"
TASK = "make_announcement_task"
POLL_S = 0.02


async def _poll(done: Callable[[], Awaitable[bool]]) -> None:
    while not await done():
        await asyncio.sleep(POLL_S)


def plain_arq(servers: Servers, jobs: int, max_jobs: int, poll_delay_s: float) -> float:
    worker = servers.spawn(
        "plain-arq",
        [str(BIN / "arq"), "bench.plain_arq_worker.WorkerSettings"],
        BENCH_MAX_JOBS=str(max_jobs),
        BENCH_POLL_DELAY_S=str(poll_delay_s),
    )

    async def run() -> float:
        redis = await create_pool(RedisSettings.from_dsn(servers.redis.url()))
        try:
            await _poll(lambda: redis.exists("arq:queue:plain:health-check"))
            gate = asyncio.Semaphore(CONCURRENCY)

            async def enqueue() -> None:
                async with gate:
                    await redis.enqueue_job("noop", _queue_name="arq:queue:plain")

            started = time.perf_counter()
            await asyncio.gather(*(enqueue() for _ in range(jobs)))

            async def drained() -> bool:
                return await redis.zcard("arq:queue:plain") == 0

            await _poll(drained)
            return time.perf_counter() - started
        finally:
            await redis.aclose()

    try:
        return jobs / asyncio.run(run())
    finally:
        worker.stop()


def full_path(servers: Servers, jobs: int) -> float:
    asyncio.run(servers.create_user())
    worker = servers.spawn(
        "worker", [str(BIN / "sector-7g"), "worker", QUEUE], SIMULATION_TIME_SCALE="0"
    )
    try:
        with servers.webserver(ready="/health/ready") as webserver:
            return _full_path(servers, webserver, jobs)
    finally:
        worker.stop()


def _full_path(servers: Servers, webserver: Webserver, jobs: int) -> float:
    token = httpx.post(
        f"{webserver.url}/api/v1/auth/token",
        data={"username": EMAIL, "password": PASSWORD},
    ).json()["access_token"]
    client = LoadClient(
        "127.0.0.1", webserver.port, {"Authorization": f"Bearer {token}"}
    )
    # One connection for all the polling: a new one per poll would cost
    # PostgreSQL a process each time, and the measurement with it.
    with psycopg.connect(servers.database_url, autocommit=True) as watcher:

        def completed() -> int:
            row = watcher.execute(
                "SELECT count(*) FROM task_history WHERE status = 'completed'"
            ).fetchone()
            return row[0] if row else 0

        async def run() -> float:
            started = time.perf_counter()
            await client.post_json_many(
                "/api/v1/tasks/enqueue", [{"task": TASK}] * jobs, CONCURRENCY
            )

            async def all_completed() -> bool:
                return await asyncio.to_thread(completed) >= jobs

            await _poll(all_completed)
            return time.perf_counter() - started

        return jobs / asyncio.run(run())


def measure(jobs: int) -> list[Row]:
    topology = load_topology()
    poll_delay_s = topology.workers.poll_delay_s
    max_jobs = topology.queue(QUEUE).max_jobs
    print(
        f"jobs: {jobs} per run, {CONCURRENCY} concurrent enqueuers, "
        f"max_jobs {max_jobs}, poll delay {poll_delay_s:g} s (process table)"
    )
    with throwaway_servers() as servers:
        baseline = plain_arq(servers, jobs, max_jobs, poll_delay_s)
        product = full_path(servers, jobs)
    return [at_least("jobs/s, full path vs plain arq", product, baseline, "/s", 0.5)]


def main() -> None:
    parser = argparse.ArgumentParser(description="Jobs per second against plain arq.")
    parser.add_argument("--jobs", type=int, default=2000)
    print_table(measure(parser.parse_args().jobs))


if __name__ == "__main__":
    main()
