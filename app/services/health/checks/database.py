"""PostgreSQL: reachable, its version and size, connections, tables, migrations."""

from sqlalchemy import text

from app.core import revisions
from app.core.config import Settings
from app.core.db import Database
from app.services.health.tree import Component, Status

_FACTS = text(
    """
    SELECT version() AS version,
           current_setting('server_version') AS short_version,
           pg_database_size(current_database()) AS size_bytes,
           current_setting('max_connections')::int AS max_connections,
           (SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database()) AS connections
    """
)
_TABLES = text(
    """
    SELECT relname AS name, n_live_tup AS rows
      FROM pg_stat_user_tables ORDER BY relname
    """
)
_REVISION = text("SELECT version_num FROM alembic_version")


async def check_database(database: Database, settings: Settings) -> Component:
    async with database.autocommit_engine.connect() as connection:
        facts = (await connection.execute(_FACTS)).mappings().one()
        tables = [dict(row) for row in (await connection.execute(_TABLES)).mappings()]
        revision = (await connection.execute(_REVISION)).scalar_one_or_none()
    head = revisions.head()
    status, message = Status.HEALTHY, f"PostgreSQL {facts['short_version']}"
    if revision != head:
        status = Status.WARNING
        message += f"; migrations pending ({revision} of {head})"
    url = settings.database_url_async
    return Component(
        status=status,
        message=message,
        metadata={
            "version": facts["version"],
            "short_version": facts["short_version"],
            # Where, never who or with what password.
            "server": f"{url.host or url.query.get('host')}/{url.database}",
            "size_bytes": facts["size_bytes"],
            "connections": facts["connections"],
            "max_connections": facts["max_connections"],
            "tables": tables,
            "total_rows": sum(table["rows"] for table in tables),
            "current_migration": revision,
            "head_migration": head,
        },
    )
