"""Database detail: size and connections, the schema, the migrations."""

import flet as ft

from app.components.frontend import format
from app.components.frontend.context import DashboardContext
from app.components.frontend.theme import ACCENT
from app.components.frontend.widgets import detail_page, muted, overview, section, table
from app.core import revisions
from app.services.database_schema import TableInfo, describe_tables


class DatabaseDetail:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.summary = ft.Column()
        self.schema = ft.Column(spacing=4)
        self.migrations = ft.Column()
        self.control = detail_page(
            self.summary,
            section("Schema", self.schema),
            section("Migrations", self.migrations),
        )

    async def refresh(self) -> None:
        component = (await self.context.report()).root.components.get("database")
        current = None
        if component is not None:
            meta = component.metadata
            current = meta.get("current_migration")
            self.summary.controls = [
                overview(
                    component.status,
                    component.message,
                    ("Size", format.size(meta.get("size_bytes"))),
                    (
                        "Connections",
                        f"{meta.get('connections', '-')}/"
                        f"{meta.get('max_connections', '-')}",
                    ),
                    ("Tables", str(len(meta.get("tables", [])))),
                    ("Rows (estimate)", f"{meta.get('total_rows', 0):,}"),
                    ("Server", str(meta.get("server", "-"))),
                )
            ]
        tables = await describe_tables(self.context.resources.database)
        self.schema.controls = [table_tile(info) for info in tables]
        shipped = revisions.shipped()
        self.migrations.controls = [
            table(
                ["Revision", "Follows", "Description", ""],
                [
                    [
                        m.revision,
                        m.down_revision or "-",
                        m.description,
                        ft.Text("current", color=ACCENT)
                        if m.revision == current
                        else "",
                    ]
                    for m in shipped
                ],
                identifier="database-migrations",
            )
        ]

    def on_pulse(self) -> None:
        """Nothing here moves with job events."""


def table_tile(info: TableInfo) -> ft.Control:
    return ft.ExpansionTile(
        title=ft.Text(info.name, weight=ft.FontWeight.W_600),
        subtitle=muted(
            f"{info.rows:,} rows, {len(info.columns)} columns, "
            f"{len(info.indexes)} indexes"
        ),
        controls=[
            table(
                ["Column", "Type", "Null"],
                [
                    [column.name, column.type, "yes" if column.nullable else "no"]
                    for column in info.columns
                ],
                identifier=f"schema-{info.name}",
            ),
            muted("Indexes: " + (", ".join(info.indexes) or "none")),
        ],
    )
