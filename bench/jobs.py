"""Jobs per second and queue drain times: the product's job path against plain
arq, one run.

Full path: POST /api/v1/tasks/enqueue on a real webserver -> history row and
event -> the carl worker runs `make_announcement_task` (simulated waits off)
-> history row completed. Baseline: plain arq on the same Redis with a no-op
task, enqueued directly. Both clocks start at the first enqueue and stop when
the last job has finished.

Drain: for each of the six queues, its worker (`sector-7g worker QUEUE`,
simulated waits off, CPU work still done) takes 1,000 jobs of one of its
tasks, enqueued through the product's dispatcher while the worker runs; the
clock stops when all 1,000 history rows are final. Baseline: plain arq
draining 1,000 no-op jobs with that queue's max_jobs. These rows are figures,
not verdicts: a task does work of its own (Redis, PostgreSQL, CPU) that a
no-op does not. And arq starts at most max_jobs jobs per poll while earlier
ones still run, so a queue whose jobs outlast that needs at least
jobs / max_jobs * poll delay (grimey, max_jobs 1: 100 s for 1,000 jobs).

Every worker, product or plain, uses the process table's max_jobs and poll
delay (app/topology.toml).

    uv run python -m bench.jobs [--jobs 2000] [--drain 1000]
"""

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable

import httpx
import psycopg
import redis
from arq.connections import RedisSettings, create_pool

from app.components.worker.queues import task_catalog
from app.core.topology import Topology, load_topology
from app.devstack.servers import ManagedProcess
from app.services.heartbeats import worker_beats
from app.services.tasks.services import TaskServices
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
    wait_until,
)
from bench.http_client import LoadClient

CONCURRENCY = 16
QUEUE = "carl"
TASK = "make_announcement_task"
POLL_S = 0.02
PLAIN_QUEUE = "arq:queue:plain"
# One quick task per queue that does not fail by design.
DRAIN_TASKS = {
    "inanimate_rod": "trim_event_stream",
    "homer": "eat_donut_task",
    "lenny": "file_report_task",
    "carl": "make_announcement_task",
    "charlie": "log_shift_notes_task",
    "grimey": "grimey_sim_task",
}
FINAL = ("completed", "failed", "cancelled")


async def _poll(done: Callable[[], Awaitable[bool]]) -> None:
    while not await done():
        await asyncio.sleep(POLL_S)


def plain_arq(servers: Servers, jobs: int, max_jobs: int, poll_delay_s: float) -> float:
    """Seconds for a plain arq worker to run `jobs` no-op jobs."""
    # A worker of an earlier round may have left its key: it must not count.
    with redis.Redis.from_url(servers.redis.url()) as client:
        client.delete(f"{PLAIN_QUEUE}:health-check")
    worker = servers.spawn(
        "plain-arq",
        [str(BIN / "arq"), "bench.plain_arq_worker.WorkerSettings"],
        BENCH_MAX_JOBS=str(max_jobs),
        BENCH_POLL_DELAY_S=str(poll_delay_s),
    )

    async def run() -> float:
        pool = await create_pool(RedisSettings.from_dsn(servers.redis.url()))
        try:
            await _poll(lambda: pool.exists(f"{PLAIN_QUEUE}:health-check"))
            gate = asyncio.Semaphore(CONCURRENCY)

            async def enqueue() -> None:
                async with gate:
                    await pool.enqueue_job("noop", _queue_name=PLAIN_QUEUE)

            started = time.perf_counter()
            await asyncio.gather(*(enqueue() for _ in range(jobs)))

            async def drained() -> bool:
                return await pool.zcard(PLAIN_QUEUE) == 0

            await _poll(drained)
            return time.perf_counter() - started
        finally:
            await pool.aclose()

    try:
        return asyncio.run(run())
    finally:
        worker.stop()


def full_path(servers: Servers, jobs: int) -> float:
    """Jobs per second through the API and the carl worker."""
    worker = _worker(servers, QUEUE)
    try:
        with servers.webserver(ready="/health/ready") as webserver:
            return _full_path(servers, webserver, jobs)
    finally:
        worker.stop()


def _worker(servers: Servers, queue: str) -> ManagedProcess:
    """`sector-7g worker QUEUE`, simulated waits off, once it beats."""
    worker = servers.spawn(
        f"worker-{queue}",
        [str(BIN / "sector-7g"), "worker", queue],
        SIMULATION_TIME_SCALE="0",
    )
    with redis.Redis.from_url(servers.redis.url()) as client:

        def beating() -> bool:
            if not worker.running:
                raise SystemExit(f"bench: worker {queue} exited:\n{worker.log_tail()}")
            return any(b.get("pid") == worker.pid for b in worker_beats(client, queue))

        wait_until(beating, 30, f"the {queue} worker")
    return worker


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


def drain(servers: Servers, topology: Topology, queue: str, jobs: int) -> float:
    """Seconds for `queue`'s worker to finish `jobs` jobs enqueued meanwhile."""
    worker = _worker(servers, queue)
    try:
        with psycopg.connect(servers.database_url, autocommit=True) as watcher:

            def final(statuses: tuple[str, ...] = FINAL) -> int:
                row = watcher.execute(
                    "SELECT count(*) FROM task_history"
                    " WHERE queue = %s AND status = ANY(%s)",
                    (queue, list(statuses)),
                ).fetchone()
                return row[0] if row else 0

            before = final()
            seconds = asyncio.run(
                _drain(servers, topology, queue, jobs, lambda: final() - before)
            )
            failed = final(("failed", "cancelled"))
    finally:
        worker.stop()
    max_jobs = topology.queue(queue).max_jobs
    floor_s = jobs / max_jobs * topology.workers.poll_delay_s
    print(
        f"  {queue:<14} {DRAIN_TASKS[queue]:<24} {seconds:6.1f} s "
        f"{jobs / seconds:5.0f} jobs/s  max_jobs {max_jobs:<3} "
        f"poll-bound floor {floor_s:5.1f} s  {failed} failed"
    )
    return seconds


def _figure(name: str, value: float, baseline: float, unit: str) -> Row:
    """A row reported for information: no target, so never a failure."""
    return Row(name, value, baseline, unit, "-", True)


async def _drain(
    servers: Servers,
    topology: Topology,
    queue: str,
    jobs: int,
    finished: Callable[[], int],
) -> float:
    services = TaskServices.open(
        servers.settings(), catalog=task_catalog(), topology=topology
    )
    try:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def enqueue() -> None:
            async with gate:
                await services.dispatcher.enqueue(
                    DRAIN_TASKS[queue], queue=queue, source="bench"
                )

        started = time.perf_counter()
        await asyncio.gather(*(enqueue() for _ in range(jobs)))

        async def drained() -> bool:
            return await asyncio.to_thread(finished) >= jobs

        await _poll(drained)
        return time.perf_counter() - started
    finally:
        await services.close()


def measure(jobs: int, drain_jobs: int = 1000) -> list[Row]:
    topology = load_topology(os.environ)  # the workers' own, overrides included
    poll_delay_s = topology.workers.poll_delay_s
    max_jobs = topology.queue(QUEUE).max_jobs
    print(
        f"jobs: {jobs} per run, {CONCURRENCY} concurrent enqueuers, "
        f"max_jobs {max_jobs}, poll delay {poll_delay_s:g} s "
        f"(app/topology.toml [workers] poll_delay_s) for every worker"
    )
    with throwaway_servers() as servers:
        asyncio.run(servers.create_user())
        baseline = jobs / plain_arq(servers, jobs, max_jobs, poll_delay_s)
        product = full_path(servers, jobs)
        print(f"drain: {drain_jobs} jobs per queue, simulated waits off")
        plain = {
            n: plain_arq(servers, drain_jobs, n, poll_delay_s)
            for n in sorted({topology.queue(q).max_jobs for q in DRAIN_TASKS})
        }
        for n, seconds in plain.items():
            print(f"  plain arq, max_jobs {n:<3} {seconds:6.1f} s")
        drains = {q: drain(servers, topology, q, drain_jobs) for q in DRAIN_TASKS}
    return [
        at_least("jobs/s, full path vs plain arq", product, baseline, "/s", 0.5),
        *(
            _figure(
                f"drain {drain_jobs} s, {queue} vs plain arq",
                seconds,
                plain[topology.queue(queue).max_jobs],
                "s",
            )
            for queue, seconds in drains.items()
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Jobs against plain arq.")
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--drain", type=int, default=1000, help="jobs per queue")
    args = parser.parse_args()
    print_table(measure(args.jobs, args.drain))


if __name__ == "__main__":
    main()
