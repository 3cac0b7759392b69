"""Real scheduler processes: leading, failing over, obeying, persisting."""

import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import LiteralString
from zoneinfo import ZoneInfo

import psycopg
import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from httpx import AsyncClient
from sqlalchemy import create_engine

from app.components.scheduler.definitions import TIMELINE
from app.core.config import Settings
from tests.utils.http import bearer
from tests.utils.processes import SECTOR_7G, process_env, start_scheduler, wait_for

FAST = {"SIMULATION_TIME_SCALE": "0.1", "SCHEDULER_FORCE_UPDATE": "true"}
CHICAGO = ZoneInfo("America/Chicago")


def _rows(database_url: str, query: LiteralString, *params: object) -> list[tuple]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(query, params).fetchall()


def _published(database_url: str) -> dict[str, tuple]:
    rows = _rows(database_url, "SELECT id, next_run_at, paused FROM scheduler_job")
    return {job_id: (next_run, paused) for job_id, next_run, paused in rows}


def _runs(database_url: str, job_id: str, trigger: str = "schedule") -> list[tuple]:
    return _rows(
        database_url,
        "SELECT instance, scheduled_for FROM scheduler_run"
        " WHERE job_id = %s AND trigger = %s ORDER BY scheduled_for",
        job_id,
        trigger,
    )


def _next_daily(at: str, after: datetime) -> datetime:
    hour, minute = (int(part) for part in at.split(":"))
    local = after.astimezone(CHICAGO)
    for days in (0, 1):
        day = local.date() + timedelta(days=days)
        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHICAGO)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable")


def test_a_fresh_database_gets_every_job_with_the_right_next_runs(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    started = datetime.now(UTC)
    scheduler = start_scheduler(settings, tmp_path, "scheduler")
    try:
        wait_for(
            lambda: len(_published(database_url)) == 31,
            timeout_s=20,
            message="the jobs to be published",
        )
        published = _published(database_url)
    finally:
        scheduler.stop()
    for at, job_id, *_ in TIMELINE:
        next_run, paused = published[job_id]
        assert not paused
        assert next_run == _next_daily(at, started), job_id
    sim_next, _ = published["sim_homer"]
    assert started < sim_next <= datetime.now(UTC) + timedelta(seconds=10)
    assert {"database_backup", "prune_history", "health_snapshot"} <= published.keys()


def test_one_leader_fires_and_a_standby_takes_over_within_15_s(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    first = start_scheduler(settings, tmp_path, "first", **FAST)
    second = start_scheduler(settings, tmp_path, "second", **FAST)
    try:
        wait_for(
            lambda: len(_runs(database_url, "sim_homer")) >= 4,
            timeout_s=20,
            message="runs by the leader",
        )
        instances = {instance for instance, _ in _runs(database_url, "sim_homer")}
        assert len(instances) == 1 and f"-{first.pid}-" in instances.pop()

        killed_at = datetime.now(UTC)
        first.stop(signal.SIGKILL)

        def standby_fired() -> bool:
            return any(
                f"-{second.pid}-" in instance
                for instance, _ in _runs(database_url, "sim_homer")
            )

        wait_for(standby_fired, timeout_s=15, message="the standby to fire")
        took_over = datetime.now(UTC) - killed_at
    finally:
        first.stop()
        second.stop()
    assert took_over < timedelta(seconds=15)
    twice = _rows(
        database_url,
        "SELECT job_id, scheduled_for FROM scheduler_run"
        " GROUP BY job_id, scheduled_for HAVING count(*) > 1",
    )
    assert twice == []


async def test_pause_resume_and_trigger_through_the_api(
    client: AsyncClient,
    settings: Settings,
    database_url: str,
    admin_token: str,
    user_token: str,
    tmp_path: Path,
) -> None:
    scheduler = start_scheduler(settings, tmp_path, "scheduler", **FAST)
    pid = scheduler.pid
    auth = bearer(admin_token)
    base = "/api/v1/scheduler/jobs/sim_homer"
    try:
        wait_for(
            lambda: len(_runs(database_url, "sim_homer")) >= 1,
            timeout_s=15,
            message="a run",
        )
        refused = await client.post(f"{base}/pause", headers=bearer(user_token))
        paused = await client.post(f"{base}/pause", headers=auth)
        assert refused.status_code == 403
        assert paused.status_code == 200 and paused.json()["job"]["paused"] is True

        time.sleep(1.5)  # a firing under way when paused may still land
        before = len(_runs(database_url, "sim_homer"))
        time.sleep(3)  # three intervals
        assert len(_runs(database_url, "sim_homer")) == before

        triggered = await client.post(f"{base}/trigger", headers=auth)
        assert triggered.status_code == 200
        assert triggered.json()["run"]["result"]["enqueued"] >= 3
        assert len(_runs(database_url, "sim_homer", "manual")) == 1

        resumed = await client.post(f"{base}/resume", headers=auth)
        assert resumed.json()["job"]["paused"] is False
        wait_for(
            lambda: len(_runs(database_url, "sim_homer")) > before,
            timeout_s=10,
            message="runs after resuming",
        )
        history = await client.get(
            "/api/v1/scheduler/runs", params={"job_id": "sim_homer"}, headers=auth
        )
        statistics = await client.get("/api/v1/scheduler/statistics", headers=auth)
        unknown = await client.post("/api/v1/scheduler/jobs/nope/pause", headers=auth)
    finally:
        scheduler.stop()
    assert {run["trigger"] for run in history.json()["items"]} == {"schedule", "manual"}
    assert statistics.json()["leader"]["pid"] == pid
    assert statistics.json()["runs"]["jobs"]["sim_homer"]["runs"] >= 3
    assert unknown.status_code == 404


def test_pause_and_resume_through_the_cli_survive_a_restart(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    env = process_env(settings, **FAST)
    scheduler = start_scheduler(settings, tmp_path, "scheduler", **FAST)
    try:
        wait_for(
            lambda: len(_published(database_url)) == 31,
            timeout_s=20,
            message="the jobs",
        )
        paused = _cli(env, "scheduler", "pause", "sim_lenny")
        assert paused.returncode == 0, paused.stderr
        scheduler.stop(signal.SIGTERM)
        assert scheduler.process is not None and scheduler.process.returncode == 0

        again = {**FAST, "SCHEDULER_FORCE_UPDATE": "false"}
        scheduler = start_scheduler(settings, tmp_path, "again", **again)
        wait_for(
            lambda: _published(database_url).get("sim_lenny", (0, False))[1],
            timeout_s=10,
            message="the pause to be published after the restart",
        )
        listing = _cli(env, "scheduler", "list")
        assert "paused" in listing.stdout
        triggered = _cli(env, "scheduler", "trigger", "sim_lenny")
        assert triggered.returncode == 0, triggered.stderr
        assert len(_runs(database_url, "sim_lenny", "manual")) == 1
        resumed = _cli(env, "scheduler", "resume", "sim_lenny")
        assert resumed.returncode == 0, resumed.stderr
        wait_for(
            lambda: not _published(database_url)["sim_lenny"][1],
            timeout_s=5,
            message="the resume to be published",
        )
    finally:
        scheduler.stop()


def test_force_update_resets_persisted_jobs_and_drops_retired_ones(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    store = BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(
                engine=create_engine(settings.database_url_sync)
            )
        }
    )
    store.start(paused=True)
    store.add_job(
        "app.components.scheduler.actions:enqueue_tasks",
        "interval",
        hours=1,
        args=["lenny", ["open_plant_task"]],
        id="retired_job",
    )
    store.shutdown()
    scheduler = start_scheduler(settings, tmp_path, "scheduler")
    try:
        wait_for(
            lambda: len(_published(database_url)) == 31,
            timeout_s=20,
            message="the jobs",
        )
    finally:
        scheduler.stop()
    assert "retired_job" not in _published(database_url)


def test_commands_without_a_running_scheduler_are_refused(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    env = process_env(settings)
    result = _cli(env, "scheduler", "pause", "sim_homer")
    assert result.returncode == 1
    assert "no scheduler is running" in result.stderr


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SECTOR_7G, *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
async def admin_token(client: AsyncClient, settings: Settings) -> str:
    from tests.utils.users import create_user, log_in

    await create_user(settings, "burns@springfield-nuclear.com", admin=True)
    return await log_in(client, "burns@springfield-nuclear.com")


@pytest.fixture
async def user_token(client: AsyncClient, settings: Settings) -> str:
    from tests.utils.users import create_user, log_in

    await create_user(settings, "homer@springfield-nuclear.com")
    return await log_in(client, "homer@springfield-nuclear.com")
