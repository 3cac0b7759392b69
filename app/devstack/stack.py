"""`sector-7g up`: the stack on one machine, for development and trials.

PostgreSQL and Redis start from the binaries on PATH with their data under
the data directory (unless DATABASE_URL / REDIS_URL are set, then those are
used as they are), migrations run, then the app's processes start.
"""

import os
import signal
import sys
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from app.core import migrations
from app.core.config import Settings
from app.devstack.servers import ManagedProcess, PostgresServer, RedisServer

# The ports and names the default settings expect, so that every other
# command (`sector-7g auth create-user`, `make migrate`) finds the stack.
POSTGRES_PORT = 5432
REDIS_PORT = 6379
APP_DATABASE = "sector7g"
APP_ROLE = "sector7g"


class StopRequestedError(Exception):
    """SIGTERM or Ctrl-C: stop everything, in reverse order."""


def run_stack(settings: Settings, data_dir: Path, say) -> int:
    """Run until interrupted or until a process exits; return an exit code."""
    with _stop_on_signals(), _started([]) as started:
        if "DATABASE_URL" not in settings.model_fields_set:
            postgres = PostgresServer(data_dir / "postgres", port=POSTGRES_PORT)
            say(f"starting PostgreSQL on 127.0.0.1:{POSTGRES_PORT}")
            postgres.start()
            started.append(postgres)
            ensure_app_database(postgres)
        if "REDIS_URL" not in settings.model_fields_set:
            redis = RedisServer(data_dir / "redis", port=REDIS_PORT, appendonly=True)
            say(f"starting Redis on 127.0.0.1:{REDIS_PORT}")
            redis.start()
            started.append(redis)

        say("applying migrations")
        migrations.upgrade(settings)

        webserver = ManagedProcess("webserver", None)
        webserver.spawn(
            [sys.executable, "-m", "app", "webserver"], env=dict(os.environ)
        )
        started.append(webserver)
        say(f"open http://{settings.HOST}:{settings.PORT}/docs  (Ctrl-C stops)")
        code = webserver.wait()
        say(f"webserver exited with status {code}; stopping")
        return 1
    return 0  # stopped by a signal


def ensure_app_database(postgres: PostgresServer) -> None:
    """The role and database the default DATABASE_URL names."""
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


@contextmanager
def _started(processes: list[ManagedProcess]) -> Generator[list[ManagedProcess]]:
    try:
        yield processes
    finally:
        for process in reversed(processes):
            process.stop()


@contextmanager
def _stop_on_signals() -> Generator[None]:
    def stop(signum: int, frame: object) -> None:
        raise StopRequestedError

    previous = {
        sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    except StopRequestedError:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
