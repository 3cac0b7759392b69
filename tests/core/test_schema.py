"""What the dashboard's database view reads: the tables and the migrations."""

from alembic.script import ScriptDirectory

from app.core import migrations, revisions
from app.core.config import Settings
from app.core.db import Database
from app.services.database_schema import describe_tables


async def test_the_tables_with_their_columns_and_indexes(settings: Settings) -> None:
    database = Database(settings)
    try:
        tables = {table.name: table for table in await describe_tables(database)}
    finally:
        await database.dispose()
    assert {"user", "task_history", "scheduler_job", "alembic_version"} <= set(tables)
    user = tables["user"]
    columns = {column.name: column for column in user.columns}
    assert columns["email"].type == "character varying"
    assert columns["email"].nullable is False
    assert columns["full_name"].nullable is True
    assert "uq_user_email_lower" in user.indexes


def test_the_migrations_newest_first(settings: Settings) -> None:
    shipped = revisions.shipped()
    assert shipped[0].revision == revisions.head()
    # Read without Alembic, as Alembic reads them.
    alembic = ScriptDirectory.from_config(migrations.alembic_config(settings))
    assert [m.revision for m in shipped] == [
        script.revision for script in alembic.walk_revisions()
    ]
    assert [m.description for m in shipped] == [
        script.doc for script in alembic.walk_revisions()
    ]
    assert shipped[-1].down_revision is None
    for newer, older in zip(shipped, shipped[1:], strict=False):
        assert newer.down_revision == older.revision
    assert all(migration.description for migration in shipped)
