"""App processes for tests: `sector-7g ...` (and a fresh Python) as real child
processes."""

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Generator
from contextlib import contextmanager
from pathlib import Path

import redis

from app.core.config import Settings, setting_fields
from app.devstack.servers import ManagedProcess
from app.services.tasks import keys

SETTING_NAMES = {field.name for field in setting_fields()}
SECTOR_7G = str(Path(sys.executable).with_name("sector-7g"))


def python_output(code: str) -> str:
    """What a fresh interpreter running `code` prints."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a process that talks to the test servers."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SETTING_NAMES and not key.endswith("_FILE")
    }
    env.update(
        {
            "APP_ENV": "dev",
            "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY.get_secret_value(),
            "IN_CONTAINER": "false",
            "LOG_FORMAT": "json",
            "COLUMNS": "200",  # rich wraps tables to the width it is given
        }
    )
    env.update(extra)
    return env


def wait_for(
    condition: Callable[[], object], *, timeout_s: float, message: str
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s: {message}")
        time.sleep(0.05)


def start_worker(
    settings: Settings, queue: str, log_dir: Path, **env: str
) -> ManagedProcess:
    """`sector-7g worker QUEUE`, returned once it has announced itself."""
    process = ManagedProcess(f"worker-{queue}", log_dir / f"worker-{queue}.log")
    with redis.Redis.from_url(settings.redis_dsn) as client:
        before = set(client.scan_iter(keys.worker_alive_pattern(queue)))
        process.spawn([SECTOR_7G, "worker", queue], env=process_env(settings, **env))

        def announced() -> bool:
            if not process.running:
                raise AssertionError(f"worker {queue} exited:\n{process.log_tail()}")
            return bool(
                set(client.scan_iter(keys.worker_alive_pattern(queue))) - before
            )

        wait_for(announced, timeout_s=20, message=f"worker {queue} to start")
    return process


@contextmanager
def running_worker(
    settings: Settings, queue: str, log_dir: Path, **env: str
) -> Generator[ManagedProcess]:
    process = start_worker(settings, queue, log_dir, **env)
    try:
        yield process
    finally:
        process.stop()


async def eventually[T](
    probe: Callable[[], Awaitable[T | None]], *, timeout_s: float, message: str
) -> T:
    """Await `probe()` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout_s
    while not (value := await probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s: {message}")
        await asyncio.sleep(0.1)
    return value


@contextmanager
def running_webserver(settings: Settings, log_dir: Path, **env: str) -> Generator[str]:
    """`sector-7g webserver` on env's PORT (a free one by default); yields its
    base URL."""
    import httpx

    from app.devstack.servers import free_port

    port = int(env.pop("PORT", 0)) or free_port()
    process = ManagedProcess("webserver", log_dir / "webserver.log")
    process.spawn(
        [SECTOR_7G, "webserver"], env=process_env(settings, PORT=str(port), **env)
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if not process.running:
            raise AssertionError(f"webserver exited:\n{process.log_tail()}")
        try:
            return httpx.get(f"{url}/health/live", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(answers, timeout_s=20, message="the webserver to answer")
        yield url
    finally:
        process.stop()


def start_scheduler(settings: Settings, log_dir: Path, name: str, **env: str):
    """`sector-7g scheduler`, returned once it leads or stands by."""
    from app.services.scheduler import control

    process = ManagedProcess(name, log_dir / f"{name}.log")
    process.spawn([SECTOR_7G, "scheduler"], env=process_env(settings, **env))
    with redis.Redis.from_url(settings.redis_dsn) as client:

        def present() -> bool:
            if not process.running:
                raise AssertionError(f"{name} exited:\n{process.log_tail()}")
            beats = [client.get(control.LEADER)] + [
                client.get(key) for key in client.scan_iter(control.standby_key("*"))
            ]
            return any(
                beat and f'"pid": {process.pid}'.encode() in beat for beat in beats
            )

        wait_for(present, timeout_s=30, message=f"{name} to start")
    return process
