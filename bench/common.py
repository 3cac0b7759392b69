"""What every benchmark shares: throwaway servers, app processes, the report.

A benchmark measures the product and a baseline in the same run on the same
machine and reports the ratio; it never asserts a time.
"""

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from app.core import migrations
from app.core.config import Settings, load_settings
from app.core.db import Database
from app.devstack.servers import ManagedProcess, PostgresServer, RedisServer, free_port
from app.models.user import UserCreate
from app.services.auth import users

BIN = Path(sys.executable).parent
DATABASE = "sector7g_bench"
# The account benchmarks log in with.
EMAIL = "bench@sector-7g.dev"
PASSWORD = "benchmark-password"


@dataclass(frozen=True)
class Servers:
    postgres: PostgresServer
    redis: RedisServer
    workdir: Path

    @property
    def database_url(self) -> str:
        return self.postgres.url(DATABASE)

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url(),
            "IN_CONTAINER": False,
            **overrides,
        }
        return load_settings(env_file=None, **values)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_FILE")}
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis.url(),
            IN_CONTAINER="false",
            LOG_FORMAT="json",
            **extra,
        )
        return env

    def spawn(self, name: str, argv: list[str], **env: str) -> ManagedProcess:
        process = ManagedProcess(name, self.workdir / f"{name}.log")
        process.spawn(argv, env=self.env(**env))
        return process

    @contextmanager
    def webserver(self, ready: str = "/health/live") -> Generator["Webserver"]:
        """`sector-7g webserver` on a free port, once `ready` answers 200."""
        port = free_port()
        process = self.spawn(
            "webserver", [str(BIN / "sector-7g"), "webserver"], PORT=str(port)
        )
        try:
            webserver = Webserver(process, port)
            wait_until(lambda: webserver.answers(ready), 30, "the webserver")
            yield webserver
        finally:
            process.stop()

    async def create_user(self) -> None:
        """The benchmarks' account (EMAIL, PASSWORD)."""
        database = Database(self.settings())
        try:
            async with database.get_async_session() as session:
                await users.create_user(
                    session, UserCreate(email=EMAIL, password=PASSWORD)
                )
        finally:
            await database.dispose()


@dataclass(frozen=True)
class Webserver:
    process: ManagedProcess
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answers(self, path: str) -> bool:
        try:
            return httpx.get(f"{self.url}{path}", timeout=1).status_code == 200
        except httpx.TransportError:
            return False


@contextmanager
def throwaway_servers() -> Generator[Servers]:
    """PostgreSQL (migrated) and Redis from PATH, removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="sector7g-bench-"))
    workdir.chmod(0o755)  # PostgreSQL may run as another account
    postgres = PostgresServer(workdir / "postgres", durable=False)
    redis = RedisServer(workdir / "redis")
    try:
        postgres.start()
        redis.start()
        with psycopg.connect(postgres.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
        servers = Servers(postgres, redis, workdir)
        migrations.upgrade(servers.settings())
        yield servers
    finally:
        redis.stop()
        postgres.stop()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: gave up waiting for {what} after {timeout_s} s")
        time.sleep(0.01)


@dataclass(frozen=True)
class Row:
    """One measured figure against its baseline."""

    name: str
    value: float
    baseline: float
    unit: str
    target: str
    passed: bool

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")


def at_least(name: str, value: float, baseline: float, unit: str, ratio: float) -> Row:
    """A figure that should reach `ratio` times its baseline (more is better)."""
    return Row(name, value, baseline, unit, f">= {ratio:g}x", value >= ratio * baseline)


def at_most(name: str, value: float, baseline: float, unit: str, ratio: float) -> Row:
    """A figure that should stay within `ratio` times its baseline."""
    return Row(name, value, baseline, unit, f"<= {ratio:g}x", value <= ratio * baseline)


def print_table(rows: list[Row]) -> None:
    """The figures as one table, after a blank line."""
    print()
    columns = ("figure", "value", "baseline", "ratio", "target", "result")
    widths = (44, 14, 14, 7, 8, 6)
    header = " ".join(f"{c:<{w}}" for c, w in zip(columns, widths, strict=True))
    print(header)
    print("-" * len(header))
    for row in rows:
        cells = (
            row.name,
            f"{row.value:.1f} {row.unit}",
            f"{row.baseline:.1f} {row.unit}",
            f"{row.ratio:.2f}",
            row.target,
            "pass" if row.passed else "FAIL",
        )
        print(" ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)))
