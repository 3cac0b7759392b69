"""A killed scheduler, on a stack whose simulation keeps the scheduler busy."""

import signal
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
import redis

from app.services.heartbeats import heartbeat
from app.services.scheduler import control
from tests.e2e.conftest import Stack, plant, wait_until


@pytest.fixture(scope="module")
def simulating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with plant(tmp_path_factory, SIMULATION_ENABLED="true") as running:
        yield running


def test_a_killed_scheduler_is_restarted_and_scheduled_work_continues(
    simulating: Stack,
) -> None:
    stack = simulating
    client = redis.Redis.from_url(stack.settings.redis_dsn, decode_responses=True)
    scheduler = stack.processes()["scheduler"]
    scheduler.send_signal(signal.SIGKILL)
    killed_at = datetime.now(UTC)

    def new_leader() -> str | None:
        beat = heartbeat(client, control.LEADER)
        if beat and beat["pid"] != scheduler.pid:
            return beat["instance"]
        return None

    try:
        took = wait_until(
            lambda: new_leader() is not None, timeout_s=30, message="a new leader"
        )
        instance = new_leader()
    finally:
        client.close()
    print(f"a new scheduler led {took:.1f} s after the kill")

    def fired() -> bool:
        with psycopg.connect(stack.settings.DATABASE_URL) as connection:
            row = connection.execute(
                "SELECT count(*) FROM scheduler_run"
                " WHERE instance = %s AND started_at > %s AND trigger = 'schedule'",
                (instance, killed_at),
            ).fetchone()
        return bool(row and row[0])

    # The simulation's jobs fire every few seconds at this time scale.
    wait_until(fired, timeout_s=30, message="the new leader to run a job on time")
    assert stack.processes()["scheduler"].pid != scheduler.pid
