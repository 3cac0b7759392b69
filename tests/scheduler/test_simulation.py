"""The simulation against real workers: Homer falls behind, the rest keep up."""

import time
from pathlib import Path

import psycopg
import redis

from app.core.config import Settings
from app.core.topology import load_topology
from app.services.tasks.events import EventLog
from tests.utils.processes import start_scheduler, start_worker

# A tenth of real time: 20 s here are 200 s of plant time.
SCALE = {"SIMULATION_TIME_SCALE": "0.1", "SCHEDULER_FORCE_UPDATE": "true"}
QUEUES = ("homer", "lenny", "carl", "charlie")


async def test_homers_backlog_grows_while_the_others_stay_near_empty(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    topology = load_topology()
    processes = [start_worker(settings, q, tmp_path, **SCALE) for q in QUEUES]
    processes.append(start_scheduler(settings, tmp_path, "scheduler", **SCALE))
    depths: dict[str, list[int]] = {queue: [] for queue in QUEUES}
    try:
        with redis.Redis.from_url(settings.redis_dsn) as client:
            for _ in range(20):
                time.sleep(1)
                for queue in QUEUES:
                    depths[queue].append(client.zcard(topology.queue(queue).redis_key))
    finally:
        for process in processes:
            process.stop()
    homer = depths["homer"]
    assert homer[-1] > homer[4] and homer[-1] >= 10, homer
    for queue in ("lenny", "carl", "charlie"):
        assert max(depths[queue][5:]) <= 8, (queue, depths[queue])

    # Every job the simulation enqueued has its history row and its event.
    # (The plant's day may fire too, at its hour of the real day: not counted.)
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id FROM task_history"
            " WHERE source = 'scheduler' AND task LIKE '%\\_sim\\_task'"
        ).fetchall()
        enqueued = connection.execute(
            "SELECT coalesce(sum((result->>'enqueued')::int), 0) FROM scheduler_run"
            " WHERE job_id LIKE 'sim_%' AND result ? 'enqueued'"
        ).fetchone()
    assert enqueued is not None and len(rows) == enqueued[0] > 0
    events = EventLog(
        redis.asyncio.Redis.from_url(settings.redis_dsn, decode_responses=True),
        max_length=settings.EVENT_STREAM_MAX_LENGTH,
    )
    try:
        announced = {
            entry.data["job_id"]
            for entry in await events.recent(settings.EVENT_STREAM_MAX_LENGTH)
            if entry.data["type"] == "job.enqueued"
        }
    finally:
        await events.redis.aclose()
    assert {job_id for (job_id,) in rows} <= announced
