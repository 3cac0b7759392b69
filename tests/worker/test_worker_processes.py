"""Real worker processes against real Redis and PostgreSQL."""

import asyncio
import re
import signal
import subprocess
import sys
from pathlib import Path

import redis
from httpx import AsyncClient

from app.core.config import Settings
from app.core.db import Database
from app.core.topology import load_topology
from app.services.tasks import keys, workers
from app.services.tasks.history import TaskHistory
from tests.utils.http import app_client, bearer
from tests.utils.processes import (
    eventually,
    process_env,
    running_worker,
    start_worker,
)
from tests.utils.users import create_user, log_in

QUEUES = tuple(load_topology().queues)
# Heartbeats every second, so that a dead worker shows within a second.
FAST_HEARTBEAT = {
    f"WORKER_{queue.upper()}_HEARTBEAT_INTERVAL_S": "1" for queue in QUEUES
}
INSTANT = {"SIMULATION_TIME_SCALE": "0", **FAST_HEARTBEAT}
UNFINISHED = ["enqueued", "running", "retrying"]


async def _logged_in(client: AsyncClient, settings: Settings) -> dict[str, str]:
    await create_user(settings, "smithers@springfield-nuclear.com")
    return bearer(await log_in(client, "smithers@springfield-nuclear.com"))


async def _enqueue(client: AsyncClient, auth: dict[str, str], task: str) -> str:
    response = await client.post(
        "/api/v1/tasks/enqueue", json={"task": task}, headers=auth
    )
    assert response.status_code == 202, response.text
    return response.json()["job_id"]


async def _job(client: AsyncClient, auth: dict[str, str], job_id: str) -> dict:
    return (await client.get(f"/api/v1/tasks/{job_id}", headers=auth)).json()


async def _unfinished(client: AsyncClient, auth: dict[str, str]) -> int:
    response = await client.get(
        "/api/v1/tasks/history",
        params={"limit": 1, "status": UNFINISHED},
        headers=auth,
    )
    return response.json()["total"]


def _arq_counters(client: redis.Redis, queue: str) -> dict[str, int]:
    """What arq itself reports for a queue (its worker's health-check key)."""
    text = str(client.get(f"arq:queue:{queue}:health-check") or "")
    return {name: int(n) for name, n in re.findall(r"j_(\w+)=(\d+)", text)}


async def test_200_jobs_per_queue_all_finish_and_every_count_agrees(
    settings: Settings, tmp_path: Path
) -> None:
    processes = [start_worker(settings, q, tmp_path, **INSTANT) for q in QUEUES]
    try:
        async with app_client(settings) as client:
            auth = await _logged_in(client, settings)
            catalog = (await client.get("/api/v1/tasks", headers=auth)).json()
            for queue in catalog:
                names = [task["name"] for task in queue["tasks"]]
                for n in range(200):
                    await _enqueue(client, auth, names[n % len(names)])

            async def all_finished() -> bool:
                return await _unfinished(client, auth) == 0

            await eventually(all_finished, timeout_s=180, message="every job to finish")

        history = TaskHistory(Database(settings))
        with redis.Redis.from_url(settings.redis_dsn, decode_responses=True) as r:
            for queue in QUEUES:
                counts = await history.counts_by_status(queue)
                stats = {
                    k: int(v) for k, v in r.hgetall(keys.queue_stats(queue)).items()
                }
                assert sum(counts.values()) == 200, (queue, counts)
                assert counts.get("completed", 0) == stats.get("completed", 0), queue
                assert counts.get("failed", 0) == stats.get("failed", 0), queue

                async def arq_agrees(queue: str = queue) -> bool:
                    arq = _arq_counters(r, queue)
                    return (
                        arq.get("complete") == stats.get("completed", 0)
                        and arq.get("failed", 0) == stats.get("failed", 0)
                        and arq.get("retried", 0) == stats.get("retried", 0)
                    )

                await eventually(arq_agrees, timeout_s=5, message=f"arq on {queue}")
        homer = await history.counts_by_status("homer")
        assert homer.get("failed", 0) > 0  # Homer's simulated shifts go wrong
        await history.database.dispose()
    finally:
        for process in processes:
            process.stop()


async def test_a_job_whose_worker_was_killed_completes_on_its_second_attempt(
    settings: Settings, tmp_path: Path
) -> None:
    async with app_client(settings) as client:
        auth = await _logged_in(client, settings)
        slow = {"SIMULATION_TIME_SCALE": "3", **FAST_HEARTBEAT}
        first = start_worker(settings, "lenny", tmp_path, **slow)
        job_id = await _enqueue(client, auth, "morning_inspection_task")

        async def running() -> bool:
            return (await _job(client, auth, job_id))["status"] == "running"

        await eventually(running, timeout_s=10, message="the job to start")
        first.stop(signal.SIGKILL)

        with running_worker(settings, "lenny", tmp_path, **INSTANT):

            async def completed() -> dict | None:
                job = await _job(client, auth, job_id)
                return job if job["status"] == "completed" else None

            job = await eventually(completed, timeout_s=30, message="the re-run")
    assert job["attempts"] == 2


async def test_a_job_whose_worker_died_as_arq_handed_it_over_runs_again(
    settings: Settings, tmp_path: Path
) -> None:
    """arq marks a job in progress, then its worker dies before claiming it:
    without recovery the job would wait out arq's marker (the job timeout)."""
    lenny = load_topology().queue("lenny")
    async with app_client(settings) as client:
        auth = await _logged_in(client, settings)
        job_id = await _enqueue(client, auth, "morning_inspection_task")
        with redis.Redis.from_url(settings.redis_dsn) as r:
            r.psetex(keys.arq_in_progress(job_id), (lenny.job_timeout_s + 10) * 1000, 1)
        with running_worker(settings, "lenny", tmp_path, **INSTANT):

            async def completed() -> bool:
                return (await _job(client, auth, job_id))["status"] == "completed"

            await eventually(completed, timeout_s=15, message="the job to run")


async def test_sigterm_lets_running_jobs_finish_and_exits_0(
    settings: Settings, tmp_path: Path
) -> None:
    async with app_client(settings) as client:
        auth = await _logged_in(client, settings)
        worker = start_worker(
            settings, "charlie", tmp_path, SIMULATION_TIME_SCALE="1", **FAST_HEARTBEAT
        )
        jobs = [await _enqueue(client, auth, "log_shift_notes_task") for _ in range(12)]
        assert len(set(jobs)) == 12

        async def ten_running() -> bool:
            statuses = [(await _job(client, auth, j))["status"] for j in jobs]
            return statuses.count("running") == 10  # charlie runs 10 at a time

        await eventually(ten_running, timeout_s=10, message="ten jobs running")
        worker.stop(signal.SIGTERM, timeout_s=30)
        assert worker.process is not None and worker.process.returncode == 0

        statuses = [(await _job(client, auth, j))["status"] for j in jobs]
        assert statuses.count("completed") == 10
        assert statuses.count("enqueued") == 2  # untouched, not lost

        with running_worker(settings, "charlie", tmp_path, **INSTANT):

            async def all_completed() -> bool:
                statuses = [(await _job(client, auth, j))["status"] for j in jobs]
                return statuses == ["completed"] * len(jobs)

            await eventually(all_completed, timeout_s=20, message="the last two jobs")


async def test_heartbeat_stays_fresh_while_every_slot_is_busy(
    settings: Settings, tmp_path: Path
) -> None:
    with running_worker(
        settings, "homer", tmp_path, SIMULATION_TIME_SCALE="2", **FAST_HEARTBEAT
    ):
        async with app_client(settings) as client:
            auth = await _logged_in(client, settings)
            for _ in range(3):  # Homer's three slots
                await _enqueue(client, auth, "attempt_safety_check_task")
            r = redis.asyncio.Redis.from_url(settings.redis_dsn, decode_responses=True)
            try:

                async def busy() -> bool:
                    alive = await workers.live_workers(r, "homer")
                    return any(info["running"] == 3 for info in alive.values())

                await eventually(busy, timeout_s=10, message="three running jobs")
                for _ in range(6):  # three heartbeat intervals
                    assert await workers.live_workers(r, "homer")
                    assert await r.exists("arq:queue:homer:health-check")
                    await asyncio.sleep(0.5)
            finally:
                await r.aclose()


async def test_cancelling_a_running_job_stops_it_as_cancelled(
    settings: Settings, tmp_path: Path
) -> None:
    slow = {"SIMULATION_TIME_SCALE": "10", **FAST_HEARTBEAT}
    with running_worker(settings, "homer", tmp_path, **slow):
        async with app_client(settings) as client:
            auth = await _logged_in(client, settings)
            job_id = await _enqueue(client, auth, "go_to_moes_task")

            async def running() -> bool:
                return (await _job(client, auth, job_id))["status"] == "running"

            await eventually(running, timeout_s=10, message="the job to start")
            response = await client.post(f"/api/v1/tasks/{job_id}/cancel", headers=auth)
            assert response.status_code == 200

            async def cancelled() -> dict | None:
                job = await _job(client, auth, job_id)
                return job if job["status"] == "cancelled" else None

            job = await eventually(cancelled, timeout_s=10, message="the cancellation")
    assert job["error"] == "cancelled while running"


async def test_the_plain_arq_cli_runs_a_queue(
    settings: Settings, tmp_path: Path
) -> None:
    async with app_client(settings) as client:
        auth = await _logged_in(client, settings)
        job_id = await _enqueue(client, auth, "make_announcement_task")
        arq = str(Path(sys.executable).with_name("arq"))
        result = subprocess.run(
            [arq, "app.components.worker.queues.carl.WorkerSettings", "--burst"],
            env=process_env(settings, SIMULATION_TIME_SCALE="0"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        job = await _job(client, auth, job_id)
    assert (job["status"], job["attempts"]) == ("completed", 1)


async def test_a_worker_process_imports_neither_fastapi_nor_flet(
    settings: Settings, tmp_path: Path
) -> None:
    """Every module the worker process imports, from start to shutdown."""
    async with app_client(settings) as client:
        auth = await _logged_in(client, settings)
        job_id = await _enqueue(client, auth, "make_announcement_task")
        env = process_env(settings, SIMULATION_TIME_SCALE="0", **FAST_HEARTBEAT)
        trace = tmp_path / "imports.txt"
        with trace.open("w") as stderr:  # a pipe would fill up and stall the worker
            process = subprocess.Popen(
                [sys.executable, "-X", "importtime", "-m", "app", "worker", "carl"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:

            async def done() -> bool:
                return (await _job(client, auth, job_id))["status"] == "completed"

            await eventually(done, timeout_s=30, message="the job to complete")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    imports = trace.read_text()
    modules = {line.split("|")[-1].strip() for line in imports.splitlines()}
    assert "arq.worker" in modules  # the trace is complete
    assert not {m for m in modules if m.split(".")[0] in {"fastapi", "flet"}}
