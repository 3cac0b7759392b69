"""The real PostgreSQL and Redis every test run starts, and how tests reset them."""

import shutil
import tempfile
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
from psycopg import sql

from app.devstack.servers import PostgresServer, RedisServer
from app.models.tables import metadata

TEST_DATABASE = "sector7g_test"


@contextmanager
def running_postgres() -> Generator[PostgresServer]:
    with scratch_dir("postgres") as base:
        server = PostgresServer(base, durable=False)
        server.start()
        try:
            with psycopg.connect(server.url(), autocommit=True) as connection:
                connection.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEST_DATABASE))
                )
            yield server
        finally:
            server.stop()


@contextmanager
def running_redis() -> Generator[RedisServer]:
    with scratch_dir("redis") as base:
        server = RedisServer(base)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def reset_database(url: str) -> None:
    """Empty every table the app owns, and the scheduler's job store (which
    APScheduler creates on first start); the schema stays."""
    tables = sql.SQL(", ").join(
        sql.Identifier(table.name) for table in metadata.sorted_tables
    )
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(tables)
        )
        # Otherwise a scheduler started by an earlier test leaves its jobs and
        # their next runs, and the next test's scheduler keeps them.
        if connection.execute(
            "SELECT to_regclass('apscheduler_jobs') IS NOT NULL"
        ).fetchone() == (True,):
            connection.execute("TRUNCATE apscheduler_jobs")


def reset_redis(url: str) -> None:
    with redis.Redis.from_url(url) as client:
        client.flushall()


@contextmanager
def scratch_dir(name: str) -> Generator[Path]:
    # Not under pytest's tmp_path: that tree is private to root, and
    # PostgreSQL runs as an unprivileged account when the tests run as root.
    path = Path(tempfile.mkdtemp(prefix=f"sector7g-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
