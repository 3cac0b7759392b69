"""The whole stack as `sector-7g up` runs it, on PostgreSQL and Redis that the
tests own (so that they can restart them), with Traefik in front.

One stack serves every test of this package; each test leaves it healthy.
"""

import re
import subprocess
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest
from psycopg import sql

from app.core.config import Settings
from app.core.topology import load_topology
from app.devstack.servers import (
    ManagedProcess,
    PostgresServer,
    RedisServer,
    free_port,
)
from tests.conftest import settings_for
from tests.utils.processes import SECTOR_7G, process_env, wait_for
from tests.utils.services import scratch_dir

ADMIN, PASSWORD = "mr.burns@plant.dev", "excellent-excellent"
QUEUES = tuple(load_topology().queues)
DATABASE = "sector7g_e2e"
# Short heartbeats: a dead worker's jobs are taken up within seconds.
HEARTBEATS = {f"WORKER_{q.upper()}_HEARTBEAT_INTERVAL_S": "2" for q in QUEUES}
TIME_SCALE = "0.1"
READY = re.compile(r"ready in ([0-9.]+) s")


@dataclass
class Stack:
    up: ManagedProcess
    postgres: PostgresServer
    redis: RedisServer
    settings: Settings
    url: str  # through Traefik
    backend: str  # the webserver itself
    ready_after_s: float
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.auth, timeout=10)

    def processes(self) -> dict[str, psutil.Process]:
        """`up`'s children by role: webserver, scheduler, worker-<queue>, traefik."""
        assert self.up.pid is not None, "sector-7g up is not running"
        found = {}
        for child in psutil.Process(self.up.pid).children():
            argv = child.cmdline()
            if "app" in argv:
                found["-".join(argv[argv.index("app") + 1 :])] = child
            elif argv and Path(argv[0]).name == "traefik":
                found["traefik"] = child
        return found

    def app_processes(self) -> dict[str, psutil.Process]:
        return {k: p for k, p in self.processes().items() if k != "traefik"}


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack without the simulation: only the tests' own jobs run."""
    with plant(tmp_path_factory, SIMULATION_ENABLED="false") as running:
        yield running


@contextmanager
def plant(tmp_path_factory: pytest.TempPathFactory, **env: str) -> Generator[Stack]:
    """PostgreSQL and Redis of its own, and `sector-7g up` on them with `env`."""
    with scratch_dir("e2e") as base:
        base.chmod(0o755)  # PostgreSQL may run as another account
        postgres = PostgresServer(base / "postgres", durable=False)
        redis_server = RedisServer(base / "redis", appendonly=True)
        postgres.start()
        redis_server.start()
        try:
            with psycopg.connect(postgres.url(), autocommit=True) as connection:
                connection.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE))
                )
            logs = tmp_path_factory.mktemp("e2e")  # kept after the run, for reading
            with running_up(base, logs, postgres, redis_server, env) as running:
                yield running
        finally:
            redis_server.stop()
            postgres.stop()


@contextmanager
def running_up(
    base: Path,
    logs: Path,
    postgres: PostgresServer,
    redis_server: RedisServer,
    extra_env: dict[str, str],
) -> Generator[Stack]:
    settings = settings_for(postgres.url(DATABASE), redis_server.url())
    port, traefik_port, api_port = free_port(), free_port(), free_port()
    up = ManagedProcess("up", logs / "up.log")
    env = process_env(
        settings,
        PORT=str(port),
        # Jobs last a tenth of their real time: long enough to be caught
        # running, short enough for a test.
        SIMULATION_TIME_SCALE=TIME_SCALE,
        LOG_FORMAT="console",
        **HEARTBEATS,
        **extra_env,
    )
    up.spawn(
        [
            SECTOR_7G,
            "up",
            f"--data-dir={base / 'up'}",
            f"--port={traefik_port}",
            f"--api-port={api_port}",
        ],
        env=env,
    )
    try:
        started = _ready_after(up)
        _create_admin(env)
        url = f"http://127.0.0.1:{traefik_port}"
        token = httpx.post(
            f"{url}/api/v1/auth/token", data={"username": ADMIN, "password": PASSWORD}
        ).json()["access_token"]
        yield Stack(
            up=up,
            postgres=postgres,
            redis=redis_server,
            settings=settings,
            url=url,
            backend=f"http://127.0.0.1:{port}",
            ready_after_s=started,
            token=token,
        )
    finally:
        up.stop(timeout_s=20)


def _ready_after(up: ManagedProcess, timeout_s: float = 90) -> float:
    """Seconds `up` took to say it is ready, by its own line."""
    found: list[float] = []

    def ready() -> bool:
        if not up.running:
            raise AssertionError(f"sector-7g up exited:\n{up.log_tail(60)}")
        assert up.log_path is not None
        match = READY.search(up.log_path.read_text(errors="replace"))
        if match:
            found.append(float(match.group(1)))
        return bool(found)

    wait_for(ready, timeout_s=timeout_s, message="sector-7g up to be ready")
    return found[0]


def _create_admin(env: dict[str, str]) -> None:
    result = subprocess.run(
        [
            SECTOR_7G,
            "auth",
            "create-user",
            ADMIN,
            "--admin",
            "--password-file",
            "/dev/stdin",
        ],
        input=PASSWORD,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def wait_until(condition, *, timeout_s: float, message: str) -> float:
    """Seconds until `condition()` held."""
    started = time.monotonic()
    wait_for(condition, timeout_s=timeout_s, message=message)
    return time.monotonic() - started
