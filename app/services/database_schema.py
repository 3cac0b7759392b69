"""The application's tables as PostgreSQL describes them: columns, indexes, rows."""

from dataclasses import dataclass

from sqlalchemy import text

from app.core.db import Database

_COLUMNS = text(
    """
    SELECT table_name, column_name, data_type, is_nullable = 'YES' AS nullable
      FROM information_schema.columns
     WHERE table_schema = current_schema()
     ORDER BY table_name, ordinal_position
    """
)
_INDEXES = text(
    """
    SELECT tablename AS table_name, indexname AS index_name
      FROM pg_indexes WHERE schemaname = current_schema()
     ORDER BY tablename, indexname
    """
)
_ROWS = text(
    """
    SELECT relname AS table_name, n_live_tup AS rows
      FROM pg_stat_user_tables WHERE schemaname = current_schema()
    """
)


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    nullable: bool


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: int
    columns: list[ColumnInfo]
    indexes: list[str]


async def describe_tables(database: Database) -> list[TableInfo]:
    """Every table of the current schema, by name; rows are estimates."""
    async with database.autocommit_engine.connect() as connection:
        columns = (await connection.execute(_COLUMNS)).mappings().all()
        indexes = (await connection.execute(_INDEXES)).mappings().all()
        rows = {
            row["table_name"]: row["rows"]
            for row in (await connection.execute(_ROWS)).mappings()
        }
    tables: dict[str, TableInfo] = {}
    for column in columns:
        name = column["table_name"]
        table = tables.setdefault(
            name, TableInfo(name, rows.get(name, 0), columns=[], indexes=[])
        )
        table.columns.append(
            ColumnInfo(column["column_name"], column["data_type"], column["nullable"])
        )
    for index in indexes:
        if (table := tables.get(index["table_name"])) is not None:
            table.indexes.append(index["index_name"])
    return list(tables.values())
