"""Backups: pg_dump and pg_restore round-trip, retention, no password in argv."""

import os
import stat
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from app.core.config import Settings
from app.devstack.servers import PostgresServer
from app.services.backups import libpq_environment
from tests.conftest import settings_for
from tests.utils.processes import SECTOR_7G, process_env
from tests.utils.users import create_user


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SECTOR_7G, *args], env=env, capture_output=True, text=True, timeout=120
    )


def _counts(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as connection:
        users = connection.execute('SELECT count(*) FROM "user"').fetchone()
        jobs = connection.execute("SELECT count(*) FROM task_history").fetchone()
    return (users[0] if users else -1, jobs[0] if jobs else -1)


async def test_backup_then_restore_into_an_empty_database_round_trips(
    settings: Settings, postgres: PostgresServer, database_url: str, tmp_path: Path
) -> None:
    await create_user(settings, "burns@springfield-nuclear.com", admin=True)
    await create_user(settings, "smithers@springfield-nuclear.com")
    env = process_env(settings, BACKUP_DIR=str(tmp_path / "backups"))
    for task in ("rush_out_task", "file_report_task"):
        assert _run(env, "tasks", "enqueue", task).returncode == 0

    made = _run(env, "db", "backup")
    assert made.returncode == 0, made.stderr
    (backup,) = (tmp_path / "backups").glob("sector7g-*.dump")
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700

    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS restored")
        connection.execute(sql.SQL("CREATE DATABASE restored"))
    restored_url = postgres.url("restored")
    restored = _run({**env, "DATABASE_URL": restored_url}, "db", "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert _counts(restored_url) == _counts(database_url) == (2, 2)


def test_only_the_newest_backups_are_kept(settings: Settings, tmp_path: Path) -> None:
    env = process_env(settings, BACKUP_DIR=str(tmp_path), BACKUP_RETENTION="2")
    for _ in range(4):
        assert _run(env, "db", "backup").returncode == 0
    assert len(list(tmp_path.glob("sector7g-*.dump"))) == 2


def test_a_restore_of_a_missing_file_fails_clearly(settings: Settings) -> None:
    result = _run(process_env(settings), "db", "restore", "/nonexistent.dump")
    assert result.returncode == 1
    assert "no backup at /nonexistent.dump" in result.stderr


def test_the_password_reaches_pg_dump_through_the_environment_only(
    settings: Settings, tmp_path: Path
) -> None:
    """A stand-in pg_dump on PATH records what it was given."""
    spy = tmp_path / "bin"
    spy.mkdir()
    (spy / "pg_dump").write_text(
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$SPY_ARGS"\n'
        'printf "%s" "$PGPASSWORD" > "$SPY_ENV"\nexit 1\n'
    )
    (spy / "pg_dump").chmod(0o755)
    env = process_env(
        settings,
        DATABASE_PASSWORD="s3cret-Pw",
        PATH=f"{spy}:{os.environ['PATH']}",
        SPY_ARGS=str(tmp_path / "args"),
        SPY_ENV=str(tmp_path / "env"),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    result = _run(env, "db", "backup")
    assert result.returncode == 1  # the stand-in fails on purpose
    assert "s3cret-Pw" not in (tmp_path / "args").read_text()
    assert (tmp_path / "env").read_text() == "s3cret-Pw"


def test_libpq_environment_covers_unix_sockets() -> None:
    settings = settings_for(
        "postgresql://sector7g@/sector7g?host=/run/postgresql", "redis://x:1/0"
    )
    assert libpq_environment(settings) == {
        "PGHOST": "/run/postgresql",
        "PGPORT": "5432",
        "PGUSER": "sector7g",
        "PGDATABASE": "sector7g",
    }
