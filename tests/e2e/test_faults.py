"""Faults across real processes: killed workers and scheduler, restarted Redis
and PostgreSQL. Nothing is lost, and nothing needs restarting by hand."""

import signal
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
import redis

from app.models.task_status import FINAL_STATUSES
from app.services.heartbeats import heartbeat
from app.services.scheduler import control
from app.services.tasks import keys
from tests.e2e.conftest import QUEUES, Stack, wait_until

# At least 200 jobs in all; Grimey is slow and alone, so he gets few.
JOBS_PER_QUEUE = {queue: 45 for queue in QUEUES} | {"homer": 30, "grimey": 5}
RECOVERY_S = 10


@pytest.fixture
def client(stack: Stack) -> Iterator[redis.Redis]:
    with redis.Redis.from_url(stack.settings.redis_dsn, decode_responses=True) as c:
        yield c


def _enqueue(stack: Stack, task: str, count: int) -> list[str]:
    with stack.api() as api:
        replies = [
            api.post("/api/v1/tasks/enqueue", json={"task": task}) for _ in range(count)
        ]
    assert all(reply.status_code == 202 for reply in replies), replies[-1].text
    return [reply.json()["job_id"] for reply in replies]


def _statuses(stack: Stack, job_ids: list[str]) -> dict[str, tuple[str, int, str]]:
    """Job id -> (status, attempts, queue), for the jobs that have a row."""
    with psycopg.connect(stack.settings.DATABASE_URL) as connection:
        rows = connection.execute(
            "SELECT id, status, attempts, queue FROM task_history WHERE id = ANY(%s)",
            (job_ids,),
        ).fetchall()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def _errors(stack: Stack, job_ids: list[str]) -> list[tuple[str, str]]:
    """(queue, error) of the failed jobs other than Homer's."""
    with psycopg.connect(stack.settings.DATABASE_URL) as connection:
        return connection.execute(
            "SELECT queue, error FROM task_history"
            " WHERE id = ANY(%s) AND status = 'failed' AND queue <> 'homer'",
            (job_ids,),
        ).fetchall()


def _all_final(stack: Stack, job_ids: list[str]) -> bool:
    statuses = _statuses(stack, job_ids)
    return len(statuses) == len(job_ids) and all(
        status in FINAL_STATUSES for status, _, _ in statuses.values()
    )


def _running(client: redis.Redis, queue: str) -> int:
    count = client.hlen(keys.claims(queue))
    return count if isinstance(count, int) else 0


def _beat_at(client: redis.Redis, key: str) -> datetime | None:
    beat = heartbeat(client, key)
    return datetime.fromisoformat(beat["beat_at"]) if beat else None


def test_killing_each_worker_mid_job_loses_no_job(
    stack: Stack, client: redis.Redis
) -> None:
    job_ids: list[str] = []
    killed = {}
    for queue, count in JOBS_PER_QUEUE.items():
        job_ids += _enqueue(stack, f"{queue}_sim_task", count)
        wait_until(
            lambda q=queue: _running(client, q) > 0,
            timeout_s=20,
            message=f"{queue}'s worker to be running a job",
        )
        worker = stack.processes()[f"worker-{queue}"]
        worker.send_signal(signal.SIGKILL)
        killed[queue] = worker.pid
    assert len(job_ids) >= 200

    def replaced() -> bool:
        running = stack.processes()
        return all(
            f"worker-{q}" in running and running[f"worker-{q}"].pid != pid
            for q, pid in killed.items()
        )

    wait_until(replaced, timeout_s=30, message="every killed worker to be back")
    wait_until(
        lambda: _all_final(stack, job_ids),
        timeout_s=180,
        message="every job to finish",
    )
    statuses = _statuses(stack, job_ids).values()
    assert {status for status, _, _ in statuses} <= {"completed", "failed"}
    # Only Homer fails, by design; the killed jobs ran again.
    failed = {queue for status, _, queue in statuses if status == "failed"}
    assert failed <= {"homer"}, _errors(stack, job_ids)
    assert max(attempts for _, attempts, _ in statuses) >= 2


def test_redis_restarts_and_everyone_carries_on(
    stack: Stack, client: redis.Redis
) -> None:
    before = {role: p.pid for role, p in stack.app_processes().items()}
    waiting = _enqueue(stack, "grimey_sim_task", 4)  # one runs, three wait
    stack.redis.stop()
    stack.redis.start()
    back = datetime.now(UTC)

    def recovered() -> bool:
        with stack.api() as api:
            if api.get("/health/ready").status_code != 200:
                return False
        leader = _beat_at(client, control.LEADER)
        workers_beating = all(
            any(
                (beat := _beat_at(client, key)) is not None and beat > back
                for key in client.scan_iter(keys.worker_alive_pattern(queue))
            )
            for queue in QUEUES
        )
        return leader is not None and leader > back and workers_beating

    took = wait_until(recovered, timeout_s=RECOVERY_S, message="recovery")
    print(f"recovered {took:.1f} s after Redis came back")
    assert {role: p.pid for role, p in stack.app_processes().items()} == before
    wait_until(
        lambda: _all_final(stack, waiting),
        timeout_s=60,
        message="the jobs queued before the restart to run",
    )
    assert {s for s, _, _ in _statuses(stack, waiting).values()} == {"completed"}


def test_postgresql_restarts_and_readiness_follows(stack: Stack) -> None:
    before = {role: p.pid for role, p in stack.app_processes().items()}

    def ready_status() -> int:
        with stack.api() as api:
            return api.get("/health/ready").status_code

    stack.postgres.stop()
    try:
        wait_until(lambda: ready_status() == 503, timeout_s=10, message="503")
    finally:
        stack.postgres.start()
    took = wait_until(
        lambda: ready_status() == 200, timeout_s=RECOVERY_S, message="200"
    )
    print(f"ready again {took:.1f} s after PostgreSQL came back")
    assert {role: p.pid for role, p in stack.app_processes().items()} == before
    # And work flows again: a job goes from the API to its row and back.
    job_ids = _enqueue(stack, "lenny_sim_task", 1)
    wait_until(lambda: _all_final(stack, job_ids), timeout_s=30, message="the job")
