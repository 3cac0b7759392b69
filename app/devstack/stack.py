"""`sector-7g up`: the whole stack on one machine, for development and trials.

In dependency order, each once the one before is ready: PostgreSQL and Redis
(from the binaries on PATH, data under the data directory; skipped when
DATABASE_URL / REDIS_URL name servers of their own), the migrations, the
webserver, Traefik in front of it, the scheduler, and a worker per queue of
the process table. Then one URL to open. Ctrl-C or SIGTERM stops everything
in reverse order (see app.devstack.supervisor).
"""

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import redis
from psycopg import sql

from app.core.config import Settings, load_settings
from app.core.topology import load_topology
from app.devstack.servers import PostgresServer, RedisServer, TraefikServer
from app.devstack.supervisor import Program, StartError, Supervisor, colour_wanted
from app.services.heartbeats import scheduler_beats, worker_beats

APP_DATABASE = "sector7g"
APP_ROLE = "sector7g"
STOP_BUDGET_S = 15.0
APP = [sys.executable, "-m", "app"]

# Stages: servers first, the app's processes after; stopped in reverse.
POSTGRES, REDIS, WEBSERVER, TRAEFIK, SCHEDULER, WORKERS = range(6)


@dataclass(frozen=True)
class Ports:
    """Where `up` listens; PostgreSQL and Redis only when it starts them."""

    traefik: int = 8080
    traefik_api: int = 8081
    postgres: int = 5432
    redis: int = 6379


def run_stack(
    settings: Settings,
    data_dir: Path,
    ports: Ports,
    environ: Mapping[str, str],
    write: Callable[[str], None],
) -> int:
    """Run until Ctrl-C or SIGTERM; 0, or 1 if the stack could not start."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the readiness probes
    return asyncio.run(_run(settings, data_dir, ports, dict(environ), write))


async def _run(
    settings: Settings,
    data_dir: Path,
    ports: Ports,
    environ: dict[str, str],
    write: Callable[[str], None],
) -> int:
    supervisor = Supervisor(write, colour=colour_wanted())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    began = time.monotonic()
    starting = asyncio.create_task(
        _start(supervisor, settings, data_dir, ports, environ)
    )
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            url = starting.result()
            supervisor.say("up", f"ready in {time.monotonic() - began:.1f} s")
            supervisor.say("up", f"open {url}  (Ctrl-C stops everything)")
            await stopping
        else:
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
        return 0
    except StartError as error:
        supervisor.say("up", f"could not start: {error}")
        return 1
    finally:
        supervisor.say("up", "stopping")
        stopping.cancel()
        await supervisor.stop_all(STOP_BUDGET_S)
        supervisor.say("up", "stopped")


async def _start(
    supervisor: Supervisor,
    settings: Settings,
    data_dir: Path,
    ports: Ports,
    environ: dict[str, str],
) -> str:
    """Start everything in order; the URL to open."""
    if "DATABASE_URL" not in settings.given:
        postgres = PostgresServer(data_dir / "postgres", port=ports.postgres)
        await asyncio.to_thread(postgres.prepare)
        await supervisor.start(
            Program(
                "postgres",
                postgres.argv(),
                user=postgres.os_user,
                ready=lambda _: postgres.is_ready(),
                stop_signal=signal.SIGINT,  # "fast" shutdown
                stage=POSTGRES,
            )
        )
        await asyncio.to_thread(ensure_app_database, postgres)
        environ["DATABASE_URL"] = (
            f"postgresql://{APP_ROLE}@127.0.0.1:{ports.postgres}/{APP_DATABASE}"
        )
    if "REDIS_URL" not in settings.given:
        redis_server = RedisServer(
            data_dir / "redis", port=ports.redis, appendonly=True
        )
        await supervisor.start(
            Program(
                "redis",
                redis_server.argv(),
                ready=lambda _: redis_server.is_ready(),
                stage=REDIS,
            )
        )
        environ["REDIS_URL"] = redis_server.url()
    environ.setdefault("TRAEFIK_API_URL", f"http://127.0.0.1:{ports.traefik_api}")
    # What the app's processes will read, for the readiness probes below.
    app_settings = load_settings(
        DATABASE_URL=environ["DATABASE_URL"],
        REDIS_URL=environ["REDIS_URL"],
        TRAEFIK_API_URL=environ["TRAEFIK_API_URL"],
    )

    if await supervisor.run_once(Program("migrate", [*APP, "migrate"], environ)):
        raise StartError("the migrations failed")

    backend = f"http://{_loopback(settings.HOST)}:{settings.PORT}"
    await supervisor.start(
        Program(
            "webserver",
            [*APP, "webserver"],
            environ,
            ready=lambda _: _answers(f"{backend}/health/ready"),
            stage=WEBSERVER,
        )
    )
    traefik = TraefikServer(
        data_dir / "traefik",
        backend_url=backend,
        port=ports.traefik,
        api_port=ports.traefik_api,
    )
    traefik.prepare()
    await supervisor.start(
        Program(
            "traefik",
            traefik.argv(),
            ready=lambda _: _answers(f"{traefik.api_url}/ping"),
            stage=TRAEFIK,
        )
    )
    with redis.Redis.from_url(app_settings.redis_dsn) as client:
        await supervisor.start(
            Program(
                "scheduler",
                [*APP, "scheduler"],
                environ,
                ready=lambda pid: _scheduler_present(client, pid),
                stage=SCHEDULER,
            )
        )
        await asyncio.gather(
            *(
                supervisor.start(
                    Program(
                        f"worker-{queue}",
                        [*APP, "worker", queue],
                        environ,
                        ready=lambda pid, q=queue: _worker_present(client, q, pid),
                        stage=WORKERS,
                    )
                )
                for queue in load_topology(environ).queues
            )
        )
    return f"{traefik.url}/dashboard/"


def ensure_app_database(postgres: PostgresServer) -> None:
    """The role and database the local DATABASE_URL names."""
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        has_role = connection.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)
        ).fetchone()
        if not has_role:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(APP_ROLE))
            )
        has_database = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (APP_DATABASE,)
        ).fetchone()
        if not has_database:
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(APP_DATABASE), sql.Identifier(APP_ROLE)
                )
            )


def _loopback(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _scheduler_present(client: redis.Redis, pid: int) -> bool:
    """It leads, or stands by: its heartbeat names its process."""
    return any(beat.get("pid") == pid for beat in scheduler_beats(client))


def _worker_present(client: redis.Redis, queue: str, pid: int) -> bool:
    return any(beat.get("pid") == pid for beat in worker_beats(client, queue))
