"""Engines are lazy; Alembic owns the schema and leaves foreign tables alone."""

import subprocess
import sys

import psycopg
from psycopg import sql
from sqlalchemy import text

from app.core import migrations, revisions
from app.core.db import Database
from app.devstack.servers import PostgresServer, free_port
from tests.conftest import settings_for


def test_importing_every_process_module_connects_to_nothing() -> None:
    """With unreachable servers configured, imports still succeed at once."""
    env = {
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/none",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "PATH": "",
    }
    code = "import app.entrypoints.webserver, app.cli.main, app.core.migrations"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


async def test_database_builds_engines_on_first_use_only() -> None:
    database = Database(
        settings_for(f"postgresql://x@127.0.0.1:{free_port()}/x", "redis://x:1/0")
    )
    assert "engine" not in database.__dict__ and "async_engine" not in database.__dict__
    await database.dispose()  # disposing engines never built is fine


def test_engines_check_connections_before_use(settings) -> None:
    database = Database(settings)
    try:
        assert database.engine.pool._pre_ping
        with database.db_session() as session:
            assert session.scalar(text("SELECT 1")) == 1
    finally:
        database.engine.dispose()


def _fresh_database(postgres: PostgresServer, name: str) -> str:
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return postgres.url(name)


def test_migrations_build_the_schema_the_models_describe(
    postgres: PostgresServer,
) -> None:
    settings = settings_for(_fresh_database(postgres, "migrate_fresh"), "redis://x:1/0")
    assert migrations.current_revision(settings) is None
    migrations.upgrade(settings)
    assert migrations.current_revision(settings) == revisions.head()
    migrations.check(settings)  # raises if autogenerate would change anything


def test_autogenerate_never_drops_a_table_the_app_does_not_own(
    postgres: PostgresServer,
) -> None:
    url = _fresh_database(postgres, "migrate_foreign")
    settings = settings_for(url, "redis://x:1/0")
    migrations.upgrade(settings)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE apscheduler_jobs (id text PRIMARY KEY)")
    migrations.check(settings)


def test_upgrade_twice_is_harmless(postgres: PostgresServer) -> None:
    settings = settings_for(_fresh_database(postgres, "migrate_twice"), "redis://x:1/0")
    migrations.upgrade(settings)
    migrations.upgrade(settings)
    assert migrations.current_revision(settings) == revisions.head()
