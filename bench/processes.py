"""Startup and idle memory of each kind of app process, against the least its
library costs, measured in one run on the same PostgreSQL and Redis.

- worker: from `sector-7g worker lenny` starting to its first job taken (the
  job waits in the queue before the process starts), and its RSS once idle;
  against a plain arq worker with one no-op task (`arq
  bench.plain_arq_worker.WorkerSettings`) measured the same way;
- webserver: from `sector-7g webserver` starting to its first 200 on
  /health/live, and its RSS once idle; against uvicorn serving a bare FastAPI
  app (bench/bare_app.py) to its first 200;
- scheduler: from `sector-7g scheduler` starting to its first heartbeat as
  leader, and its RSS once idle; against the plain arq worker.

Each process is started ROUNDS times; the medians are reported.

    uv run python -m bench.processes
"""

import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import psutil
import psycopg
import redis

from app.core.topology import load_topology
from app.devstack.servers import ManagedProcess, free_port
from app.services.heartbeats import scheduler_beats
from bench.common import BIN, Row, Servers, at_most, print_table, throwaway_servers

ROUNDS = 3
IDLE_S = 5.0
MIB = 1024 * 1024
PLAIN_QUEUE = "arq:queue:plain"


@dataclass(frozen=True)
class Start:
    """One process start: seconds to ready, and idle RSS in MiB."""

    ready_s: float
    rss_mib: float


def measure() -> list[Row]:
    print(f"processes: each started {ROUNDS} times, RSS after {IDLE_S:g} s idle")
    with throwaway_servers() as servers:
        arq = _median(lambda: _plain_arq_worker(servers))
        worker = _median(lambda: _worker(servers))
        bare = _median(lambda: _bare_app(servers))
        webserver = _median(lambda: _webserver(servers))
        scheduler = _median(lambda: _scheduler(servers))
    return [
        at_most("ready s, worker vs plain arq", worker.ready_s, arq.ready_s, "s", 2),
        at_most("RSS, worker vs plain arq", worker.rss_mib, arq.rss_mib, "MiB", 1.4),
        at_most(
            "first 200 s, webserver vs bare FastAPI",
            webserver.ready_s,
            bare.ready_s,
            "s",
            2.5,
        ),
        at_most(
            "RSS, webserver vs bare FastAPI", webserver.rss_mib, bare.rss_mib, "MiB", 2
        ),
        at_most(
            "ready s, scheduler vs plain arq worker",
            scheduler.ready_s,
            arq.ready_s,
            "s",
            4,
        ),
        at_most(
            "RSS, scheduler vs plain arq worker",
            scheduler.rss_mib,
            arq.rss_mib,
            "MiB",
            2.3,
        ),
    ]


def _median(start: Callable[[], Start]) -> Start:
    starts = [start() for _ in range(ROUNDS)]
    return Start(
        statistics.median(s.ready_s for s in starts),
        statistics.median(s.rss_mib for s in starts),
    )


def _timed(
    servers: Servers,
    name: str,
    argv: list[str],
    ready: Callable[[int], bool],
    **env: str,
) -> Start:
    """Start `argv`, wait until `ready(pid)`, then idle; stop it."""
    started = time.perf_counter()
    process = servers.spawn(name, argv, SIMULATION_TIME_SCALE="0", **env)
    try:
        pid = _pid(process)
        _wait(lambda: ready(pid), process)
        ready_s = time.perf_counter() - started
        time.sleep(IDLE_S)
        return Start(ready_s, psutil.Process(pid).memory_info().rss / MIB)
    finally:
        process.stop()


def _plain_arq_worker(servers: Servers) -> Start:
    topology = load_topology()
    with redis.Redis.from_url(servers.redis.url()) as client:
        job_id = f"plain-{time.perf_counter_ns()}"
        # What arq's enqueue_job writes for a job with no arguments.
        client.delete(PLAIN_QUEUE, f"arq:result:{job_id}")
        _enqueue_plain(servers, job_id)
        return _timed(
            servers,
            "plain-arq",
            [str(BIN / "arq"), "bench.plain_arq_worker.WorkerSettings"],
            lambda _pid: bool(client.exists(f"arq:result:{job_id}")),
            # lenny's concurrency and the table's poll delay, as the worker's
            BENCH_MAX_JOBS=str(topology.queue("lenny").max_jobs),
            BENCH_POLL_DELAY_S=str(topology.workers.poll_delay_s),
        )


def _enqueue_plain(servers: Servers, job_id: str) -> None:
    script = (
        "import asyncio, sys\n"
        "from arq.connections import RedisSettings, create_pool\n"
        "async def main():\n"
        "    pool = await create_pool(RedisSettings.from_dsn(sys.argv[1]))\n"
        f"    await pool.enqueue_job('noop', _job_id=sys.argv[2],"
        f" _queue_name={PLAIN_QUEUE!r})\n"
        "    await pool.aclose()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run(
        [str(BIN / "python"), "-c", script, servers.redis.url(), job_id], check=True
    )


def _worker(servers: Servers) -> Start:
    enqueued = subprocess.run(
        [str(BIN / "sector-7g"), "tasks", "enqueue", "file_report_task"],
        env=servers.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    job_id = enqueued.stdout.strip()

    def taken(_pid: int) -> bool:
        with psycopg.connect(servers.database_url) as connection:
            row = connection.execute(
                "SELECT status FROM task_history WHERE id = %s", (job_id,)
            ).fetchone()
        return row is not None and row[0] != "enqueued"

    return _timed(
        servers, "worker-lenny", [str(BIN / "sector-7g"), "worker", "lenny"], taken
    )


def _webserver(servers: Servers) -> Start:
    port = free_port()
    return _timed(
        servers,
        "webserver",
        [str(BIN / "sector-7g"), "webserver"],
        lambda _pid: _answers(f"http://127.0.0.1:{port}/health/live"),
        PORT=str(port),
    )


def _bare_app(servers: Servers) -> Start:
    port = free_port()
    return _timed(
        servers,
        "bare-app",
        [str(BIN / "python"), "-m", "bench.bare_app", str(port)],
        lambda _pid: _answers(f"http://127.0.0.1:{port}/"),
    )


def _scheduler(servers: Servers) -> Start:
    def leads(pid: int) -> bool:
        with redis.Redis.from_url(servers.redis.url()) as client:
            return any(beat.get("pid") == pid for beat in scheduler_beats(client))

    return _timed(servers, "scheduler", [str(BIN / "sector-7g"), "scheduler"], leads)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _pid(process: ManagedProcess) -> int:
    assert process.pid is not None
    return process.pid


def _wait(condition: Callable[[], bool], process: ManagedProcess) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if not process.running or time.monotonic() > deadline:
            tail = process.log_tail(30)
            raise SystemExit(f"bench: {process.name} not ready:\n{tail}")
        time.sleep(0.005)


def main() -> None:
    print_table(measure())


if __name__ == "__main__":
    main()
